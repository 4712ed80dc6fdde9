// Playing a lesson in plain mode for a test: collect what it prints, check that every expectation
// held, and read back the pids it started and the text of one step.
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { playPlain, type PlainResult } from '../../src/lesson/plain.js';
import type { Lang, Lesson } from '../../src/lesson/types.js';

export function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Plays the lesson and asserts that no step failed and every check that ran held (at least minChecks). */
export async function playChecked(lesson: Lesson, lang: Lang, minChecks: number): Promise<{ result: PlainResult; text: string }> {
  const out = collector();
  // No width, as when the output goes to a file or a pipe: then nothing may be cut.
  const result = await playPlain(lesson, { lang, out: out.stream });
  const text = out.text();
  expect(cutTableLines(text)).toEqual([]);
  // The lines that say what went wrong, so a failure in CI names the step and the check, not a count.
  expect(failureLines(text)).toEqual([]);
  expect(result.failedSteps).toBe(0);
  expect(result.held).toBe(result.checks);
  expect(result.checks).toBeGreaterThanOrEqual(minChecks);
  return { result, text };
}

/** Step headers with the lines under them that report a failed step or a ✘ check. */
export function failureLines(text: string): string[] {
  const found: string[] = [];
  let header = '';
  for (const line of text.split('\n')) {
    if (/^── .*──$/.test(line)) header = line;
    else if (line.includes('✘') || /This step failed|这一步失败了/.test(line)) found.push(`${header} ${line.trim()}`);
  }
  return found;
}

/** Pids from "started NAME (pid N)" / "已启动 NAME（pid N）" lines and libuv's "fork() = N". */
export function startedPids(text: string): number[] {
  return [...text.matchAll(/(?:started|已启动) [\w-]+ ?[(（]pid (\d+)[)）]|fork\(\) = (\d+)/g)].map((m) => Number(m[1] ?? m[2]));
}

/** The text of step n (1-based) as printed, up to the next step's header. */
export function stepText(text: string, n: number): string {
  const headers = [...text.matchAll(/^── .*──$/gm)].map((m) => m.index ?? 0);
  return text.slice(headers[n - 1], headers[n] ?? text.length);
}

/** Table rows of a plain lesson (`  PID  CMD  FD ...` under a header with NAME) that were cut with `…`. */
export function cutTableLines(text: string): string[] {
  const cut: string[] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    if (/^\s+PID\s.*\bNAME$/.test(line)) inTable = true;
    else if (inTable && /^\s+[>+~-]?\s*\d+\s/.test(line)) {
      if (line.includes('…')) cut.push(line);
    } else inTable = false;
  }
  return cut;
}

// Lesson 7 end to end in plain mode: every expectation must hold on this kernel. Then the printed tables
// are read back: the queues of the two listeners add up to the connections made and neither is starved;
// net.ipv4.tcp_migrate_req is what it was before the lesson; no process of the lesson is left.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/07-reuseport-pitfalls.js';
import { playPlain } from '../../src/lesson/plain.js';
import { readSysctl } from '../../src/lesson/sysctl.js';
import { isAlive } from '../helpers/process.js';
import { startedPids } from '../helpers/lesson-output.js';

async function play(lang: 'en' | 'zh') {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk) => chunks.push(String(chunk)));
  const result = await playPlain(lesson, { lang, out, width: 120 });
  return { result, text: chunks.join('') };
}

function stepText(text: string, n: number): string {
  const headers = [...text.matchAll(/^── .*──$/gm)].map((m) => m.index ?? 0);
  return text.slice(headers[n - 1], headers[n] ?? text.length);
}

/** Accept queue per listener row of a step's table: { a: 103, b: 97 }. */
function queues(step: string): Record<string, number> {
  return Object.fromEntries([...step.matchAll(/^ {2}[> ] +\d+ +(\w+) +\d+ +TCP .* (\d+)\/1024 +127\.0\.0\.1:\d+ \(LISTEN\)$/gm)].map((m) => [m[1], Number(m[2])]));
}

describe('lesson 7: SO_REUSEPORT pitfalls', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const migrateBefore = readSysctl('net.ipv4.tcp_migrate_req');
      const { result, text } = await play(lang);
      expect(text).not.toContain('✘');
      expect(result.failedSteps).toBe(0);
      expect(result.held).toBe(result.checks);
      expect(result.checks).toBe(11);

      // Two listeners on one port, 200 connections, nobody accepting: the kernel split them between both.
      const split = queues(stepText(text, 2));
      expect(Object.keys(split).sort()).toEqual(['a', 'b']);
      expect(split.a + split.b).toBe(200);
      expect(Math.min(split.a, split.b)).toBeGreaterThan(50);
      // b's close: the clients counted exactly b's queue as ECONNRESET.
      const closed = stepText(text, 4);
      expect(closed).toMatch(new RegExp(`${queues(stepText(text, 3)).b} ECONNRESET`));

      expect(readSysctl('net.ipv4.tcp_migrate_req')).toBe(migrateBefore);
      const pids = startedPids(text);
      expect(pids.length).toBe(4); // a, b, intruder, client
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

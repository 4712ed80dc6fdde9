// The code the lessons show comes from real files (lessons/assets/code): every Go file must pass `go vet`
// (which type-checks it) and every Node file `node --check`. Without go the Go half is skipped, saying so.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasGo, sayIfNoGo } from '../helpers/go.js';
import { CODE_DIR } from '../../src/lesson/excerpt.js';
import { goEnv } from '../../src/lesson/gobuild.js';

const root = fileURLToPath(CODE_DIR);
const files = (readdirSync(root, { recursive: true }) as string[]).map((file) => join(root, file));
const goFiles = files.filter((file) => file.endsWith('.go'));
const nodeFiles = files.filter((file) => /\.(mjs|js)$/.test(file));

sayIfNoGo('the Go code excerpts are not vetted');

/** The first lines of a failing tool's output, as the assertion message. */
function run(command: string, args: string[]): string {
  try {
    execFileSync(command, args, { env: goEnv(), stdio: 'pipe', timeout: 120_000 });
    return '';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).split('\n').slice(0, 6).join('\n');
  }
}

describe('code excerpts are real code', () => {
  it('has Go and Node files', () => {
    expect(goFiles.length).toBeGreaterThan(0);
    expect(nodeFiles.length).toBeGreaterThan(0);
  });
  // Each Go file is a program of its own (package main): vetted one at a time.
  it.skipIf(!hasGo).each(goFiles.map((file) => [file.slice(root.length)]))('go vet %s', (file) => {
    expect(run('go', ['vet', join(root, file)])).toBe('');
  }, 120_000);
  it.each(nodeFiles.map((file) => [file.slice(root.length)]))('node --check %s', (file) => {
    expect(run(process.execPath, ['--check', join(root, file)])).toBe('');
  });
});

describe('lessons show Go and Node code only from real files', () => {
  const lessonsDir = fileURLToPath(new URL('../../lessons/', import.meta.url));
  /** A `go:` or `node:` code field given as a string literal rather than an excerpt(...). */
  const INLINE = /^\s+(go|node): ['"`]/m;
  const inline = readdirSync(lessonsDir)
    .filter((file) => /^\d\d-.*\.ts$/.test(file))
    .filter((file) => INLINE.test(readFileSync(join(lessonsDir, file), 'utf8')))
    .sort();
  // Every excerpt is a real file that the tests above compile: an inline string could show code that does not build.
  it('has no inline Go or Node excerpt in any lesson', () => {
    expect(inline).toEqual([]);
  });
});

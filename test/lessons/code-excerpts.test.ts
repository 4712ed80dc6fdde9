// The code the lessons show comes from real files (lessons/assets/code): every Go file must pass `go vet`
// (which type-checks it), every Node file `node --check`, every C file under lessons/assets (the excerpts
// and the demos lessons build) `cc -fsyntax-only -Wall -Werror`; shut-rd.c, which no lesson runs, is run
// here. Without go or cc that half is skipped, saying so. The shell a lesson shows inline must parse
// (`bash -n`), and its pm2 config as JavaScript.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hasGo, sayIfNoGo } from '../helpers/go.js';
import { lessons } from '../../lessons/index.js';
import { CODE_DIR } from '../../src/lesson/excerpt.js';
import { goEnv } from '../../src/lesson/gobuild.js';
import { codeText } from '../../src/lesson/i18n.js';

const root = fileURLToPath(CODE_DIR);
const files = (readdirSync(root, { recursive: true }) as string[]).map((file) => join(root, file));
const goFiles = files.filter((file) => file.endsWith('.go'));
const nodeFiles = files.filter((file) => /\.(mjs|js)$/.test(file));
const assets = fileURLToPath(new URL('../../lessons/assets/', import.meta.url));
const cFiles = (readdirSync(assets, { recursive: true }) as string[]).filter((file) => file.endsWith('.c')).sort();

/** Headers a plain machine may lack (Debian's libsystemd-dev): a file including one is compiled only where cc finds it. */
const OPTIONAL_HEADERS = ['systemd/sd-daemon.h'];
const hasCc = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
const ccFinds = (header: string) => hasCc && spawnSync('cc', ['-fsyntax-only', '-x', 'c', '-'], { input: `#include <${header}>\n`, stdio: ['pipe', 'ignore', 'ignore'] }).status === 0;
const missingHeaders = OPTIONAL_HEADERS.filter((header) => !ccFinds(header));
/** The optional header a C file needs that this machine lacks, if any. */
const lacks = (file: string) => missingHeaders.find((header) => readFileSync(join(assets, file), 'utf8').includes(`#include <${header}>`));

sayIfNoGo('the Go code excerpts are not vetted');
if (!hasCc) console.log('cc is not installed (apt-get install gcc), so the C files under lessons/assets are not compiled');
const unchecked = hasCc ? cFiles.filter(lacks) : [];
if (unchecked.length > 0) console.log(`${unchecked.join(', ')}: not compiled, since cc finds no <${missingHeaders.join('>, <')}> here (apt-get install libsystemd-dev)`);

/** The first lines of a failing tool's output, as the assertion message. */
function run(command: string, args: string[], input?: string): string {
  try {
    execFileSync(command, args, { env: goEnv(), stdio: 'pipe', timeout: 120_000, input });
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
  it('has C files', () => {
    expect(cFiles.length).toBeGreaterThan(0);
  });
  // Warnings are errors: an excerpt that only builds with warnings is not code to copy.
  it.skipIf(!hasCc).each(cFiles.filter((file) => !lacks(file)).map((file) => [file]))('cc -fsyntax-only %s', (file) => {
    expect(run('cc', ['-fsyntax-only', '-Wall', '-Werror', join(assets, file)])).toBe('');
  });
  // Lesson 12 checks SHUT_RD with Node puppets; the C it shows must do what its comments say, too.
  it.skipIf(!hasCc)('shut-rd.c, run: after SHUT_RD the peer sends and recv still reads the request', () => {
    const binary = join(mkdtempSync(join(tmpdir(), 'shut-rd-')), 'shut-rd');
    try {
      expect(run('cc', ['-o', binary, join(root, 'c/shut-rd.c')])).toBe('');
      const out = execFileSync(binary, { encoding: 'utf8', timeout: 10_000 });
      expect(out).toMatch(/^send: 27 bytes; queued: 27; recv: 27 bytes$/m);
      expect(out).toContain('recv read: GET / HTTP/1.1');
    } finally {
      rmSync(join(binary, '..'), { recursive: true, force: true });
    }
  });
});

describe('the shell and config a lesson shows inline parse', () => {
  const others = lessons.flatMap((lesson) => lesson.steps.flatMap((step) => (step.code?.other ? [{ where: `${lesson.id}/${step.id}`, ...step.code.other }] : [])));
  const shell = others.filter((other) => other.label === 'shell');
  const scratch = mkdtempSync(join(tmpdir(), 'code-excerpts-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds the shell snippets', () => {
    expect(shell.length).toBeGreaterThan(5);
  });
  // Placeholders ($PID, PORT) are words to bash: -n checks the grammar, which is what a copy-paste needs.
  it.each(shell.map((other) => [other.where, codeText(other.code, 'en')]))('bash -n %s', (_where, code) => {
    expect(run('bash', ['-n'], code)).toBe('');
  });
  // A pm2 ecosystem file is a CommonJS module: shown whole, it must parse as one.
  it.each(others.filter((other) => other.label.endsWith('.js')).map((other) => [other.where, codeText(other.code, 'en')]))('node --check %s', (where, code) => {
    const file = join(scratch, `${where.replace(/\W/g, '-')}.cjs`);
    writeFileSync(file, code);
    expect(run(process.execPath, ['--check', file])).toBe('');
  });
});

describe('lessons show Go, Node and C code only from real files', () => {
  const lessonsDir = fileURLToPath(new URL('../../lessons/', import.meta.url));
  /** A `go:` or `node:` code field given as a string literal rather than an excerpt(...). */
  const INLINE = /^\s+(go|node): ['"`]/m;
  /** An `other:` code labelled C (`'C'`, `'C (libsystemd)'`) whose code is a string literal. */
  const INLINE_C = /other: \{\s*label: (['"`])C\b[^'"`]*\1,\s*code: ['"`]/;
  const sources = readdirSync(lessonsDir)
    .filter((file) => /^\d\d-.*\.ts$/.test(file))
    .map((file) => ({ file, text: readFileSync(join(lessonsDir, file), 'utf8') }));
  const inline = sources.filter(({ text }) => INLINE.test(text)).map(({ file }) => file).sort();
  // Every excerpt is a real file that the tests above compile: an inline string could show code that does not build.
  it('has no inline Go or Node excerpt in any lesson', () => {
    expect(inline).toEqual([]);
  });
  it('has no inline C excerpt in any lesson', () => {
    expect(INLINE_C.test("other: {\n  label: 'C',\n  code: 'bind(listener, 127.0.0.1:0);'")).toBe(true);
    expect(sources.filter(({ text }) => INLINE_C.test(text)).map(({ file }) => file)).toEqual([]);
    const cShown = lessons.flatMap((lesson) => lesson.steps.filter((step) => step.code?.other?.label.startsWith('C')));
    expect(cShown.length).toBeGreaterThanOrEqual(4);
  });
});

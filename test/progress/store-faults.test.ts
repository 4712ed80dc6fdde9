// The progress store under faults: concurrent saves, hand-edited entries, repeated corruption.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgressStore } from '../../src/progress/store.js';
import { lessonEntryProblem } from '../../src/progress/validate.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hrt-progress-faults-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const goodEntry = {
  status: 'started', reached: 2, steps: 6, checks: 3, held: 3, quizzes: 3, correct: 1, via: 'app',
  startedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', doneAt: null,
};
const doc = (lessons: Record<string, unknown>) => JSON.stringify({ schema: 'hotrestart-tutor/progress', version: 1, lessons });

describe('concurrent saves', () => {
  it('four processes recording at once keep every record', async () => {
    const path = join(tempDir(), 'progress.json');
    const rounds = 15;
    // Each writer records its own lessons; a read-modify-write race would lose some of another's.
    const script = `
      import { ProgressStore } from './src/progress/store.ts';
      const store = new ProgressStore(process.argv[1]);
      const who = process.argv[2];
      for (let i = 0; i < ${rounds}; i++) {
        store.record({ lessonId: 'w' + who + '-' + i, complete: false, reached: 1, steps: 2, checks: 0, held: 0, quizzes: 0, correct: null, via: 'plain' });
      }`;
    const writers = [1, 2, 3, 4].map((who) =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path, String(who)], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] }),
    );
    const codes = await Promise.all(writers.map(async (child) => (await once(child, 'exit'))[0]));
    expect(codes).toEqual([0, 0, 0, 0]);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(saved.lessons)).toHaveLength(4 * rounds);
    expect(readdirSync(join(path, '..'))).toEqual(['progress.json']); // no lock or temporary file left
  }, 60_000);

  it('takes over a lock left by a process that died', () => {
    const store = new ProgressStore(join(tempDir(), 'progress.json'));
    writeFileSync(`${store.path}.lock`, '999999999\n'); // no such pid
    store.record({ lessonId: 'fork', complete: false, reached: 1, steps: 2, checks: 0, held: 0, quizzes: 0, correct: null, via: 'plain' });
    expect(Object.keys(store.load().progress.lessons)).toEqual(['fork']);
  });
});

describe('lesson entries', () => {
  it.each([
    [{ status: 'done' }, 'reached is not a whole number'],
    [{ ...goodEntry, reached: 'abc' }, 'reached is not a whole number'],
    [{ ...goodEntry, reached: 9 }, 'reached is past the last step'],
    [{ ...goodEntry, held: 4 }, 'more checks held than ran'],
    [{ ...goodEntry, via: 'tv' }, 'via is neither app nor plain'],
    [{ ...goodEntry, doneAt: 'yesterday' }, 'doneAt is neither null nor a date'],
    [[], 'not an object'],
  ])('refuses %o: %s', (entry, problem) => {
    expect(lessonEntryProblem(entry)).toBe(problem);
  });

  it('accepts a well-formed entry, extra fields included', () => {
    expect(lessonEntryProblem(goodEntry)).toBeNull();
    expect(lessonEntryProblem({ ...goodEntry, status: 'done', doneAt: goodEntry.updatedAt, exercises: { a: 1 } })).toBeNull();
  });

  it('drops only the invalid entries, with one notice naming them, and keeps the rest', () => {
    const store = new ProgressStore(join(tempDir(), 'progress.json'));
    writeFileSync(store.path, doc({ fork: goodEntry, 'dup-leak': { status: 'done' }, scm: { ...goodEntry, reached: 'abc' } }));
    const loaded = store.load();
    expect(loaded.notice).toEqual({ kind: 'dropped', path: store.path, lessons: ['dup-leak', 'scm'] });
    expect(Object.keys(loaded.progress.lessons)).toEqual(['fork']);
    expect(loaded.writable).toBe(true);
    expect(readdirSync(join(store.path, '..'))).toEqual(['progress.json']); // not treated as a corrupt file
  });
});

describe('corruption', () => {
  it('keeps every corrupt file: a second corruption does not overwrite the first backup', () => {
    const dir = tempDir();
    const store = new ProgressStore(join(dir, 'progress.json'));
    writeFileSync(store.path, 'first corruption');
    expect(store.load().notice).toMatchObject({ kind: 'corrupt', backup: `${store.path}.bak` });
    writeFileSync(store.path, 'second corruption');
    expect(store.load().notice).toMatchObject({ kind: 'corrupt', backup: `${store.path}.bak.1` });
    expect(readFileSync(`${store.path}.bak`, 'utf8')).toBe('first corruption');
    expect(readFileSync(`${store.path}.bak.1`, 'utf8')).toBe('second corruption');
    expect(readdirSync(dir).sort()).toEqual(['progress.json.bak', 'progress.json.bak.1']);
  });
});

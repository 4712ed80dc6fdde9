// The progress file: where it lives, that writes are atomic, that a corrupt or newer file never
// crashes the tutor, and that "done" is kept once earned.
import { mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { progressPath } from '../../src/progress/paths.js';
import { emptyProgress, recordRun, type RunRecord } from '../../src/progress/model.js';
import { ProgressStore } from '../../src/progress/store.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hrt-progress-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const run = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  lessonId: 'dup-leak', complete: false, reached: 2, steps: 6, checks: 3, held: 3, quizzes: 3, correct: 1, via: 'app', ...overrides,
});

describe('progressPath', () => {
  it('prefers HOTRESTART_TUTOR_HOME, then XDG_STATE_HOME, then ~/.local/state', () => {
    expect(progressPath({ HOTRESTART_TUTOR_HOME: '/x/tutor', XDG_STATE_HOME: '/x/state', HOME: '/home/a' })).toBe('/x/tutor/progress.json');
    expect(progressPath({ XDG_STATE_HOME: '/x/state', HOME: '/home/a' })).toBe('/x/state/hotrestart-tutor/progress.json');
    expect(progressPath({ HOME: '/home/a' })).toBe('/home/a/.local/state/hotrestart-tutor/progress.json');
  });

  it('ignores a relative XDG_STATE_HOME, as the XDG spec says', () => {
    expect(progressPath({ XDG_STATE_HOME: 'state', HOME: '/home/a' })).toBe('/home/a/.local/state/hotrestart-tutor/progress.json');
  });
});

describe('ProgressStore', () => {
  it('starts empty without a file, and creates the directory on the first write', () => {
    const store = new ProgressStore(join(tempDir(), 'deep', 'er', 'progress.json'));
    expect(store.load()).toEqual({ progress: emptyProgress(), notice: null, writable: true });
    store.record(run());
    const saved = JSON.parse(readFileSync(store.path, 'utf8'));
    expect(saved).toMatchObject({ schema: 'hotrestart-tutor/progress', version: 1, lessons: { 'dup-leak': { status: 'started', reached: 2 } } });
  });

  it('replaces the file by rename: a reader of the old file never sees a half-written one', () => {
    const dir = tempDir();
    const store = new ProgressStore(join(dir, 'progress.json'));
    store.record(run());
    const before = statSync(store.path).ino;
    const oldFd = openSync(store.path, 'r'); // what a concurrent reader holds open
    const oldText = readFileSync(store.path, 'utf8');
    try {
      store.record(run({ reached: 5 }));
      expect(statSync(store.path).ino).not.toBe(before); // a new file took the name
      const buffer = Buffer.alloc(oldText.length + 10);
      expect(buffer.toString('utf8', 0, readSync(oldFd, buffer, 0, buffer.length, 0))).toBe(oldText); // the old one is intact
    } finally {
      closeSync(oldFd);
    }
    expect(readdirSync(dir)).toEqual(['progress.json']); // no temporary file left behind
    expect(store.load().progress.lessons['dup-leak'].reached).toBe(5);
  });

  it('keeps a corrupt file as .bak, says so once, and starts afresh', () => {
    const dir = tempDir();
    const store = new ProgressStore(join(dir, 'progress.json'));
    writeFileSync(store.path, '{"schema": "hotrestart-tutor/progress", "version": 1, "less');
    const loaded = store.load();
    expect(loaded.notice).toEqual({ kind: 'corrupt', path: store.path, backup: `${store.path}.bak` });
    expect(loaded.progress).toEqual(emptyProgress());
    expect(readFileSync(`${store.path}.bak`, 'utf8')).toContain('"less');
    expect(store.load().notice).toBeNull();
    store.record(run());
    expect(readdirSync(dir).sort()).toEqual(['progress.json', 'progress.json.bak']);
  });

  it('never overwrites a file from a newer version', () => {
    const store = new ProgressStore(join(tempDir(), 'progress.json'));
    const newer = JSON.stringify({ schema: 'hotrestart-tutor/progress', version: 2, lessons: {}, more: true });
    writeFileSync(store.path, newer);
    const loaded = store.record(run());
    expect(loaded).toMatchObject({ notice: { kind: 'newer' }, writable: false });
    expect(readFileSync(store.path, 'utf8')).toBe(newer);
  });

  it('erases one lesson or everything, and says when there was nothing', () => {
    const store = new ProgressStore(join(tempDir(), 'progress.json'));
    store.record(run());
    store.record(run({ lessonId: 'fork' }));
    expect(store.erase('dup-leak')).toBe(true);
    expect(Object.keys(store.load().progress.lessons)).toEqual(['fork']);
    expect(store.erase('dup-leak')).toBe(false);
    expect(store.erase()).toBe(true);
    expect(store.load().progress.lessons).toEqual({});
    expect(store.erase()).toBe(false);
  });
});

describe('recordRun', () => {
  const now = new Date('2026-01-02T03:04:05Z');

  it('marks done only for a complete run, and keeps done through later unfinished runs', () => {
    let progress = recordRun(emptyProgress(), run({ reached: 3 }), now);
    expect(progress.lessons['dup-leak']).toMatchObject({ status: 'started', reached: 3, doneAt: null });
    progress = recordRun(progress, run({ complete: true, reached: 6, checks: 9, held: 9 }), now);
    expect(progress.lessons['dup-leak']).toMatchObject({ status: 'done', reached: 6, held: 9, doneAt: now.toISOString() });
    progress = recordRun(progress, run({ reached: 1, held: 0 }), new Date('2026-02-02T00:00:00Z'));
    expect(progress.lessons['dup-leak']).toMatchObject({ status: 'done', reached: 6, held: 9, doneAt: now.toISOString() });
  });

  it('remembers the furthest step reached', () => {
    const progress = recordRun(recordRun(emptyProgress(), run({ reached: 4 }), now), run({ reached: 2 }), now);
    expect(progress.lessons['dup-leak'].reached).toBe(4);
  });
});

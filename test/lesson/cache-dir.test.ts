// The build cache is refused unless it is this user's private directory: a directory someone else
// prepared in the shared tmpdir (or one left open to others) would let them swap the binaries we run.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { userCacheDir } from '../../src/lesson/gobuild.js';
import { LessonActionError } from '../../src/lesson/types.js';

let base: string;
let before: string | undefined;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'hrt-cache-'));
  before = process.env.TMPDIR;
  process.env.TMPDIR = base;
});
afterEach(() => {
  if (before === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = before;
  rmSync(base, { recursive: true, force: true });
});

it('makes a 0700 cache directory and uses it again', () => {
  const dir = userCacheDir();
  expect(dir.startsWith(base)).toBe(true);
  expect(userCacheDir()).toBe(dir);
});

it('refuses a cache directory that others may write to, in both languages', () => {
  const planted = join(base, `hotrestart-tutor-cache-${process.getuid!()}`);
  mkdirSync(planted);
  chmodSync(planted, 0o777);
  let error: unknown;
  try {
    userCacheDir();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(LessonActionError);
  expect((error as LessonActionError).text.en).toMatch(/is not private to this user \(owner \d+, mode 777\): remove it/);
  expect((error as LessonActionError).text.zh).toMatch(/不是当前用户私有的.*删除它后再试/);
});

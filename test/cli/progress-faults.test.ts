// Progress files in the way of the commands: each case is one sentence (or one notice) and never
// stops a lesson from running.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, cliPath, expectOneSentence, root, runCli } from './helpers.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hrt-progress-cli-'));
  chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('reset where the file cannot be rewritten', () => {
  it('names EISDIR when the progress file is a directory, exit 1', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'progress.json'));
    const result = await runCli(['reset', '--yes'], { HOTRESTART_TUTOR_HOME: home });
    expect(result.exitCode).toBe(1);
    expect(expectOneSentence(result)).toBe(`Could not erase progress in ${join(home, 'progress.json')} (EISDIR).`);
  });

  it('names ENOTDIR when XDG_STATE_HOME is a file, exit 1', async () => {
    const state = join(tempDir(), 'state');
    writeFileSync(state, '');
    const result = await runCli(['reset', '--yes', '--lang', 'zh'], { XDG_STATE_HOME: state, HOTRESTART_TUTOR_HOME: '' });
    expect(result.exitCode).toBe(1);
    expect(expectOneSentence(result)).toBe(`无法清除 ${join(state, 'hotrestart-tutor', 'progress.json')} 中的学习进度（ENOTDIR）。`);
  });
});

describe('an empty HOME', () => {
  it('is treated as unset: progress lives in the account\'s home, never under the current directory', async () => {
    const cwd = tempDir();
    // tsx by its path: `--import tsx` would be looked up from the empty current directory.
    const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
    const result = await execa(process.execPath, ['--import', tsx, cliPath, 'progress'], {
      reject: false, cwd, extendEnv: false, env: cleanEnv({ HOME: '', XDG_STATE_HOME: '', HOTRESTART_TUTOR_HOME: '' }),
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`Progress is stored in ${join(userInfo().homedir, '.local/state/hotrestart-tutor/progress.json')}`);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const why = !hasSetpriv ? 'setpriv (util-linux) is not installed' : process.getuid?.() !== 0 ? 'switching to user nobody needs root' : '';
if (why) console.log(`skipped: a corrupt progress file in a read-only directory (${why})`);

describe.skipIf(why !== '')('a corrupt progress file in a directory the learner cannot write', () => {
  /** Runs the CLI as nobody, for whom the root-owned directory is read-only (root would write anyway). */
  const asNobody = (args: string[], home: string) =>
    spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, '--import', 'tsx', cliPath, ...args], {
      cwd: root, encoding: 'utf8', timeout: 60_000,
      env: cleanEnv({ HOTRESTART_TUTOR_HOME: home, HOME: '/nonexistent', TMPDIR: '/tmp' }),
    });

  it('list, progress and a lesson run, each saying once that the file is left as it is', () => {
    const home = tempDir();
    writeFileSync(join(home, 'progress.json'), '{"schema": "hotrestart-tutor/progress", "version": 1, "less');
    chmodSync(join(home, 'progress.json'), 0o644);
    // EACCES from the directory's mode, or EPERM from protected_hardlinks (the file is not nobody's).
    const notice = new RegExp(`^The progress file ${join(home, 'progress.json')} could not be read, nor set aside \\(E(ACCES|PERM)\\); it is left as it is and progress will not be saved\\.$`);
    for (const args of [['list'], ['progress']]) {
      const result = asNobody(args, home);
      expect(result.stderr.trimEnd()).toMatch(notice);
      expect(result.status).toBe(0);
    }
    const lesson = asNobody(['lesson', '3', '--plain'], home);
    expect(lesson.stderr.trimEnd()).toMatch(notice); // once, and no "could not be saved" after it
    expect(lesson.stdout).toContain('Lesson 3');
    expect(lesson.stdout).toMatch(/Every expectation held|expectations? did not hold/);
    expect(readdirSync(home)).toEqual(['progress.json']);
  }, 120_000);
});

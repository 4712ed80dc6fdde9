// The tutor's commands from the command line, not at a terminal: list, lesson (plain), progress, reset,
// and the mistakes a user can make (one sentence, exit 2).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneSentence, runCli } from '../cli/helpers.js';
import { isAlive } from '../helpers/process.js';
import { startedPids } from '../helpers/lesson-output.js';

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** A CLI bound to its own progress directory, so that tests can run side by side. */
function tutorIn(): { home: string; tutor: (...args: string[]) => ReturnType<typeof runCli> } {
  const home = mkdtempSync(join(tmpdir(), 'hrt-commands-'));
  homes.push(home);
  return { home, tutor: (...args) => runCli(args, { HOTRESTART_TUTOR_HOME: home, LANG: 'C.UTF-8' }) };
}
const { tutor } = tutorIn();

// Each test starts the CLI (a second each, through tsx): side by side they take a few seconds, not fifteen.
describe.concurrent('tutor commands', { timeout: 20_000 }, () => {
  it('without a command and without a terminal, lists the lessons and how to play one', async () => {
    const result = await tutor();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ {2}5 {2}· not yet {5}The dup reference-count leak$/m);
    expect(result.stdout).toContain('Play one: hotrestart-tutor lesson N');
    expect(result.stdout).not.toContain('\x1b[');
  });

  it('list speaks Chinese with --lang zh, before or after the command', async () => {
    for (const args of [['--lang', 'zh', 'list'], ['list', '--lang=zh']]) {
      const result = await tutor(...args);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('第一章 · 基础与陷阱');
      expect(result.stdout).toMatch(/^ {2}5 {2}· 未开始 {6}dup 引用计数泄漏$/m);
    }
  });

  it.each([
    [['lesson', '99'], 'There is no lesson "99"; hotrestart-tutor list shows them.'],
    [['lesson'], 'Name one lesson, by number or id (hotrestart-tutor lesson 5); hotrestart-tutor list shows them.'],
    [['list', '--lang', 'fr'], 'Unknown language "fr": use --lang en or --lang zh.'],
    [['--lang', 'fr'], 'Unknown language "fr": use --lang en or --lang zh.'],
    [['reset'], 'reset erases progress and needs a confirmation: run it at a terminal, or add --yes.'],
    [['reset', 'nosuch', '--yes'], 'There is no lesson "nosuch"; hotrestart-tutor list shows them.'],
  ])('%o: one sentence, exit 2', async (args, sentence) => {
    const result = await tutor(...args);
    expect(result.exitCode).toBe(2);
    expect(expectOneSentence(result)).toBe(sentence);
  });

  it('plays lesson 5 in plain text, exits 0, records it done, and leaves no process behind', async () => {
    const { home, tutor } = tutorIn();
    const result = await tutor('lesson', '5', '--plain');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Every expectation held on this machine.');
    const pids = startedPids(result.stdout);
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.filter(isAlive)).toEqual([]);

    const saved = JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8'));
    expect(saved.lessons['dup-leak']).toMatchObject({ status: 'done', reached: 6, steps: 6, via: 'plain' });
    expect(saved.lessons['dup-leak'].held).toBe(saved.lessons['dup-leak'].checks);

    const progress = await tutor('progress');
    expect(progress.stdout).toContain(`Progress is stored in ${join(home, 'progress.json')}`);
    expect(progress.stdout).toMatch(/^1 of \d+ lessons done\.$/m);
    expect(progress.stdout).toMatch(/5 {2}✔ done {8}The dup reference-count leak {2}\(step 6\/6 · (\d+)\/\1 checks held\)/);
    expect((await tutor('list')).stdout).toMatch(/^ {2}5 {2}✔ done/m);

    const reset = await tutor('reset', '5', '--yes');
    expect(reset.exitCode).toBe(0);
    expect(reset.stdout).toBe('Erased.');
    expect((await tutor('reset', '--yes')).stdout).toBe('Nothing was recorded; nothing erased.');
  }, 40_000);

  it('says once that a corrupt progress file was set aside, and carries on', async () => {
    const { home, tutor } = tutorIn();
    writeFileSync(join(home, 'progress.json'), 'not json');
    const result = await tutor('list');
    expect(result.exitCode).toBe(0);
    expect(result.stderr.trim()).toBe(`The progress file ${join(home, 'progress.json')} could not be read; it was kept as ${join(home, 'progress.json.bak')} and progress starts afresh.`);
    expect(readFileSync(join(home, 'progress.json.bak'), 'utf8')).toBe('not json');
    expect((await tutor('list')).stderr).toBe('');
  });

  it('names the tutor commands in --help', async () => {
    const result = await tutor('--help');
    for (const name of ['list', 'lesson', 'progress', 'reset', 'fds']) expect(result.stdout).toMatch(new RegExp(`^ {2}${name} `, 'm'));
    expect(result.stdout).toContain('--lang en|zh');
  });
});

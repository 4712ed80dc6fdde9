import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectOneSentence, root, runCli } from './helpers.js';

const version = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string }).version;

describe('hotrestart-tutor', () => {
  it('lists the lessons, not the app, when run without arguments and without a terminal', async () => {
    const result = await runCli([]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ {2}5 {2}/m);
    expect(result.stdout).toMatch(/lesson/i);
  });

  it.each([['--help'], ['-h'], ['help']])('prints help for %s', async (flag) => {
    const result = await runCli([flag]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Usage: hotrestart-tutor <command>');
  });

  it.each([['fds', '--help'], ['help', 'fds']])('prints the fds help for %s %s', async (...args) => {
    const result = await runCli(args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: hotrestart-tutor fds PID\.\.\./);
  });

  it.each([['--version'], ['-V']])('prints the version for %s', async (flag) => {
    const result = await runCli([flag]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(version);
  });

  it('refuses an unknown command in one sentence, exit 2', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(expectOneSentence(result)).toBe('Unknown command "frobnicate"; run hotrestart-tutor --help to see the commands.');
  });

  it('refuses an unknown global option in one sentence, exit 2', async () => {
    const result = await runCli(['--frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(expectOneSentence(result)).toBe('Unknown option --frobnicate; see hotrestart-tutor --help.');
  });
});


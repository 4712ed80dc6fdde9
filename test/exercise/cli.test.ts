// The learner-facing exercise commands, run as a learner would: from a fresh directory, with a private
// progress file. Exit codes: 0 done/passed, 1 a check failed, 2 a usage mistake (one sentence).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { VERIFY_SCHEMA } from '../../src/exercise/report.js';

const cliPath = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
// The learner's directory is far from node_modules: tsx's loader by its absolute address.
const tsx = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const base = mkdtempSync(join(tmpdir(), 'hrt-ex-cli-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function learner(name: string) {
  const cwd = join(base, name);
  const home = join(cwd, 'state');
  mkdirSync(home, { recursive: true });
  const run = (args: string[], env: Record<string, string> = {}) =>
    execa(process.execPath, ['--import', tsx, cliPath, ...args], {
      cwd, reject: false, stdin: 'ignore', timeout: 120_000,
      env: { HOTRESTART_TUTOR_HOME: home, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env }, extendEnv: false,
    });
  const progress = () => JSON.parse(readFileSync(join(home, 'progress.json'), 'utf8'));
  return { cwd, home, run, progress };
}

describe.concurrent('exercise commands', () => {
  it('list, start (never over an existing workspace), verify --json, progress with time and version', { timeout: 120_000 }, async () => {
    const { cwd, run, progress } = learner('alice');
    const list = await run(['ex', 'list']);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/· +1 +Close the dup \(after lesson 5\)/);

    const start = await run(['exercise', 'start', '1']);
    expect(start.exitCode).toBe(0);
    const server = join(cwd, 'hotrestart-exercises', '01-close-dup', 'server.mjs');
    writeFileSync(server, `${readFileSync(server, 'utf8')}\n// mine\n`);
    const again = await run(['exercise', 'start', 'close-dup']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/already exists/);
    expect(readFileSync(server, 'utf8')).toMatch(/\/\/ mine/);

    const verify = await run(['verify', '1', '--json']);
    expect(verify.exitCode).toBe(1);
    const document = JSON.parse(verify.stdout);
    expect(document).toMatchObject({ schema: VERIFY_SCHEMA, exercise: { number: 1, id: 'close-dup' }, code: 'node', passed: false, fault: null });
    expect(document.checks.find((check: { id: string }) => check.id === 'one-fd')).toMatchObject({ status: 'fail' });
    expect(document.checks.find((check: { id: string }) => check.id === 'one-fd').evidence.join('\n')).toMatch(/LISTEN/);
    const entry = progress().exercises['close-dup'];
    expect(entry).toMatchObject({ status: 'attempted', attempts: 1, last: { passed: false, code: 'node', verifierVersion: document.verifierVersion } });
    expect(Date.parse(entry.last.at)).toBeGreaterThan(Date.now() - 120_000);

    const marked = await run(['exercise', 'list', '--lang', 'zh']);
    expect(marked.stdout).toMatch(/◐ +1 +关掉 dup 出来的 fd/);
  });

  it('usage mistakes are one sentence and exit 2', { timeout: 60_000 }, async () => {
    const { run } = learner('bob');
    for (const args of [['verify', '42'], ['verify'], ['exercise', 'start', '1', '--code', 'rust'], ['exercise', 'frob'], ['hint', 'nope']]) {
      const result = await run(args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const emptyBin = join(base, 'empty-bin');
    mkdirSync(emptyBin, { recursive: true });
    const noGo = await run(['exercise', 'start', '2', '--code', 'go'], { PATH: emptyBin });
    expect(noGo.exitCode).toBe(2);
    expect(noGo.stderr).toMatch(/apt-get install golang-go/);
  });

  it('hint one at a time; solution and reset ask first (--yes without a terminal)', { timeout: 60_000 }, async () => {
    const { cwd, run, progress } = learner('carol');
    expect((await run(['hint', '1'])).stdout).toMatch(/^Hint 1 of 3/);
    expect((await run(['hint', '1'])).stdout).toMatch(/^Hint 2 of 3/);
    expect(progress().exercises['close-dup'].hintsShown).toBe(2);

    const refused = await run(['solution', '1']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    const shown = await run(['solution', '1', '--yes', '--code', 'go']);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toMatch(/===== main\.go \(go\) =====\n\/\/ Exercise 1/);

    await run(['exercise', 'start', '1']);
    const server = join(cwd, 'hotrestart-exercises', '01-close-dup', 'server.mjs');
    writeFileSync(server, 'broken');
    expect((await run(['exercise', 'reset', '1'])).exitCode).toBe(2);
    expect(readFileSync(server, 'utf8')).toBe('broken');
    const reset = await run(['exercise', 'reset', '1', '--yes']);
    expect(reset.exitCode).toBe(0);
    expect(readFileSync(server, 'utf8')).toMatch(/TODO/);
  });

  it('verify --watch verifies again when a file changes, and q ends it', { timeout: 120_000 }, async () => {
    const { cwd, home } = learner('dave');
    const env = { HOTRESTART_TUTOR_HOME: home, PATH: process.env.PATH ?? '', HOME: cwd };
    await execa(process.execPath, ['--import', tsx, cliPath, 'exercise', 'start', '2'], { cwd, env, extendEnv: false });
    const watcher = execa(process.execPath, ['--import', tsx, cliPath, 'verify', '2', '--watch', '--json'], { cwd, env, extendEnv: false, reject: false, stdin: 'pipe', timeout: 100_000 });
    const documents: Array<{ passed: boolean }> = [];
    let buffer = '';
    watcher.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let at = buffer.indexOf('\n'); at !== -1; at = buffer.indexOf('\n')) {
        documents.push(JSON.parse(buffer.slice(0, at)));
        buffer = buffer.slice(at + 1);
      }
    });
    const until = async (n: number) => {
      for (let i = 0; i < 600 && documents.length < n; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    };
    await until(1);
    expect(documents[0]?.passed).toBe(false);
    // The learner saves the fix: the reference solution.
    const workspace = join(cwd, 'hotrestart-exercises', '02-keep-nonblocking');
    const solution = readFileSync(new URL('../../exercises/02-keep-nonblocking/node/solution/server.mjs', import.meta.url), 'utf8');
    writeFileSync(join(workspace, 'server.mjs'), solution);
    await until(2);
    expect(documents[1]?.passed).toBe(true);
    watcher.stdin!.write('q');
    const ended = await watcher;
    expect(ended.exitCode).toBe(0);
  });

  it('class status: a table of learners, one line for a missing or unreadable file', { timeout: 60_000 }, async () => {
    const { run, home } = learner('teacher');
    writeFileSync(join(home, 'progress.json'), JSON.stringify({ schema: 'hotrestart-tutor/progress', version: 1, lessons: {}, exercises: { 'close-dup': { status: 'passed', attempts: 2, last: { at: '2026-01-01T00:00:00.000Z', passed: true, code: 'go', failed: [], fault: null, verifierVersion: '0.1.0', durationMs: 1 }, passedAt: null, hintsShown: 0, solutionShown: false } } }));
    const broken = join(base, 'broken-home');
    mkdirSync(join(broken, '.local', 'state', 'hotrestart-tutor', 'progress.json'), { recursive: true }); // a directory where the file should be
    const table = await run(['class', 'status', home, join(base, 'nobody'), broken]);
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^learner +01 02 03/);
    expect(lines[1]).toMatch(/^state +✔ +· +·/);
    expect(lines[2]).toMatch(/^nobody: no progress file at/);
    expect(lines[3]).toMatch(/^broken-home: cannot read .* \(EISDIR\)\.$/);
    const json = JSON.parse((await run(['class', 'status', home, '--json'])).stdout);
    expect(json.schema).toBe('hotrestart-tutor/class@1');
    expect(json.learners[0].exercises['close-dup']).toMatchObject({ status: 'passed', code: 'go' });
  });
});

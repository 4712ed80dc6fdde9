// nginx overwrites its environment with its process title, so the run marker is gone from every nginx
// process; the run counts them by their cwd (the run's private directory) instead. Checked here: a
// process whose cwd is under the run's directory belongs to the run, one elsewhere does not; and after a
// SIGKILLed tutor the warden ends a real nginx's masters and workers, the one USR2 started included.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeCommand } from '../../src/demo/entry.js';
import { hasTerminal, inRunDir, isAlive, isOfRun, markedPids } from '../../src/demo/marker.js';
import { parentOf } from '../../src/lesson/procview.js';
import { findNginx } from '../../src/lesson/nginx.js';
import { cleanEnv, cliPath, root } from '../cli/helpers.js';
import { pidsWorkingIn } from '../helpers/leftovers.js';
import { waitFor } from '../helpers/wait.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('a process counts as the run\'s by its cwd', () => {
  it('in the run directory or under it, not elsewhere, with no marker in its environment, and not with a terminal', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hrt-cwd-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const runId = 'abc123def456';
    const inside = join(root, `hotrestart-tutor-${runId}`, 'nginx');
    const lookalike = join(root, `hotrestart-tutor-${runId}0`);
    mkdirSync(inside, { recursive: true });
    mkdirSync(lookalike);
    const start = (cwd: string) => {
      // detached: no controlling terminal, like every process a puppet starts
      const child = spawn('sleep', ['30'], { cwd, stdio: 'ignore', detached: true, env: { PATH: process.env.PATH } });
      cleanups.push(() => child.kill('SIGKILL'));
      return child.pid!;
    };
    const [a, b, c] = [start(inside), start(lookalike), start(root)];
    expect([a, b, c].map((pid) => isOfRun(pid, runId))).toEqual([true, false, false]);
    expect(markedPids(runId)).toEqual([a]);

    // A process with a controlling terminal (here under script(1), which gives its child a pty) is a
    // person's, who cd'd into the directory: never the run's, whatever its cwd.
    if (!existsSync('/usr/bin/script')) return console.log('nginx-cleanup: no script(1), the terminal case is not checked');
    const script = spawn('/usr/bin/script', ['-qfc', 'sleep 30', '/dev/null'], { cwd: inside, stdio: 'ignore', detached: true, env: { PATH: process.env.PATH } });
    cleanups.push(() => process.kill(-script.pid!, 'SIGKILL'));
    const child = await waitFor(() => readdirSync('/proc').map(Number).find((pid) => pid > 0 && parentOf(pid) === script.pid && hasTerminal(pid)), { message: 'the sleep under script(1), with its terminal' });
    expect(inRunDir(child, runId)).toBe(true);
    expect(isOfRun(child, runId)).toBe(false);
  });
});

const nginx = findNginx();
describe.skipIf(nginx?.kind !== 'nginx')('a SIGKILLed tutor leaves no nginx behind', () => {
  it('the warden ends both masters and every worker, none of which carries the marker', async () => {
    const { file, args } = nodeCommand(new URL('./fixtures/nginx-tutor.ts', import.meta.url).href);
    const tutor = execa(file, [...args], { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false });
    cleanups.push(() => tutor.kill('SIGKILL'));
    let output = '';
    let errors = '';
    tutor.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    tutor.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const line = await waitFor(() => (output.includes('\n') ? output.split('\n')[0] : undefined), { timeout: 20_000, message: `the fixture to report\n${errors}` });
    const info = JSON.parse(line) as { runId: string; dir: string; wardenPid: number; nginx: number[]; listed: number[] };
    cleanups.push(() => info.nginx.forEach((pid) => isAlive(pid) && process.kill(pid, 'SIGKILL')));
    expect(info.nginx).toHaveLength(6);
    // The supervisor lists them (so the fd tables show them), though the marker is gone from each.
    expect(info.listed).toEqual(expect.arrayContaining(info.nginx));
    for (const pid of info.nginx) expect(readFileSync(`/proc/${pid}/environ`, 'latin1')).not.toContain(info.runId);
    tutor.kill('SIGKILL');
    await waitFor(() => info.nginx.every((pid) => !isAlive(pid)) && !isAlive(info.wardenPid), { timeout: 3000, message: 'every nginx process and the warden to be gone' });
  }, 40_000);
});

describe.skipIf(nginx?.kind !== 'nginx')('a SIGKILLed lesson 14 leaves no nginx behind', () => {
  it('killed mid-lesson, while nginx serves its load: no process works in its directory afterwards', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hrt-nginx-'));
    cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
    const lesson = execa(process.execPath, ['--import', 'tsx', cliPath, 'lesson', '14', '--plain'], {
      cwd: root, stdin: 'ignore', stdout: 'pipe', stderr: 'ignore', buffer: false, reject: false, env: cleanEnv({ TMPDIR: tmp }),
    });
    cleanups.push(() => lesson.kill('SIGKILL'));
    let output = '';
    lesson.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Step 2 is under way: the load runs and USR2 was sent, so two masters (or about to be) and their workers.
    await waitFor(() => output.includes('kill -USR2'), { timeout: 30_000, message: 'lesson 14 to send USR2' });
    const running = pidsWorkingIn(tmp);
    cleanups.push(() => running.forEach((pid) => isAlive(pid) && process.kill(pid, 'SIGKILL')));
    // nginx's own title: "nginx: master process ..." and "nginx: worker process".
    expect(running.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('nginx: ')).length).toBeGreaterThanOrEqual(3);
    lesson.kill('SIGKILL');
    await waitFor(() => pidsWorkingIn(tmp).length === 0, { timeout: 3000, message: `no process of the lesson left in ${tmp}` });
  }, 60_000);
});

if (nginx?.kind !== 'nginx') console.log('nginx-cleanup: no nginx installed, the SIGKILL test is skipped (apt-get install nginx-light)');

// mini-nginx, the stand-in lessons 14 and 15 run where nginx is not installed, checked against what the
// kernel shows: one listening description shared by every master and worker at fd 3, nginx's binary
// upgrade (USR2, WINCH, QUIT) and its rollback (HUP the old master, QUIT the new one) under a loopback load
// with nothing failed, the pid files at each phase, a HUP reload, a broken config, and nothing left behind.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killMarkedSync, markedPids } from '../../src/demo/marker.js';
import { RUN_MARKER } from '../../src/demo/sweep.mjs';
import { LOST_AFTER_MS, startLoad, type Load } from '../../src/lesson/load.js';
import * as sys from '../../src/sys/index.js';
import { isAlive } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { fdFlags, fdTarget, O_CLOEXEC } from './procfs.js';
import { bindLoopback, drainSequence, EXPECTED_DRAIN, expectedPhases, expectedReload, get, listeningFdOf, logLines, miniCommand, miniConf, pidIn, pidsWithCwd, readText, sameDescription, reloadSequence, startInherited, upgradeSequence, workersOf } from './mini-nginx-harness.js';

const runId = randomBytes(6).toString('hex');
const dirs: string[] = [];
/** A Node process under tsx takes a while to start on a busy machine. */
const START_MS = 20_000;

afterAll(() => {
  killMarkedSync(runId);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Waits until `master` has `n` workers that listen (they answer only once ready; their titles say so first). */
async function workersUp(master: number, n = 2): Promise<number[]> {
  return waitFor(() => workersOf(master).length === n && workersOf(master), { timeout: START_MS, message: `${n} workers of ${master}` });
}

async function gone(pid: number): Promise<void> {
  await waitFor(() => !isAlive(pid), { timeout: START_MS, message: `process ${pid} to end` });
}

/** Waits for `more` answers of the load beyond those it has. */
async function moreAnswers(load: Load, more = 20): Promise<void> {
  const target = load.stats().ok + more;
  await waitFor(() => load.stats().ok >= target, { timeout: 5000, message: `${more} more answers` });
}

const NGINX = '/usr/sbin/nginx';
if (!existsSync(NGINX)) console.log(`mini-nginx parity test skipped: ${NGINX} is not installed (apt-get install nginx-light)`);

const signal = (pid: number, name: NodeJS.Signals) => process.kill(pid, name);

describe('mini-nginx (lessons/servers/mini-nginx.ts)', () => {
  it('inherits the socket at fd 3 (one description in master and workers), answers with x-pid, reloads on HUP with the same socket, respawns a killed worker', async () => {
    const started = await startInherited(runId, 'before');
    const { dir, port, master, confPath } = started;
    dirs.push(dir);
    const before = await workersUp(master);
    expect(logLines(dir, 'using inherited sockets from "3;"')).toHaveLength(1);
    const everyone = [master, ...before];
    expect(fdTarget(master, 3)).toMatch(/^socket:\[\d+\]$/);
    expect(sameDescription(3, everyone)).toBe(true);
    // No FD_CLOEXEC anywhere, as in nginx: the socket crosses the exec of a new binary.
    for (const pid of everyone) expect(fdFlags(pid, 3) & O_CLOEXEC).toBe(0);
    expect(readText(`/proc/${master}/cmdline`)).toMatch(/^mini-nginx: master process /);
    const answer = await get(port);
    expect(answer).toMatchObject({ status: 200, body: 'before', server: 'mini-nginx' });
    expect(before).toContain(answer.pid);
    // Each process keeps the run marker, so the tutor's warden can end it.
    for (const pid of everyone) expect(markedPids(runId)).toContain(pid);

    // HUP with a new text, HUP with a broken config, a worker killed: what nginx shows (see the parity test).
    expect(await reloadSequence(started, 2, START_MS)).toEqual(expectedReload(2, confPath));

    signal(master, 'SIGQUIT');
    for (const pid of [master, ...workersOf(master)]) await gone(pid);
    expect(existsSync(join(dir, 'nginx.pid'))).toBe(false);
  }, 60_000);

  it('upgrades (USR2, WINCH, QUIT) and rolls back (HUP old, QUIT new) as nginx does, under load with nothing failed', async () => {
    const started = await startInherited(runId, 'up');
    dirs.push(started.dir);
    const seen = new Set<number>();
    const load = startLoad({ port: started.port, concurrency: 3, pauseMs: 5, requestTimeoutMs: LOST_AFTER_MS, maxRequests: 50_000, maxDurationMs: 60_000, countHeader: 'x-pid' });
    try {
      const { phases, generations } = await upgradeSequence(started, 2, () => moreAnswers(load), START_MS, seen);
      expect(phases).toEqual(expectedPhases(2));
      const stats = await load.stop();
      expect(stats).toMatchObject({ failed: 0, refused: 0, reset: 0, timeout: 0 });
      // Every generation of workers answered: master1's, master2's, master1's after the HUP, master3's.
      expect(generations).toHaveLength(4);
      for (const generation of generations) expect(generation.some((pid) => (stats.byHeader[String(pid)] ?? 0) > 0)).toBe(true);
      // Each new master found the socket through NGINX, as nginx's new binary does.
      expect(logLines(started.dir, 'using inherited sockets from "3;"')).toHaveLength(3);
      const last = pidIn(started.dir, 'nginx.pid')!;
      const lastWorkers = workersOf(last);
      signal(last, 'SIGQUIT');
      for (const pid of [last, ...lastWorkers]) await gone(pid);
      expect(existsSync(join(started.dir, 'nginx.pid'))).toBe(false);
    } finally {
      await load.stop();
      // A failure above must not leave its processes to the last test of this file.
      for (const pid of seen) if (isAlive(pid)) signal(pid, 'SIGKILL');
    }
  }, 120_000);

  it('on HUP an old worker waits for the connection it holds (idle or mid-request), answers it with Connection: close, then leaves', async () => {
    const started = await startInherited(runId, 'drain', undefined, 1);
    dirs.push(started.dir);
    expect(await drainSequence(started, START_MS)).toEqual(EXPECTED_DRAIN);
    signal(started.master, 'SIGQUIT');
    await gone(started.master);
  }, 60_000);

  it.skipIf(!existsSync(NGINX))('shows the same phases as the real nginx: upgrade, rollback, reload, drain (parity)', async () => {
    const nginx = (dir: string) => [NGINX, '-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
    const started = await startInherited(runId, 'up', nginx);
    dirs.push(started.dir);
    const seen = new Set<number>();
    const load = startLoad({ port: started.port, concurrency: 3, pauseMs: 5, requestTimeoutMs: LOST_AFTER_MS, maxRequests: 50_000, maxDurationMs: 60_000, countHeader: 'x-pid' });
    try {
      const { phases } = await upgradeSequence(started, 2, () => moreAnswers(load), START_MS, seen);
      expect(phases).toEqual(expectedPhases(2));
      expect(await load.stop()).toMatchObject({ failed: 0 });
      const last = pidIn(started.dir, 'nginx.pid')!;
      expect(await reloadSequence({ ...started, master: last }, 2, START_MS, seen)).toEqual(expectedReload(2, started.confPath));
      const one = await startInherited(runId, 'drain', nginx, 1);
      dirs.push(one.dir);
      try {
        expect(await drainSequence(one, START_MS, seen)).toEqual(EXPECTED_DRAIN);
      } finally {
        for (const pid of new Set([one.master, ...seen, ...pidsWithCwd(one.dir)])) if (isAlive(pid)) signal(pid, 'SIGKILL');
      }
    } finally {
      await load.stop();
      // nginx's processes lose the run marker (its process title overwrites the environment): they are
      // found by their working directory instead.
      for (const pid of new Set([...seen, ...pidsWithCwd(started.dir)])) if (isAlive(pid)) signal(pid, 'SIGKILL');
      await waitFor(() => pidsWithCwd(started.dir).length === 0, { timeout: 5000, message: 'no nginx process left' });
    }
  }, 120_000);

  it('without NGINX binds the listen address itself, shared at one fd number; like nginx with daemon off it takes no USR2 from a live starter, and no WINCH; TERM ends it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mini-nginx-'));
    dirs.push(dir);
    const probe = bindLoopback(); // a port free a moment ago
    sys.close(probe.fd);
    writeFileSync(join(dir, 'nginx.conf'), miniConf({ dir, port: probe.port, text: 'own' }));
    const [file, ...args] = miniCommand(dir);
    const child = spawn(file, args, { cwd: dir, stdio: 'ignore', env: { ...process.env, [RUN_MARKER]: runId } });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const master = await waitFor(() => pidIn(dir, 'nginx.pid'), { timeout: START_MS, message: 'the pid file' });
    expect(master).toBe(child.pid);
    const workers = await workersUp(master);
    const fd = listeningFdOf(master, probe.port);
    expect(fd).toBeGreaterThan(2);
    for (const pid of workers) expect(listeningFdOf(pid, probe.port)).toBe(fd);
    expect(sameDescription(fd!, [master, ...workers])).toBe(true);
    expect(logLines(dir, 'using inherited sockets')).toEqual([]);
    expect((await get(probe.port)).body).toBe('own');

    signal(master, 'SIGUSR2');
    signal(master, 'SIGWINCH');
    await waitFor(() => logLines(dir, 'signal 28 (SIGWINCH) received').length === 1, { timeout: 5000, message: 'the WINCH line' });
    expect(logLines(dir, 'signal 12 (SIGUSR2) received, ignoring')).toHaveLength(1);
    expect(logLines(dir, 'the changing binary signal is ignored')).toHaveLength(1);
    expect(logLines(dir, 'signal 28 (SIGWINCH) received')[0]).toMatch(/received$/);
    expect(existsSync(join(dir, 'nginx.pid.oldbin'))).toBe(false);
    expect(workersOf(master)).toEqual(workers);

    // TERM: the fast way out, workers told to exit at once.
    signal(master, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(logLines(dir, 'signal 15 (SIGTERM) received, exiting')).toHaveLength(1);
    for (const pid of workers) await gone(pid);
    expect(existsSync(join(dir, 'nginx.pid'))).toBe(false);
  }, 60_000);

  it('refuses a broken config with one line and exit code 1, leaving nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mini-nginx-'));
    dirs.push(dir);
    const confPath = join(dir, 'nginx.conf');
    writeFileSync(confPath, miniConf({ dir, port: 1, text: 'x', extra: 'foo bar;' }));
    const [file, ...args] = miniCommand(dir);
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, [RUN_MARKER]: runId } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(`mini-nginx: [emerg] unknown directive "foo" in ${confPath}:9\n`);
    const log = readText(join(dir, 'error.log')).trim().split('\n');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[emerg\] \d+#\d+: unknown directive "foo" in .*nginx\.conf:9$/);
    expect(existsSync(join(dir, 'nginx.pid'))).toBe(false);
  }, 30_000);

  it('leaves no process of the run behind', async () => {
    await waitFor(() => markedPids(runId).length === 0, { timeout: 5000, message: 'no marked process' });
  });
});

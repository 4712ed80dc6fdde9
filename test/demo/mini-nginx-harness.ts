// Starting mini-nginx (lessons/servers/mini-nginx.ts) the way lesson 14 starts nginx, and reading what the
// kernel shows about its processes, for the tests. A socket bound here to 127.0.0.1:0 is handed over at fd 3
// with NGINX="3;"; a shell starts the program in the background, waits for its pid file and exits, so the
// master is no longer its starter's child (nginx ignores USR2 until then). Every process carries the run
// marker of `runId`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCommand } from '../../src/demo/entry.js';
import { RUN_MARKER } from '../../src/demo/sweep.mjs';
import { nginxConf } from '../../src/lesson/nginx.js';
import * as sys from '../../src/sys/index.js';
import { isAlive } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

export const MINI_NGINX_URL = new URL('../../lessons/servers/mini-nginx.ts', import.meta.url).href;

export interface ConfOptions {
  dir: string;
  port: number;
  text: string;
  workers?: number;
  /** Extra lines in the server block (a bad directive, for instance). */
  extra?: string;
}

/** The config lessons 14 and 15 write (src/lesson/nginx.ts), two workers unless told otherwise. */
export function miniConf(o: ConfOptions): string {
  return nginxConf({ ...o, workers: o.workers ?? 2 });
}

export interface Started {
  dir: string;
  port: number;
  master: number;
  confPath: string;
}

/** Pids whose working directory is dir: nginx overwrites its environment (the run marker with it), but
 *  each of its processes keeps the directory it was started in. */
export function pidsWithCwd(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) === dir) pids.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** A listening socket on 127.0.0.1:0 made by hand (no FD_CLOEXEC, as a tutor's puppet hands one over). */
export function bindLoopback(): { fd: number; port: number } {
  const fd = sys.socket(sys.AF_INET, sys.SOCK_STREAM);
  sys.bind(fd, { family: 'inet', address: '127.0.0.1', port: 0 });
  sys.listen(fd, 511);
  return { fd, port: (sys.getsockname(fd) as { port: number }).port };
}

/** The command line, as lesson 14 runs either program: PROGRAM -p DIR/ -c CONF -e ERRLOG. */
export function miniCommand(dir: string): string[] {
  const { file, args } = nodeCommand(MINI_NGINX_URL);
  return [file, ...args, '-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
}

/** Starts mini-nginx (or, with `command`, another program taking nginx's options: nginx itself) on a socket
 *  handed over at fd 3. Resolves once the pid file names a master whose starter has exited. */
export async function startInherited(runId: string, text: string, command?: (dir: string) => string[], workers = 2): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'mini-nginx-'));
  const { fd, port } = bindLoopback();
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, miniConf({ dir, port, text, workers }));
  const pidPath = join(dir, 'nginx.pid');
  const script = `"$@" >/dev/null 2>&1 & i=0; while [ ! -s "${pidPath}" ] && [ $i -lt 750 ]; do sleep 0.02; i=$((i+1)); done`;
  const shell = spawn('/bin/sh', ['-c', script, 'sh', ...(command ?? miniCommand)(dir)], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'ignore', fd],
    env: { ...process.env, NGINX: '3;', [RUN_MARKER]: runId },
  });
  await new Promise((resolve) => shell.once('exit', resolve));
  // From now on only the started program holds the socket.
  sys.close(fd);
  const master = pidIn(dir, 'nginx.pid');
  if (!master) throw new Error(`no master wrote ${pidPath}: ${readText(join(dir, 'error.log'))}`);
  return { dir, port, master, confPath };
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The pid in a pid file of dir, if the file exists and the process lives. */
export function pidIn(dir: string, name: 'nginx.pid' | 'nginx.pid.oldbin'): number | undefined {
  const pid = Number(readText(join(dir, name)).trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

export function parentOf(pid: number): number {
  const stat = readText(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

export function cmdline(pid: number): string {
  return readText(`/proc/${pid}/cmdline`).replace(/\0+/g, ' ').trim();
}

/** Live children of `master` that are workers by their title (`mini-nginx: worker process`, `nginx: worker process`). */
export function workersOf(master: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || parentOf(pid) !== master || !isAlive(pid)) continue;
    if (/^(mini-)?nginx: worker process/.test(cmdline(pid))) pids.push(pid);
  }
  return pids.sort((a, b) => a - b);
}

/** True when fd of pid and fd of each other pid are one open file description (kcmp). */
export function sameDescription(fd: number, pids: number[]): boolean {
  return pids.every((pid) => sys.kcmpFile(pids[0], fd, pid, fd) === 0);
}

/** Log lines of dir's error.log that contain `text`. */
export function logLines(dir: string, text: string): string[] {
  return readText(join(dir, 'error.log')).split('\n').filter((line) => line.includes(text));
}

/** One GET / on its own connection. */
export function get(port: number): Promise<{ status: number; body: string; pid: number; server: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, pid: Number(res.headers['x-pid']), server: String(res.headers.server) }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 3 s')));
    req.on('error', reject);
  });
}

/** What can be seen of an nginx (or the stand-in) after each step of the upgrade sequence. Masters are
 *  named by order of appearance (master1, master2, ...), so two runs compare equal. */
export interface Phase {
  step: string;
  /** The master named in nginx.pid and nginx.pid.oldbin (null: no such file, or a dead pid). */
  pid: string | null;
  oldbin: string | null;
  /** Live masters with their number of workers. */
  workers: Record<string, number>;
  /** Every live master and worker holds fd 3, all one open file description. */
  shared: boolean;
  /** No FD_CLOEXEC on any of those fd 3s (fdinfo flags). */
  inheritable: boolean;
  /** Each master's fd 2 is error.log, one description with its workers' fd 2 (nginx points stderr at its log). */
  stderrLog: boolean;
}

export interface SequenceResult {
  phases: Phase[];
  /** Every master and worker pid seen, to end them whatever happens. */
  seen: Set<number>;
  /** Pids of the workers of each generation, in order of appearance. */
  generations: number[][];
}

const O_CLOEXEC = 0o2000000;

function fdFlagsOf(pid: number, fd: number): number {
  const match = /^flags:\s+([0-7]+)$/m.exec(readText(`/proc/${pid}/fdinfo/${fd}`));
  return match ? parseInt(match[1], 8) : -1;
}

/**
 * nginx's binary upgrade and its rollback, then the upgrade again taken to its end, on a running master.
 * Each step waits for what the kernel shows (pid files, processes), never for a fixed time. `onStep` runs
 * after every step (the caller waits there for more answers from its load).
 */
export async function upgradeSequence(started: Started, workers: number, onStep: () => Promise<void>, timeoutMs: number, seen = new Set<number>()): Promise<SequenceResult> {
  const { dir } = started;
  const masters: number[] = [started.master];
  seen.add(started.master);
  const generations: number[][] = [];
  const phases: Phase[] = [];
  const name = (pid: number | undefined) => (pid === undefined ? null : `master${masters.indexOf(pid) + 1}`);
  const until = <T>(fn: () => T, message: string) => waitFor(fn, { timeout: timeoutMs, message });
  const workersUp = async (master: number) => {
    const pids = await until(() => workersOf(master).length === workers && workersOf(master), `${workers} workers of ${master}`);
    for (const pid of pids) seen.add(pid);
    generations.push(pids);
    return pids;
  };
  const gone = (pids: number[]) => until(() => pids.every((pid) => !isAlive(pid)), `${pids.join(', ')} to end`);
  const observe = async (step: string) => {
    const live = masters.filter(isAlive);
    const everyone = live.flatMap((m) => [m, ...workersOf(m)]);
    phases.push({
      step,
      pid: name(pidIn(dir, 'nginx.pid')),
      oldbin: name(pidIn(dir, 'nginx.pid.oldbin')),
      workers: Object.fromEntries(live.map((m) => [name(m), workersOf(m).length])),
      shared: everyone.length > 0 && sameDescription(3, everyone),
      inheritable: everyone.every((pid) => (fdFlagsOf(pid, 3) & O_CLOEXEC) === 0),
      stderrLog: live.every((m) => {
        const family = [m, ...workersOf(m)];
        return family.every((pid) => readlinkSync(`/proc/${pid}/fd/2`) === join(dir, 'error.log')) && sameDescription(2, family);
      }),
    });
    await onStep();
  };
  const newMaster = async (old: number) => {
    const pid = await until(() => {
      const now = pidIn(dir, 'nginx.pid');
      return now !== undefined && !masters.includes(now) && now;
    }, 'a new master in nginx.pid');
    masters.push(pid);
    seen.add(pid);
    if (parentOf(pid) !== old) throw new Error(`the new master ${pid} is not a child of ${old}`);
    return pid;
  };

  const [first] = masters;
  const firstWorkers = await workersUp(first);
  await observe('started');

  process.kill(first, 'SIGUSR2');
  const second = await newMaster(first);
  const secondWorkers = await workersUp(second);
  await observe('USR2 to master1');

  process.kill(second, 'SIGUSR2');
  process.kill(first, 'SIGUSR2');
  await until(() => [first, second].every((pid) => logLines(dir, `${pid}#`).some((line) => line.includes('the changing binary signal is ignored'))), 'both [crit] lines');
  await observe('USR2 to both: refused');

  process.kill(first, 'SIGWINCH');
  await gone(firstWorkers);
  await observe('WINCH to master1');

  process.kill(first, 'SIGHUP');
  const thirdWorkers = await workersUp(first);
  await observe('HUP to master1 (rollback)');

  process.kill(second, 'SIGQUIT');
  await gone([second, ...secondWorkers]);
  await until(() => pidIn(dir, 'nginx.pid') === first, 'nginx.pid back to master1');
  await observe('QUIT to master2');

  process.kill(first, 'SIGUSR2');
  const third = await newMaster(first);
  await workersUp(third);
  await observe('USR2 to master1 again');

  process.kill(first, 'SIGWINCH');
  await gone(thirdWorkers);
  process.kill(first, 'SIGQUIT');
  await gone([first]);
  await observe('WINCH, QUIT to master1');
  return { phases, seen, generations };
}

/** The phases nginx 1.22 shows for upgradeSequence (seen on this machine; the parity test checks it again). */
export function expectedPhases(workers: number): Phase[] {
  const shared = { shared: true, inheritable: true, stderrLog: true };
  return [
    { step: 'started', pid: 'master1', oldbin: null, workers: { master1: workers }, ...shared },
    { step: 'USR2 to master1', pid: 'master2', oldbin: 'master1', workers: { master1: workers, master2: workers }, ...shared },
    { step: 'USR2 to both: refused', pid: 'master2', oldbin: 'master1', workers: { master1: workers, master2: workers }, ...shared },
    { step: 'WINCH to master1', pid: 'master2', oldbin: 'master1', workers: { master1: 0, master2: workers }, ...shared },
    { step: 'HUP to master1 (rollback)', pid: 'master2', oldbin: 'master1', workers: { master1: workers, master2: workers }, ...shared },
    { step: 'QUIT to master2', pid: 'master1', oldbin: null, workers: { master1: workers }, ...shared },
    { step: 'USR2 to master1 again', pid: 'master3', oldbin: 'master1', workers: { master1: workers, master3: workers }, ...shared },
    { step: 'WINCH, QUIT to master1', pid: 'master3', oldbin: null, workers: { master3: workers }, ...shared },
  ];
}

/** The fd at which pid holds the socket listening on 127.0.0.1:port, from /proc/net/tcp and /proc/PID/fd. */
export function listeningFdOf(pid: number, port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const line of readText('/proc/net/tcp').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === `0100007F:${hexPort}` && fields[3] === '0A') inodes.add(fields[9]);
  }
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match && inodes.has(match[1])) return Number(fd);
    } catch {
      // closed meanwhile
    }
  }
  return undefined;
}

/** What a reload shows: after HUP with a new text, after HUP with a broken config, after a worker's SIGKILL. */
export interface ReloadPhase {
  step: string;
  body: string;
  /** The master is the one that started, nginx.pid names it. */
  sameMaster: boolean;
  /** The master's fd 3 is the socket it started with. */
  sameSocket: boolean;
  workers: number;
  /** Workers that were there before this step and still are. */
  kept: number;
  shared: boolean;
  /** The new error log lines of this step that carry `[emerg]` or `[alert]`, time and pids masked. */
  problems: string[];
}

/**
 * HUP with a new text (new workers, old ones gone, same master and socket), HUP with a broken config (an
 * [emerg] line, nothing else changes), a worker killed (nginx's [alert] line, a new worker in its place).
 */
export async function reloadSequence(started: Started, workers: number, timeoutMs: number, seen = new Set<number>()): Promise<ReloadPhase[]> {
  const { dir, port, master, confPath } = started;
  const until = <T>(fn: () => T | Promise<T>, message: string) => waitFor(fn, { timeout: timeoutMs, message });
  const socket = readlinkSync(`/proc/${master}/fd/3`);
  const phases: ReloadPhase[] = [];
  let logSeen = logLines(dir, '').length;
  let before = await until(() => workersOf(master).length === workers && workersOf(master), 'the workers');
  const observe = async (step: string) => {
    const now = workersOf(master);
    for (const pid of now) seen.add(pid);
    const lines = logLines(dir, '');
    const problems = lines.slice(logSeen).filter((line) => /\[(emerg|alert)\]/.test(line));
    logSeen = lines.length;
    phases.push({
      step,
      body: (await get(port)).body,
      sameMaster: pidIn(dir, 'nginx.pid') === master,
      sameSocket: readlinkSync(`/proc/${master}/fd/3`) === socket,
      workers: now.length,
      kept: now.filter((pid) => before.includes(pid)).length,
      shared: sameDescription(3, [master, ...now]),
      problems: problems.map((line) => line.replace(/^.*?\[(\w+)\] \d+#\d+: /, '[$1] ').replace(/\d+/g, 'N')),
    });
    before = now;
  };

  writeFileSync(confPath, miniConf({ dir, port, text: 'after', workers }));
  process.kill(master, 'SIGHUP');
  await until(() => workersOf(master).length === workers && workersOf(master).every((pid) => !before.includes(pid)), 'new workers only');
  await observe('HUP, new text');

  writeFileSync(confPath, miniConf({ dir, port, text: 'broken', workers, extra: 'frobnicate on;' }));
  process.kill(master, 'SIGHUP');
  await until(() => logLines(dir, 'unknown directive "frobnicate"').length === 1, 'the [emerg] line');
  await observe('HUP, broken config');

  const victim = before[0];
  process.kill(victim, 'SIGKILL');
  await until(() => !isAlive(victim) && workersOf(master).length === workers, 'a worker in place of the killed one');
  await observe('SIGKILL to a worker');
  return phases;
}

export function expectedReload(workers: number, confPath: string): ReloadPhase[] {
  const same = { body: 'after', sameMaster: true, sameSocket: true, workers, shared: true };
  const conf = confPath.replace(/\d+/g, 'N');
  return [
    { step: 'HUP, new text', ...same, kept: 0, problems: [] },
    { step: 'HUP, broken config', ...same, kept: workers, problems: [`[emerg] unknown directive "frobnicate" in ${conf}:N`] },
    { step: 'SIGKILL to a worker', ...same, kept: workers - 1, problems: ['[alert] worker process N exited on signal N'] },
  ];
}

/** What became of a connection an old worker had accepted when HUP told it to leave. */
export interface DrainCase {
  connection: 'idle' | 'mid-request';
  /** The old worker was still there, shutting down, when the request was completed. */
  workerWaited: boolean;
  status: string;
  /** The answer said `Connection: close`: the client's next request goes to a new worker. */
  connectionClose: boolean;
  /** The old worker exited once the connection was done. */
  workerLeft: boolean;
}

/**
 * HUP with one worker while a connection is open on it: idle (connected, nothing sent) and mid-request
 * (headers begun, not ended). The old worker must wait for it, answer it, then leave.
 */
export async function drainSequence(started: Started, timeoutMs: number, seen = new Set<number>()): Promise<DrainCase[]> {
  const { port, master } = started;
  const until = <T>(fn: () => T, message: string) => waitFor(fn, { timeout: timeoutMs, message });
  const cases: DrainCase[] = [];
  for (const connection of ['idle', 'mid-request'] as const) {
    const [old] = await until(() => workersOf(master).length === 1 && workersOf(master), 'one worker');
    seen.add(old);
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {});
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    // The old (only) worker has taken the connection once the accept queue is empty, and has read the
    // begun request once the server side's receive queue is.
    await until(() => tcpQueue(port, 0) === 0, 'the worker to accept');
    if (connection === 'mid-request') {
      socket.write('GET / HTTP/1.1\r\nHost: a\r\n');
      await until(() => tcpQueue(port, socket.localPort!) === 0, 'the worker to read the begun request');
    }
    process.kill(master, 'SIGHUP');
    await until(() => / is shutting down/.test(cmdline(old)) || !isAlive(old), 'the old worker shutting down');
    const workerWaited = isAlive(old);
    socket.write(connection === 'mid-request' ? '\r\n' : 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    socket.destroy();
    const workerLeft = await waitFor(() => !isAlive(old), { timeout: timeoutMs, message: 'the old worker to leave' }).catch(() => false);
    cases.push({ connection, workerWaited, status: answer.split('\r\n')[0] || '(nothing)', connectionClose: /\r\nconnection: close\r\n/i.test(answer), workerLeft });
  }
  return cases;
}

/** The receive queue of the TCP socket on 127.0.0.1:port whose peer port is peerPort (0: the listening
 *  socket, whose receive queue is its accept queue), from /proc/net/tcp; undefined when there is none. */
export function tcpQueue(port: number, peerPort: number): number | undefined {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readText('/proc/net/tcp').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === `0100007F:${hex(port)}` && fields[2].endsWith(`:${hex(peerPort)}`)) return parseInt(fields[4].split(':')[1], 16);
  }
  return undefined;
}

export const EXPECTED_DRAIN: DrainCase[] = (['idle', 'mid-request'] as const).map((connection) => ({
  connection,
  workerWaited: true,
  status: 'HTTP/1.1 200 OK',
  connectionClose: true,
  workerLeft: true,
}));

// Running the fixture server for the restart tests and the lab: every generation lives in one process
// group (the first is started detached, successors stay in its group), so a single SIGKILL to the group
// ends them all, and /proc tells whether any member is left.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import { nodeCommand } from '../../src/demo/entry.js';
import { readPidFile } from '../../packages/restart/src/pidfile.js';
import { EXEC_WITH_LISTEN_PID, SHELL } from '../../packages/restart/src/spawn.js';

export const FIXTURE_URL = new URL('./fixtures/server.ts', import.meta.url).href;

export interface GenerationReport {
  pid: number;
  generation: number;
  port: number;
  listeners: Array<{ name: string; kind: string; fd: number; address: string; inherited: boolean }>;
}

export interface Fixture {
  child: ChildProcess;
  /** The process group of every generation. */
  pgid: number;
  reports: GenerationReport[];
  /** Everything the generations wrote to stderr (the module's log lines). */
  log(): string;
  waitForReport(generation: number, timeoutMs?: number): Promise<GenerationReport>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL to the whole group, then waits until /proc shows no member. */
  kill(): Promise<void>;
}

const live = new Set<Fixture>();

export interface StartOptions {
  /** Extra fds for the first generation's 3, 4, ... */
  fds?: number[];
  /** Start it through the shell that sets LISTEN_PID to its own pid, as the module starts successors. */
  withListenPid?: boolean;
  moduleUrl?: string;
  /** A command line to run the fixture's own command under (unshare, hotrestart-run, systemd-socket-activate). */
  prefix?: string[];
  /** The whole command line, instead of the fixture's (still under `prefix`, if any). */
  command?: string[];
  /** Wait for this generation's report before returning (default 1); null: return at once. */
  waitFor?: number | null;
}

/** Starts generation 1 with `env` added to this process's environment; resolves once it is ready. */
export async function startFixture(env: Record<string, string> = {}, options: StartOptions = {}): Promise<Fixture> {
  const { file, args } = nodeCommand(options.moduleUrl ?? FIXTURE_URL);
  let command = options.command
    ? { file: options.command[0], args: options.command.slice(1) }
    : options.withListenPid ? { file: SHELL, args: ['-c', EXEC_WITH_LISTEN_PID, file, ...args] } : { file, args };
  if (options.prefix) command = { file: options.prefix[0], args: [...options.prefix.slice(1), command.file, ...command.args] };
  const stdio = ['ignore', 'pipe', 'pipe', ...(options.fds ?? [])] as const;
  const child = spawn(command.file, command.args, { env: { ...process.env, ...env }, stdio: [...stdio], detached: true });
  let stdout = '';
  let stderr = '';
  const reports: GenerationReport[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    let newline;
    while ((newline = stdout.indexOf('\n')) !== -1) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      if (line.startsWith('{')) reports.push(JSON.parse(line) as GenerationReport);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const pgid = child.pid!;
  const fixture: Fixture = {
    child,
    pgid,
    reports,
    log: () => stderr,
    waitForReport: (generation, timeoutMs = 15_000) =>
      poll(() => reports.find((report) => report.generation === generation), timeoutMs, () => `generation ${generation} to report ready\n${stderr}`),
    waitForLog: (pattern, timeoutMs = 15_000) => poll(() => pattern.exec(stderr)?.[0], timeoutMs, () => `a log line matching ${pattern}\n${stderr}`),
    async kill() {
      live.delete(fixture);
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // The group is already empty.
      }
      await poll(() => groupMembers(pgid).length === 0, 5000, () => `process group ${pgid} to be empty: ${groupMembers(pgid).join(', ')}`);
    },
  };
  live.add(fixture);
  const first = options.waitFor === undefined ? 1 : options.waitFor;
  if (first !== null) await fixture.waitForReport(first);
  return fixture;
}

/** Kills every fixture still running; for afterEach. */
export async function killAllFixtures(): Promise<void> {
  await Promise.all([...live].map((fixture) => fixture.kill()));
}

/** Pids whose process group is pgid (zombies excluded: they hold nothing). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // Gone while reading.
    }
  }
  return members;
}

/** The children of pid, from /proc/PID/task/PID/children. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The command that runs a module of this repository under this Node (tsx for .ts). */
export function moduleCommand(moduleUrl: string): string[] {
  const { file, args } = nodeCommand(moduleUrl);
  return [file, ...args];
}

export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export async function poll<T>(fn: () => T | undefined | null | false, timeoutMs: number, what: () => string, intervalMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Sends the trigger to whoever the PID file names, and waits until a new process is named there and the
 * old one has exited: one complete upgrade.
 */
export async function upgradeByPidFile(pidFile: string, timeoutMs = 15_000): Promise<{ from: number; to: number }> {
  const from = readPidFile(pidFile);
  if (!from) throw new Error(`no pid in ${pidFile}`);
  process.kill(from, 'SIGUSR2');
  const to = await poll(() => {
    const now = readPidFile(pidFile);
    return now !== null && now !== from ? now : null;
  }, timeoutMs, () => `the PID file to name a successor of ${from}`);
  await poll(() => !isRunning(from), timeoutMs, () => `pid ${from} to exit`);
  return { from, to };
}

export interface Answer {
  status: number;
  body: string;
  pid: number;
}

/** One request on a fresh connection; `target` is a port or a unix socket path. */
export function get(target: number | string, path = '/'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const where = typeof target === 'number' ? { host: '127.0.0.1', port: target } : { socketPath: target };
    const request = http.request({ ...where, path, agent: false, headers: { connection: 'close' } }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, pid: Number(response.headers['x-pid']) }));
    });
    request.setTimeout(5000, () => request.destroy(new Error(`no answer from ${target}${path} within 5 s`)));
    request.on('error', reject);
    request.end();
  });
}

/** Inodes of the TCP sockets in LISTEN on `port` (from /proc/net/tcp and tcp6). */
export function listeningInodes(port: number): number[] {
  const inodes: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'latin1').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue;
      if (parseInt(fields[1].split(':')[1], 16) === port) inodes.push(Number(fields[9]));
    }
  }
  return inodes;
}

/** Bytes waiting in the receive queue of the established TCP socket localPort -> remotePort (IPv4 loopback). */
export function receiveQueue(localPort: number, remotePort: number): number | null {
  for (const line of readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5 || fields[3] !== '01') continue;
    if (parseInt(fields[1].split(':')[1], 16) === localPort && parseInt(fields[2].split(':')[1], 16) === remotePort) {
      return parseInt(fields[4].split(':')[1], 16);
    }
  }
  return null;
}

/** fd -> link target (`socket:[123]`, `pipe:[45]`, a path) for every open fd of pid. */
export function fdTable(pid: number): Map<number, string> {
  const table = new Map<number, string>();
  for (const entry of readdirSync(`/proc/${pid}/fd`)) {
    try {
      table.set(Number(entry), readlinkSync(`/proc/${pid}/fd/${entry}`));
    } catch {
      // Closed while reading.
    }
  }
  return table;
}

/** The `flags:` line of /proc/PID/fdinfo/FD (octal in the file). */
export function fdFlags(pid: number, fd: number): number {
  const match = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1'));
  if (!match) throw new Error(`no flags in /proc/${pid}/fdinfo/${fd}`);
  return parseInt(match[1], 8);
}

/** Counts of fd kinds: { socket: 3, pipe: 6, anon_inode: 5, file: 4 }. */
export function fdKinds(pid: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const target of fdTable(pid).values()) {
    const kind = /^(socket|pipe|anon_inode):/.exec(target)?.[1] ?? 'file';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

// Child processes for the benchmarks: started with a pipe on stdin (they exit when it closes, so a
// benchmark that dies cannot leave them behind) and killed on every exit path of the benchmark.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const children = new Set<ChildProcess>();
const cleanups: Array<() => void> = [];

function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  while (cleanups.length) cleanups.pop()!();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Runs `fn` when the benchmark ends, however it ends (a temp dir to remove). */
export function atExit(fn: () => void): void {
  cleanups.push(fn);
}

/** Kills `child` when the benchmark ends, however it ends. */
export function adopt(child: ChildProcess): ChildProcess {
  children.add(child);
  return child;
}

/** Starts bench/fixtures/NAME.ts under tsx and resolves with the first JSON line it prints. */
export function startFixture<T extends { pid: number }>(name: string, args: string[] = []): Promise<T & { child: ChildProcess }> {
  const script = fileURLToPath(new URL(`../fixtures/${name}.ts`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (text) => resolve({ ...(JSON.parse(text) as T), child }));
    child.once('exit', (code) => reject(new Error(`fixture ${name} exited with ${code} before it was ready`)));
  });
}

export function stop(child: ChildProcess): void {
  child.kill('SIGKILL');
  children.delete(child);
}

export function requireLsof(): void {
  if (process.platform !== 'linux') throw new Error('this benchmark runs on Linux');
  if (spawnSync('lsof', ['-v']).error) throw new Error('lsof is not installed (apt-get install lsof)');
}

export function lsofMs(pids: number[]): number {
  const t = performance.now();
  spawnSync('lsof', ['-p', pids.join(',')], { stdio: 'ignore' });
  return performance.now() - t;
}

/**
 * A busy box: `sockets` established loopback TCP sockets (sockets / 2 connections, both ends held)
 * spread over holder processes of at most 12,500 sockets each. Each holder has its own listen and
 * source address (127.0.0.2x / 127.0.0.3x) and binds source ports just below the ephemeral range.
 */
export async function busyBox(sockets: number): Promise<{ pids: number[]; sockets: number; stop: () => void }> {
  const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'latin1').trim().split(/\s+/).map(Number);
  const perHolder = 6250;
  const holders = Math.ceil(sockets / 2 / perHolder);
  const last = ephemeralLow - 1;
  const first = Math.max(1024, last - perHolder - 2000); // room to skip ports someone else holds
  const started: Array<{ pid: number; sockets: number; child: ChildProcess }> = [];
  for (let k = 0; k < holders; k++) {
    const pairs = Math.min(perHolder, sockets / 2 - k * perHolder);
    // One at a time: making connections is the heavy part, and the machine is shared.
    started.push(await startFixture<{ pid: number; sockets: number }>('socket-holder', [String(pairs), `127.0.0.${20 + k}`, `127.0.0.${30 + k}`, String(first), String(last)]));
  }
  return {
    pids: started.map((h) => h.pid),
    sockets: started.reduce((n, h) => n + h.sockets, 0),
    stop: () => started.forEach((h) => stop(h.child)),
  };
}

/** Established TCP sockets in this network namespace, as /proc/net/tcp lists them (state 01). */
export function establishedTcp(): number {
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(file, 'latin1').split('\n').slice(1)) if (row.trim().split(/\s+/)[3] === '01') n++;
  }
  return n;
}

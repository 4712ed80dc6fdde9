// The restart lab: the same loopback HTTP load (32 keep-alive connections and 4 workers opening a
// connection per request) against two ways of restarting a server the same number of times:
//   (a) hot restart with hotrestart-tutor/restart (SIGUSR2; listener inherited, keep-alive connections handed over);
//   (b) naive stop-and-start (SIGTERM: http.Server#close(), Connection: close on the last responses, exit;
//       then a new process binds the same port), as careful as a restart without a successor can be.
// Prints, side by side: requests ok and failed, the longest gap in which no request completed, and the
// throughput while restarting against the steady state before.
//
//   npm run bench:restart [-- --restarts 20 --interval 1000]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCommand } from '../src/demo/entry.js';
import { startLoad, type LoadOptions, type LoadStats } from '../src/lesson/load.js';
import { readPidFile } from '../packages/restart/src/pidfile.js';

const restarts = Number(argument('--restarts') ?? 20);
/** One restart begins every this many ms (or when the previous one has finished, if that is later), for both strategies. */
const intervalMs = Number(argument('--interval') ?? 1000);
const STEADY_MS = 2000;
const TAIL_MS = 1000;
const TICK_MS = 5;
/** Each worker's pause between requests, after a success and after a failure alike. */
const PAUSE_MS = 5;
const SERVER_URL = new URL('./restart-lab-server.ts', import.meta.url).href;

interface Strategy {
  name: string;
  start(): Promise<number>;
  restart(): Promise<void>;
}

interface Outcome {
  ok: number;
  failed: number;
  kinds: string;
  longestGapMs: number;
  steadyGapMs: number;
  steadyRate: number;
  restartRate: number;
  /** Each restart's duration, from the trigger until the old process is gone and the new one serves; sorted. */
  restartMs: number[];
  pids: number;
}

// ---- processes: each server is started in its own process group, and every group is killed at the end.
const groups = new Set<number>();
function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; pid: number; port: number }> {
  const { file, args } = nodeCommand(SERVER_URL);
  const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  groups.add(child.pid!);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('\n')) {
        const { pid, port } = JSON.parse(output.split('\n')[0]) as { pid: number; port: number };
        resolve({ child, pid, port });
      }
    });
    child.once('exit', (code) => reject(new Error(`the lab server exited with code ${code} before it served`)));
  });
}

function killAll(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  groups.clear();
}
process.once('SIGINT', () => {
  killAll();
  process.exit(130);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

// ---- the two strategies
function hotRestart(directory: string): Strategy {
  const pidFile = join(directory, 'module.pid');
  return {
    name: 'hot restart (module)',
    start: async () => (await startServer({ STRATEGY: 'module', PID_FILE: pidFile })).port,
    async restart() {
      const old = readPidFile(pidFile)!;
      process.kill(old, 'SIGUSR2');
      await until(() => (readPidFile(pidFile) ?? old) !== old, 'the successor to be ready');
      await until(() => !running(old), `pid ${old} to exit`);
    },
  };
}

function naiveRestart(): Strategy {
  let current: { pid: number; port: number } | undefined;
  return {
    name: 'naive stop-and-start',
    async start() {
      current = await startServer({ STRATEGY: 'naive' });
      return current.port;
    },
    async restart() {
      const { pid, port } = current!;
      process.kill(pid, 'SIGTERM');
      await until(() => !running(pid), `pid ${pid} to exit`);
      current = await startServer({ STRATEGY: 'naive', PORT: String(port) });
    },
  };
}

// ---- one run: steady state, then the restarts, then a short tail
async function run(strategy: Strategy): Promise<Outcome> {
  const port = await strategy.start();
  const series: Array<Array<{ at: number; ok: number }>> = [];
  const common: Omit<LoadOptions, 'keepAlive' | 'concurrency'> = { port, maxRequests: 100_000, maxDurationMs: 60_000, pauseMs: PAUSE_MS, requestTimeoutMs: 2000, countHeader: 'x-pid', tickMs: TICK_MS };
  const load = (keepAlive: boolean, concurrency: number) => {
    const points: Array<{ at: number; ok: number }> = [{ at: Date.now(), ok: 0 }];
    series.push(points);
    return startLoad({ ...common, keepAlive, concurrency, onTick: (stats) => points.push({ at: Date.now(), ok: stats.ok }) });
  };
  // Several small loads rather than two big ones: a refused request returns at once and the worker tries
  // again PAUSE_MS later, so during a naive restart each load burns through its request budget fast.
  const loads = [...Array.from({ length: 8 }, () => load(true, 4)), load(false, 2), load(false, 2)];
  const startedAt = Date.now();
  await sleep(STEADY_MS);
  const restartsFrom = Date.now();
  const durations: number[] = [];
  for (let i = 0; i < restarts; i++) {
    await sleep(restartsFrom + i * intervalMs - Date.now());
    const began = Date.now();
    await strategy.restart();
    durations.push(Date.now() - began);
  }
  const restartsTo = Math.max(Date.now(), restartsFrom + restarts * intervalMs);
  await sleep(restartsTo - Date.now());
  await sleep(TAIL_MS);
  const results: LoadStats[] = await Promise.all(loads.map((each) => each.stop()));
  killAll();

  const okAt = (time: number) => series.reduce((sum, points) => sum + (points.filter((point) => point.at <= time).pop()?.ok ?? 0), 0);
  const rate = (from: number, to: number) => Math.round(((okAt(to) - okAt(from)) * 1000) / Math.max(1, to - from));
  const total = (key: 'ok' | 'failed' | 'refused' | 'reset' | 'timeout' | 'other') => results.reduce((sum, result) => sum + result[key], 0);
  return {
    ok: total('ok'),
    failed: total('failed'),
    kinds: `refused ${total('refused')}, reset ${total('reset')}, timeout ${total('timeout')}, other ${total('other')}`,
    longestGapMs: longestGap(series, restartsFrom, restartsTo + TAIL_MS),
    steadyGapMs: longestGap(series, startedAt + 200, restartsFrom),
    steadyRate: rate(startedAt + 200, restartsFrom),
    restartRate: rate(restartsFrom, restartsTo),
    restartMs: durations.sort((a, b) => a - b),
    pids: new Set(results.flatMap((result) => Object.keys(result.byHeader))).size,
  };
}

/** The longest time between two ticks at which some load had completed more requests (±TICK_MS). */
function longestGap(series: Array<Array<{ at: number; ok: number }>>, from: number, to: number): number {
  const completions: number[] = [];
  for (const points of series) {
    for (let i = 1; i < points.length; i++) if (points[i].ok > points[i - 1].ok && points[i].at >= from && points[i].at <= to) completions.push(points[i].at);
  }
  completions.sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < completions.length; i++) longest = Math.max(longest, completions[i] - completions[i - 1]);
  return longest;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

function table(outcomes: Array<[string, Outcome]>): string {
  const rows: Array<[string, (o: Outcome) => string]> = [
    ['requests ok', (o) => String(o.ok)],
    ['requests failed', (o) => String(o.failed)],
    ['  of which', (o) => o.kinds],
    ['longest gap, no request completed', (o) => `${o.longestGapMs} ms (steady state: ${o.steadyGapMs} ms)`],
    ['throughput, steady state', (o) => `${o.steadyRate} req/s`],
    ['throughput, during restarts', (o) => `${o.restartRate} req/s (${Math.round((o.restartRate * 100) / Math.max(1, o.steadyRate))}% of steady)`],
    ['one restart takes (median, max)', (o) => `${o.restartMs[Math.floor(o.restartMs.length / 2)] ?? 0} ms, ${o.restartMs.at(-1) ?? 0} ms`],
    ['distinct pids that answered', (o) => String(o.pids)],
  ];
  const width = [Math.max(...rows.map(([label]) => label.length)), ...outcomes.map(([name, outcome]) => Math.max(name.length, ...rows.map(([, cell]) => cell(outcome).length)))];
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(width[i])).join('   ').trimEnd();
  return [line(['', ...outcomes.map(([name]) => name)]), ...rows.map(([label, cell]) => line([label, ...outcomes.map(([, outcome]) => cell(outcome))]))].join('\n');
}

const directory = mkdtempSync(join(tmpdir(), 'hotrestart-lab-'));
try {
  console.log(`restart lab: ${restarts} restarts, one every ${intervalMs} ms, under 32 keep-alive + 4 Connection: close workers, loopback, Node ${process.version}`);
  const outcomes: Array<[string, Outcome]> = [];
  for (const strategy of [hotRestart(directory), naiveRestart()]) {
    process.stdout.write(`running ${strategy.name} ...\n`);
    outcomes.push([strategy.name, await run(strategy)]);
  }
  console.log('\n' + table(outcomes));
  console.log(`\nA failed request is retried by its worker ${PAUSE_MS} ms later, so "requests failed" counts attempts; the longest gap is the outage.`);
} finally {
  killAll();
  rmSync(directory, { recursive: true, force: true });
}

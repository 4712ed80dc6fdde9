// The restart lab: the same loopback HTTP load (32 keep-alive connections and 4 workers opening a
// connection per request) against several ways of restarting a server the same number of times, in one
// sitting, at each restart interval (default every 0.5 s and every 2 s):
//   (a) hot restart with @hotrestart-tutor/restart (SIGUSR2; listener inherited, keep-alive connections handed over);
//   (b) naive stop-and-start (SIGTERM: http.Server#close(), Connection: close on the last responses, exit;
//       then a new process binds the same port), as careful as a restart without a successor can be;
//   (c) `pm2 reload` in cluster mode, when pm2 is installed, or with --with-pm2 (see below);
//   (d) cloudflare/tableflip (Go), when Go and Debian's golang-github-cloudflare-tableflip-dev are there.
// Node servers run as plain JavaScript against the built package (as in production: no TypeScript
// compiled at each start). Prints, side by side: requests ok and failed, the longest gap in which no
// request completed, and the throughput while restarting against the steady state before.
//
//   npm run bench:restart [-- --restarts 20 --intervals 500,2000 --with-pm2]
//
// --with-pm2: pm2 is not a dependency of the project. Without an installed one, this flag installs pm2@7
// once into a per-user 0700 cache under os.tmpdir() (npm install --prefix ... --no-save) and uses it;
// without the flag the pm2 column is skipped, with one line saying so. Each pm2 daemon runs with a
// PM2_HOME inside the run's private directory and is killed, its home removed, when the run ends
// (also on Ctrl-C or an error). See bench/lib/pm2.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findPm2, pm2Run, pm2Version, stopPm2 } from './lib/pm2.js';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { startLoad, type LoadOptions, type LoadStats } from '../src/lesson/load.js';
import { readPidFile } from '../packages/restart/src/pidfile.js';

const restarts = Number(argument('--restarts') ?? 20);
/** One restart begins every this many ms (or when the previous one has finished, if that is later), for every strategy. */
const intervals = (argument('--intervals') ?? argument('--interval') ?? '500,2000').split(',').map(Number);
let intervalMs = intervals[0];
const STEADY_MS = 2000;
const TAIL_MS = 1000;
const TICK_MS = 5;
/** Each worker's pause between requests, after a success and after a failure alike. */
const PAUSE_MS = 5;
const SERVER_PATH = fileURLToPath(new URL('./restart-lab-server.mjs', import.meta.url));
const TABLEFLIP_SOURCE = fileURLToPath(new URL('./restart-lab-tableflip.go', import.meta.url));
/** The environment of a production process: without the repository's source condition (the built package is used). */
const PLAIN_ENV: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: (process.env.NODE_OPTIONS ?? '').replace(/--conditions=hotrestart-source/g, '').trim() };
delete PLAIN_ENV.npm_config_node_options;
/** pids of module generations that said they had drained (stdout of every generation is the same pipe). */
const drained = new Set<number>();

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

/** The run's private directory (mkdtemp: 0700): pid files, the pm2 home, the tableflip build. */
const directory = mkdtempSync(join(tmpdir(), 'hotrestart-lab-'));

// ---- processes: each server is started in its own process group, and every group is killed at the end.
const groups = new Set<number>();
function startServer(env: Record<string, string>, command: string[] = [process.execPath, SERVER_PATH]): Promise<{ child: ChildProcess; pid: number; port: number }> {
  const child = spawn(command[0], command.slice(1), { env: { ...PLAIN_ENV, ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  groups.add(child.pid!);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      let newline;
      while ((newline = output.indexOf('\n')) !== -1) {
        const line = output.slice(0, newline);
        output = output.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        const message = JSON.parse(line) as { pid?: number; port?: number; drained?: number };
        if (message.drained) drained.add(message.drained);
        else if (message.pid && message.port) resolve({ child, pid: message.pid, port: message.port });
      }
    });
    child.once('exit', (code) => reject(new Error(`the lab server exited with code ${code} before it served`)));
  });
}

/** pm2 homes whose daemon may be running, with their pm2 binary. */
const pm2Homes = new Map<string, string>();
function killAll(): void {
  for (const [home, pm2] of pm2Homes) stopPm2(pm2, home);
  pm2Homes.clear();
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  groups.clear();
}
// `on`, not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by tsx), and a second
// SIGINT with no listener left would kill it in the middle of the cleanup.
let cleaningUp = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (cleaningUp) return;
    cleaningUp = true;
    killAll();
    rmSync(directory, { recursive: true, force: true });
    process.exit(130);
  });
}

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
      // Done once the old process has handed everything over (it may linger a moment longer, for a rollback).
      await until(() => drained.has(old) || !running(old), `pid ${old} to drain`);
      await sleep(20);
    },
  };
}

/**
 * pm2 in cluster mode: `pm2 reload` starts a new worker, waits for it to listen, then stops the old one with
 * SIGINT. pm2 commands run asynchronously: a synchronous one would stall the load generator, which shares
 * this event loop, and the stall would be counted against pm2.
 */
function pm2Restart(pm2: string, directory: string): Strategy {
  const home = join(directory, 'pm2');
  const env = { ...(PLAIN_ENV as Record<string, string>), STRATEGY: 'naive' };
  return {
    name: 'pm2 reload',
    async start() {
      const port = await freePort();
      pm2Homes.set(home, pm2);
      await pm2Run(pm2, home, ['start', SERVER_PATH, '--name', 'lab', '-i', '1', '--kill-timeout', '5000'], { ...env, PORT: String(port) });
      await until(() => answers(port), 'pm2 to serve');
      return port;
    },
    async restart() {
      await pm2Run(pm2, home, ['reload', 'lab'], env);
    },
  };
}

/** cloudflare/tableflip: a Go server whose SIGUSR2 starts a successor that inherits the listener. */
function tableflipRestart(binary: string, directory: string): Strategy {
  const pidFile = join(directory, 'tableflip.pid');
  return {
    name: 'tableflip (Go)',
    start: async () => (await startServer({ PID_FILE: pidFile }, [binary])).port,
    async restart() {
      const old = readPidFile(pidFile)!;
      process.kill(old, 'SIGUSR2');
      await until(() => (readPidFile(pidFile) ?? old) !== old, 'the tableflip successor to be ready');
      await until(() => !running(old), `pid ${old} to exit`);
    },
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function answers(port: number): boolean {
  try {
    execFileSync('curl', ['-sf', '-o', '/dev/null', '--max-time', '1', `http://127.0.0.1:${port}/`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Builds the tableflip server (GOPATH mode, the Debian package's sources), or says why not. */
function buildTableflip(directory: string): string | { skipped: string } {
  const source = '/usr/share/gocode/src/github.com/cloudflare/tableflip';
  if (!existsSync(source)) return { skipped: "Debian's golang-github-cloudflare-tableflip-dev is not installed" };
  const binary = join(directory, 'tableflip-lab');
  try {
    execFileSync('go', ['build', '-o', binary, TABLEFLIP_SOURCE], {
      env: { ...process.env, GO111MODULE: 'off', GOPATH: `${join(directory, 'gopath')}:/usr/share/gocode`, GOCACHE: join(tmpdir(), 'hotrestart-lab-gocache'), GOFLAGS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return binary;
  } catch (error) {
    return { skipped: `go build of the tableflip server failed: ${String((error as { stderr?: Buffer }).stderr ?? error).split('\n')[0]}` };
  }
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

try {
  console.log(`restart lab: ${restarts} restarts at each interval (${intervals.map((ms) => `${ms} ms`).join(', ')}), under 32 keep-alive + 4 Connection: close workers, loopback, Node ${process.version}`);
  const pm2 = findPm2(process.argv.includes('--with-pm2'));
  if (typeof pm2 === 'string') console.log(`pm2 ${pm2Version(pm2)}: ${pm2}`);
  const tableflip = buildTableflip(directory);
  for (const [name, found] of [['pm2 reload', pm2], ['tableflip', tableflip]] as const) if (typeof found !== 'string') console.log(`skipped: ${name} (${found.skipped})`);
  for (const interval of intervals) {
    intervalMs = interval;
    const strategies = [hotRestart(directory), naiveRestart()];
    if (typeof pm2 === 'string') strategies.push(pm2Restart(pm2, directory));
    if (typeof tableflip === 'string') strategies.push(tableflipRestart(tableflip, directory));
    const outcomes: Array<[string, Outcome]> = [];
    for (const strategy of strategies) {
      process.stdout.write(`running ${strategy.name}, a restart every ${interval} ms ...\n`);
      outcomes.push([strategy.name, await run(strategy)]);
    }
    console.log(`\nA restart every ${interval} ms:\n` + table(outcomes) + '\n');
  }
  console.log(`A failed request is retried by its worker ${PAUSE_MS} ms later, so "requests failed" counts attempts; the longest gap is the outage.`);
} finally {
  killAll();
  rmSync(directory, { recursive: true, force: true });
}

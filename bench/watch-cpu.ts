// Benchmark: the CPU cost of `fds --watch` at 4 refreshes a second on 5 processes of ~60 fds each.
// Runs the built CLI under a real pseudo-terminal (util-linux `script`) for a fixed time, reads the
// watcher's user+system CPU time from /proc/PID/stat, and prints it as a share of one core.
// With --busy, other processes first hold 50,000 established loopback TCP sockets (goal: < 5%).
// Usage: npm run bench:watch [-- --seconds 10 --warmup 6] [-- --busy]   (builds first)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adopt, busyBox, establishedTcp, startFixture } from './lib/processes.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 10;
const busy = process.argv.includes('--busy');
const warmup = Number(process.argv[process.argv.indexOf('--warmup') + 1]) || 6;
const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
const TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** The node process running cli.js on `pids` (script -> sh -> node), not another watcher of this CLI. */
function findWatcher(root: number, pids: number[]): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // node itself (argv: node cli.js fds --watch=...), not the shell that `script` runs it through.
      const [, script, command, watch, ...rest] = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0');
      const same = script === cli && command === 'fds' && watch?.startsWith('--watch') && rest.filter(Boolean).join(' ') === pids.join(' ');
      if (same && Number(entry) !== root) return Number(entry);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error('dist/src/cli.js is missing: run `npm run build` first');
  const box = busy ? await busyBox(50_000) : null;
  if (box) console.log(`busy box: ${box.sockets} sockets held by ${box.pids.length} other processes; ${establishedTcp()} established TCP sockets in the namespace`);
  const fixtures = await Promise.all(Array.from({ length: 5 }, () => startFixture<{ pid: number }>('fd-rich')));
  const pids = fixtures.map((f) => f.pid);
  const command = `COLUMNS=160 LINES=50 ${process.execPath} ${cli} fds --watch=250 ${pids.join(' ')}`;
  // The built CLI runs as a user runs it: npm's node-options (the hotrestart-source condition, which
  // points the workspace package at its TypeScript sources) would make it fail to load.
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').replace(/--conditions[= ]hotrestart-source/g, '').trim();
  const env = { ...process.env, TERM: 'xterm-256color', NODE_OPTIONS: nodeOptions };
  const term = adopt(spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'ignore', 'inherit'], env }));
  try {
    let watcher: number | undefined;
    for (let i = 0; i < 100 && !watcher; i++) {
      await new Promise((r) => setTimeout(r, 50));
      watcher = findWatcher(term.pid!, pids);
    }
    if (!watcher) throw new Error('the watcher did not start');
    // Start-up (module loading, first render) and the JIT's first optimisations of the refresh path
    // are not the steady state: on a loaded box they take several seconds (the watcher's CPU per
    // second falls for about 5 s, then holds).
    await new Promise((r) => setTimeout(r, warmup * 1000));
    const cpu0 = cpuSeconds(watcher);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu = cpuSeconds(watcher) - cpu0;
    const wall = (performance.now() - t0) / 1000;
    const fds = pids.map((pid) => readdirSync(`/proc/${pid}/fd`).length);
    console.log(`fds --watch=250 on ${pids.length} processes (${fds.reduce((a, b) => a + b, 0)} fds), ${wall.toFixed(1)} s steady state after ${warmup} s`);
    const share = (cpu / wall) * 100;
    console.log(`CPU: ${(cpu * 1000).toFixed(0)} ms user+system = ${share.toFixed(2)}% of one core (${((cpu / wall / 4) * 1000).toFixed(1)} ms per refresh)`);
    console.log(`goal < 5% of a core${busy ? ' on the busy box' : ''}: ${share < 5 ? 'met' : 'NOT met'}`);
  } finally {
    term.stdin!.write('q');
    await new Promise((r) => setTimeout(r, 500));
    term.kill('SIGKILL');
    box?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

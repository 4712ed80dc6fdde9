// Benchmark: one fd-table snapshot of 5 processes (~50 fds each: listeners with queued clients,
// connections, files, pipes) taken in-process, against `lsof -p` for the same pids, alternating in
// one run. Prints medians and the ratio (goal: >= 10x).
// Usage: npm run bench [-- --runs 40]
import { spawnSync } from 'node:child_process';
import { snapshot } from '../src/fdtable/index.js';
import { lsofMs, requireLsof, startFixture } from './lib/processes.js';
import { goal, line, median, runsArg, timed } from './lib/stats.js';

const runs = runsArg(40);

async function main(): Promise<void> {
  requireLsof();
  const fixtures = await Promise.all(Array.from({ length: 5 }, () => startFixture<{ pid: number }>('fd-rich')));
  const pids = fixtures.map((f) => f.pid);
  const first = snapshot(pids);
  const fdCounts = first.processes.map((p) => p.fdCount);
  // lsof at its fastest too (no DNS, no port names, no warnings), for a fair reading.
  const fastArgs = ['-n', '-P', '-w', '-p', pids.join(',')];
  const ours: number[] = [];
  const plain: number[] = [];
  const fast: number[] = [];
  for (let i = 0; i < 5; i++) snapshot(pids); // warm-up: JIT, koffi declarations
  for (let i = 0; i < runs; i++) {
    ours.push(timed(() => snapshot(pids)));
    plain.push(lsofMs(pids));
    fast.push(timed(() => spawnSync('lsof', fastArgs, { stdio: 'ignore' })));
  }
  const listeners = first.rows.filter((r) => r.socket?.state === 'LISTEN');
  console.log(`processes: ${pids.length}, fds: ${fdCounts.join(' + ')} = ${fdCounts.reduce((a, b) => a + b, 0)}, runs: ${runs}`);
  console.log(`listeners seen with accept queue: ${listeners.map((r) => `${r.socket!.acceptQueue}/${r.socket!.backlog}`).join(' ')}`);
  console.log(`socket source: ${first.socketSource}; description identity: ${[...new Set(first.rows.map((r) => r.identity))].join(', ')}`);
  line('snapshot (in-process)', ours);
  line('lsof -p (process)', plain);
  line('lsof -n -P -w -p (process)', fast);
  goal('lsof -p / snapshot', median(plain) / median(ours), '>= 10x', median(plain) >= 10 * median(ours));
  goal('lsof -n -P -w -p / snapshot', median(fast) / median(ours), '>= 10x', median(fast) >= 10 * median(ours));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

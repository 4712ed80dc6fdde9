// Benchmark: one fd-table snapshot of 5 processes (~50 fds each) taken in-process, against
// `lsof -n -P -p` for the same pids, alternating in one run. Prints medians and the ratio.
// Usage: npm run bench [-- --runs 40]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { snapshot } from '../src/fdtable/index.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 40;
const fixture = fileURLToPath(new URL('./fixtures/fd-rich.ts', import.meta.url));

function startFixture(): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, pid: JSON.parse(line).pid }));
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('this benchmark runs on Linux');
  if (spawnSync('lsof', ['-v']).error) throw new Error('lsof is not installed (apt-get install lsof)');
  const fixtures = await Promise.all(Array.from({ length: 5 }, startFixture));
  try {
    const pids = fixtures.map((f) => f.pid);
    const first = snapshot(pids);
    const fdCounts = first.processes.map((p) => p.fdCount);
    // `lsof -p` as one would type it, and lsof at its fastest (no DNS, no port names, no warnings).
    const plainArgs = ['-p', pids.join(',')];
    const fastArgs = ['-n', '-P', '-w', '-p', pids.join(',')];
    const ours: number[] = [];
    const plain: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < 5; i++) snapshot(pids); // warm-up: JIT, koffi declarations
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      snapshot(pids);
      ours.push(performance.now() - t);
      t = performance.now();
      spawnSync('lsof', plainArgs, { stdio: 'ignore' });
      plain.push(performance.now() - t);
      t = performance.now();
      spawnSync('lsof', fastArgs, { stdio: 'ignore' });
      theirs.push(performance.now() - t);
    }
    const listeners = first.rows.filter((r) => r.socket?.state === 'LISTEN');
    console.log(`processes: ${pids.length}, fds: ${fdCounts.join(' + ')} = ${fdCounts.reduce((a, b) => a + b, 0)}, runs: ${runs}`);
    console.log(`listeners seen with accept queue: ${listeners.map((r) => `${r.socket!.acceptQueue}/${r.socket!.backlog}`).join(' ')}`);
    console.log(`socket source: ${first.socketSource}; description identity: ${[...new Set(first.rows.map((r) => r.identity))].join(', ')}`);
    const line = (label: string, xs: number[]) =>
      console.log(`${label.padEnd(30)} median ${median(xs).toFixed(2)} ms  (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`);
    line('snapshot (in-process)', ours);
    line('lsof -p (process)', plain);
    line('lsof -n -P -w -p (process)', theirs);
    console.log(`ratio lsof -p / snapshot: ${(median(plain) / median(ours)).toFixed(1)}x; lsof -n -P -w -p / snapshot: ${(median(theirs) / median(ours)).toFixed(1)}x`);
  } finally {
    for (const f of fixtures) f.child.kill('SIGKILL');
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

// Profiling harness (not a benchmark): starts the 5 fd-rich fixtures (or one 10,000-fd process) and
// takes snapshots in a loop, so that `node --cpu-prof` or `strace -c -f -p` can show where a
// snapshot's time goes. Prints wall and CPU time (user + system) per snapshot: on a shared, loaded
// machine wall time mostly measures waiting for a core.
// Usage: node --import tsx [--cpu-prof] bench/profile-snapshot.ts [--runs 500] [--fds10k]
//        PROFILE_PAUSE=ms waits that long before the loop (to attach strace).
import { snapshot } from '../src/fdtable/index.js';
import { startFixture } from './lib/processes.js';
import { median, runsArg, timed } from './lib/stats.js';

const runs = runsArg(500);

async function main(): Promise<void> {
  const big = process.argv.includes('--fds10k');
  const pids = big
    ? [(await startFixture<{ pid: number }>('socket-holder', ['4990', '127.0.0.40', '127.0.0.41', '20000', '27000'])).pid]
    : (await Promise.all(Array.from({ length: 5 }, () => startFixture<{ pid: number }>('fd-rich')))).map((f) => f.pid);
  for (let i = 0; i < 5; i++) snapshot(pids);
  if (process.env.PROFILE_PAUSE) {
    console.log(`pids ${pids.join(' ')}; pid ${process.pid}`);
    await new Promise((r) => setTimeout(r, Number(process.env.PROFILE_PAUSE)));
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    wall.push(timed(() => snapshot(pids)));
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  console.log(`median ${median(wall).toFixed(2)} ms wall, ${median(cpu).toFixed(2)} ms CPU, over ${runs} snapshots of ${snapshot(pids).rows.length} rows`);
}

main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });

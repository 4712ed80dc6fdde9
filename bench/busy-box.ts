// Benchmark (issue 12): a snapshot of one 100-fd process on a quiet box, then with 50,000 established
// loopback TCP sockets held by other processes, each time next to `lsof -p` on the same pid.
// Goals: busy within 1.5x of quiet; >= 10x faster than lsof -p on the busy box.
// Usage: npm run bench:busy [-- --runs 30 --sockets 50000]
import { snapshot } from '../src/fdtable/index.js';
import { busyBox, establishedTcp, lsofMs, requireLsof, startFixture } from './lib/processes.js';
import { goal, line, median, runsArg, timed } from './lib/stats.js';

const runs = runsArg(30);
const socketsArg = process.argv.indexOf('--sockets');
const sockets = (socketsArg > 0 && Number(process.argv[socketsArg + 1])) || 50_000;

function measure(pid: number): { ours: number[]; lsof: number[]; dump: number[] } {
  for (let i = 0; i < 5; i++) snapshot([pid]); // warm-up: JIT, koffi declarations
  const ours: number[] = [];
  const lsof: number[] = [];
  const dump: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(timed(() => snapshot([pid])));
    lsof.push(lsofMs([pid]));
    // What a snapshot costs where the per-socket way is refused (no ptrace rights): the namespace dump.
    dump.push(timed(() => snapshot([pid], { sockets: 'dump' })));
  }
  return { ours, lsof, dump };
}

async function main(): Promise<void> {
  requireLsof();
  const target = await startFixture<{ pid: number }>('fd-rich', ['100']);
  const fds = snapshot([target.pid]).processes[0].fdCount;
  console.log(`target: pid ${target.pid}, ${fds} fds; runs: ${runs}`);

  console.log(`\nquiet box: ${establishedTcp()} established TCP sockets in this network namespace`);
  const quiet = measure(target.pid);
  line('snapshot, quiet', quiet.ours);
  line('lsof -p, quiet', quiet.lsof);

  const t = performance.now();
  const box = await busyBox(sockets);
  console.log(`\nbusy box: ${box.sockets} sockets made by ${box.pids.length} holder processes in ${((performance.now() - t) / 1000).toFixed(1)} s; ${establishedTcp()} established TCP sockets in the namespace`);
  let busy;
  try {
    busy = measure(target.pid);
  } finally {
    box.stop();
  }
  line('snapshot, busy', busy.ours);
  line('lsof -p, busy', busy.lsof);
  line('reference: snapshot by the dump, busy', busy.dump);
  line('reference: snapshot by the dump, quiet', quiet.dump);

  console.log('');
  goal('snapshot busy / quiet', median(busy.ours) / median(quiet.ours), '<= 1.5x', median(busy.ours) <= 1.5 * median(quiet.ours));
  goal('lsof -p / snapshot, busy', median(busy.lsof) / median(busy.ours), '>= 10x', median(busy.lsof) >= 10 * median(busy.ours));
  goal('lsof -p / snapshot, quiet', median(quiet.lsof) / median(quiet.ours), '>= 10x', median(quiet.lsof) >= 10 * median(quiet.ours));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

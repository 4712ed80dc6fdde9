// Benchmark (issue 12): a snapshot of one process holding 10,000 fds (5,000 loopback connections,
// both ends), next to `lsof -p` and next to the procfs floor: a C program, compiled here with gcc,
// that only lists the fds, reads each link and each fdinfo. Goal: within 1.5x of that floor.
// Usage: npm run bench:fds10k [-- --runs 15]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshot } from '../src/fdtable/index.js';
import { readProcess } from '../src/fdtable/procfs.js';
import { atExit, lsofMs, requireLsof, startFixture } from './lib/processes.js';
import { goal, line, median, runsArg, timed } from './lib/stats.js';

const runs = runsArg(15);

function compileFloor(): string {
  if (spawnSync('gcc', ['--version']).error) throw new Error('gcc is not installed (apt-get install gcc): it builds the procfs floor program');
  const dir = mkdtempSync(join(tmpdir(), 'hotrestart-floor-'));
  atExit(() => rmSync(dir, { recursive: true, force: true }));
  const binary = join(dir, 'procfs-floor');
  const source = fileURLToPath(new URL('./c/procfs-floor.c', import.meta.url));
  const gcc = spawnSync('gcc', ['-O2', '-o', binary, source], { encoding: 'utf8' });
  if (gcc.status !== 0) throw new Error(`gcc failed: ${gcc.stderr.trim()}`);
  return binary;
}

async function main(): Promise<void> {
  requireLsof();
  const floor = compileFloor();
  const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'latin1').trim().split(/\s+/).map(Number);
  const holder = await startFixture<{ pid: number; sockets: number }>('socket-holder', ['4990', '127.0.0.40', '127.0.0.41', String(ephemeralLow - 7000), String(ephemeralLow - 1)]);
  const pid = holder.pid;
  const first = snapshot([pid]);
  console.log(`target: pid ${pid}, ${first.processes[0].fdCount} fds (${holder.sockets} TCP sockets); runs: ${runs}`);
  for (let i = 0; i < 2; i++) snapshot([pid]);
  const ours: number[] = [];
  const procfs: number[] = [];
  const lsof: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(timed(() => snapshot([pid])));
    procfs.push(timed(() => readProcess(pid)));
    lsof.push(lsofMs([pid]));
    const out = spawnSync(floor, [String(pid), '1'], { encoding: 'utf8' }).stdout.trim().split(/\s+/);
    c.push(Number(out[0]));
  }
  line('snapshot (in-process)', ours);
  line('  of which: /proc reads (readProcess)', procfs);
  line('procfs floor (C: readdir+readlink+fdinfo)', c);
  line('lsof -p', lsof);
  goal('snapshot / procfs floor', median(ours) / median(c), '<= 1.5x', median(ours) <= 1.5 * median(c));
  goal('lsof -p / snapshot', median(lsof) / median(ours), 'report', true);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

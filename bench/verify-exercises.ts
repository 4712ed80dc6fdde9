// Benchmark: how long a verify takes. (1) The median verify time of every exercise's reference
// solution, Node and Go, run one after the other in this process. (2) Wall time per verify when 1, 8
// and 30 verifies run at the same moment through the built CLI, each as a different Unix user when
// run as root (the users are created for the run and removed after), half of them on a solution
// (must pass) and half on a starter (must fail), so the verdicts are checked too.
// Usage: npm run bench:verify [-- --runs 3] [-- --levels 1,8,30] [-- --exercise 1] [-- --only 9] [-- --skip-solo]
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findGo } from '../src/exercise/build.js';
import { findExercise, loadExercises, type Exercise } from '../src/exercise/registry.js';
import { verifyWorkspace } from '../src/exercise/verify.js';
import { createWorkspace, type Variant } from '../src/exercise/workspace.js';
import type { Code } from '../src/exercise/types.js';

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const runs = Number(arg('--runs', '3'));
const levels = arg('--levels', '1,8,30').split(',').map(Number);
const concurrentExercise = arg('--exercise', '1');
const only = arg('--only', '');
const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'hrt-bench-'));
chmodSync(base, 0o711); // other users must reach their own home below it, and list nothing

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timedVerify(exercise: Exercise, code: Code, variant: Variant, index: number): Promise<{ ms: number; passed: boolean }> {
  const workspace = join(base, `solo-${exercise.folder}-${code}-${index}`);
  await createWorkspace(exercise, code, variant, workspace);
  const started = Date.now();
  const result = await verifyWorkspace(exercise, { workspace, code, lang: 'en' });
  if (!result.passed) {
    const failed = result.checks.filter((check) => check.status !== 'pass').map((check) => `${check.id}: ${check.detail?.en ?? ''}`);
    console.log(`   ! ${exercise.folder} ${code} solution failed: ${result.fault?.message.en ?? failed.join(' | ')}`);
  }
  return { ms: Date.now() - started, passed: result.passed };
}

async function perExercise(exercises: Exercise[]): Promise<void> {
  const codes: Code[] = findGo() ? ['node', 'go'] : ['node'];
  if (codes.length === 1) console.log('(no go on PATH: Node only)');
  console.log(`\n1. Median verify time of each reference solution, ${runs} runs each, one at a time (target ≤ 5 s, capstone ≤ 20 s)`);
  console.log('   exercise                          code   median    min       max       passed  median/target');
  for (const exercise of exercises.filter((candidate) => !only || candidate.folder.startsWith(only.padStart(2, '0')))) {
    for (const code of codes) {
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await timedVerify(exercise, code, 'solution', i));
      const times = results.map((r) => r.ms);
      const target = exercise.id === 'full-hot-restart' ? 20_000 : 5000; // the issue's targets
      const passed = `${results.filter((r) => r.passed).length}/${runs}`;
      console.log(`   ${`${exercise.folder}`.padEnd(34)}${code.padEnd(7)}${s(median(times)).padEnd(10)}${s(Math.min(...times)).padEnd(10)}${s(Math.max(...times)).padEnd(10)}${passed.padEnd(8)}${(median(times) / target).toFixed(2)}× of ${s(target)}`);
    }
  }
}

interface Seat {
  user: string | null;
  uid: number;
  gid: number;
  home: string;
}

const isRoot = process.getuid?.() === 0;
const createdUsers: string[] = [];
const createdUids = new Map<string, number>();

function seats(count: number, level: number): Seat[] {
  return Array.from({ length: count }, (_, i) => {
    const home = join(base, `l${level}-u${String(i + 1).padStart(2, '0')}`);
    mkdirSync(home, { recursive: true });
    if (!isRoot) return { user: null, uid: process.getuid!(), gid: process.getgid!(), home };
    const user = `hrtb${level}x${i + 1}`;
    const made = spawnSync('useradd', ['--no-create-home', '--home-dir', home, '--shell', '/usr/sbin/nologin', '--user-group', user], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`useradd ${user}: ${made.stderr.trim()}`);
    createdUsers.push(user);
    const idOf = (flag: string) => Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim());
    const [uid, gid] = [idOf('-u'), idOf('-g')];
    createdUids.set(user, uid);
    chownSync(home, uid, gid);
    chmodSync(home, 0o700);
    return { user, uid, gid, home };
  });
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const name of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, name.name);
    if (name.isDirectory()) chownTree(child, uid, gid);
    else chownSync(child, uid, gid);
  }
}

function runCli(seat: Seat, workspace: string): Promise<{ ms: number; exitCode: number | null }> {
  const started = Date.now();
  const child = spawn(process.execPath, [cli, 'verify', '--dir', workspace, '--json'], {
    cwd: seat.home, uid: seat.uid, gid: seat.gid, stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: seat.home, HOTRESTART_TUTOR_HOME: seat.home, LANG: 'C.UTF-8' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (exitCode) => {
    if (exitCode === 2 || exitCode === null || exitCode > 2) console.log(`   ! ${seat.user ?? 'verify'}: exit ${exitCode}: ${stderr.trim().split('\n').pop()}`);
    resolve({ ms: Date.now() - started, exitCode });
  }));
}

async function concurrent(exercise: Exercise): Promise<void> {
  if (!existsSync(cli)) throw new Error('the built CLI is missing: run npm run build first (npm run bench:verify does)');
  console.log(`\n2. Wall time per verify of exercise ${exercise.folder} (node) at N concurrent verifies through the built CLI`);
  console.log(isRoot ? '   each verify runs as its own Unix user, created for this run and removed after' : '   not root: every verify runs as this user (30 different users need root to create them)');
  console.log('   N    median    max       wall      median/median at N=1  right verdicts (solutions pass, starters fail)');
  let single = 0;
  // The shared slot directory is made by us, not by one of the users removed after the run.
  mkdirSync(join(tmpdir(), 'hotrestart-tutor-verify-slots'), { recursive: true });
  chmodSync(join(tmpdir(), 'hotrestart-tutor-verify-slots'), 0o1777);
  for (const level of levels) {
    const group = seats(level, level);
    const jobs = await Promise.all(group.map(async (seat, i) => {
      const variant: Variant = i % 2 === 0 ? 'solution' : 'starter';
      const workspace = join(seat.home, exercise.folder);
      await createWorkspace(exercise, 'node', variant, workspace);
      if (isRoot) chownTree(workspace, seat.uid, seat.gid);
      return { seat, workspace, expect: variant === 'solution' ? 0 : 1 };
    }));
    const started = Date.now();
    const results = await Promise.all(jobs.map((job) => runCli(job.seat, job.workspace)));
    const wall = Date.now() - started;
    const right = results.filter((result, i) => result.exitCode === jobs[i].expect).length;
    const times = results.map((result) => result.ms);
    single ||= median(times);
    console.log(`   ${String(level).padEnd(5)}${s(median(times)).padEnd(10)}${s(Math.max(...times)).padEnd(10)}${s(wall).padEnd(10)}${`${(median(times) / single).toFixed(1)}×`.padEnd(22)}${right}/${level}`);
  }
}

function cleanup(): void {
  for (const user of createdUsers.splice(0)) {
    const uid = createdUids.get(user);
    const left = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
      try {
        return new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(readFileSync(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    });
    if (left.length > 0) console.log(`   ! user ${user} still has processes ${left.join(', ')} (a verify left something behind)`);
    spawnSync('userdel', [user]);
  }
  // Slot files first created by a user of this run would outlive the user: remove them (unlocked ones).
  const slots = join(tmpdir(), 'hotrestart-tutor-verify-slots');
  const ours = new Set(createdUids.values());
  if (existsSync(slots)) for (const name of readdirSync(slots)) if (ours.has(statSync(join(slots, name)).uid)) rmSync(join(slots, name), { force: true });
  rmSync(base, { recursive: true, force: true });
}

process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
try {
  const exercises = await loadExercises();
  console.log(`verify benchmark: ${exercises.length} exercises, node ${process.version}, ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores`);
  if (!process.argv.includes('--skip-solo')) await perExercise(exercises);
  const chosen = findExercise(exercises, concurrentExercise);
  if (!chosen) throw new Error(`no exercise ${concurrentExercise}`);
  await concurrent(chosen);
} finally {
  cleanup();
}

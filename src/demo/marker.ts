// Finding and ending every process of a run by the marker in its environment. Walking the process tree
// is not enough: a successor whose parent exited is re-parented to init (or a subreaper) and no longer
// descends from the tutor, but it still carries HOTRESTART_TUTOR_RUN=<runId> from its birth.
// Shared by the supervisor (pids, stop, stopNowSync) and the warden; synchronous so an 'exit' handler
// can use it.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { ENV } from './run.js';

/** Pids of live processes whose environment holds the run marker. Unreadable ones (other users,
 *  processes that vanished mid-scan) are skipped; zombies have an empty environ and drop out too. */
export function markedPids(runId: string): number[] {
  const entry = `${ENV.run}=${runId}`;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (environ.split('\0').includes(entry)) pids.push(pid);
  }
  return pids;
}

/** True while pid names a process that has not exited. A zombie (exited, not yet reaped) counts as gone:
 *  it holds no fds and no ports, and kill(pid, 0) would still say it exists. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The state letter follows the command name, which is in parentheses and may itself contain ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // ESRCH: it ended between the scan and the signal.
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * SIGKILLs every marked process, scanning again until two scans in a row find none (a process caught
 * between fork and exec may carry the marker only after it execs) or timeoutMs passes.
 * Returns the pids still found at the end: empty on success.
 */
export function killMarkedSync(runId: string, timeoutMs = 2000): number[] {
  const deadline = Date.now() + timeoutMs;
  let emptyScans = 0;
  for (;;) {
    const pids = markedPids(runId);
    if (pids.length === 0) emptyScans++;
    else emptyScans = 0;
    if (emptyScans >= 2 || Date.now() >= deadline) return pids;
    signalAll(pids, 'SIGKILL');
    sleepSync(pids.length === 0 ? 10 : 20);
  }
}

/** Kills the whole run and removes its private directory: the last word of both warden and tutor. */
export function endRunSync(runId: string, dir: string, timeoutMs = 2000): number[] {
  const survivors = killMarkedSync(runId, timeoutMs);
  rmSync(dir, { recursive: true, force: true });
  return survivors;
}

// Finding and ending every process of a run by the marker in its environment. Walking the process tree
// is not enough: a successor whose parent exited is re-parented to init (or a subreaper) and no longer
// descends from the tutor, but it still carries HOTRESTART_TUTOR_RUN=<runId> from its birth.
// Shared by the supervisor (pids, stop, stopNowSync) and the warden; synchronous so an 'exit' handler
// can use it. Plain JavaScript (types in sweep.d.mts) so that the warden starts without a TypeScript
// loader: it must be watching, and able to act, within a fraction of a second of its start.
import { readdirSync, readFileSync, rmSync } from 'node:fs';

/** The environment variable that marks every process of a run: HOTRESTART_TUTOR_RUN=<runId>. */
export const RUN_MARKER = 'HOTRESTART_TUTOR_RUN';

export function markedPids(runId) {
  const entry = `${RUN_MARKER}=${runId}`;
  const pids = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue; // unreadable (another user's) or vanished mid-scan; zombies have an empty environ
    }
    if (environ.split('\0').includes(entry)) pids.push(pid);
  }
  return pids;
}

export function isAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The state letter follows the command name, which is in parentheses and may itself contain ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function signalAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // ESRCH: it ended between the scan and the signal.
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
export function sleepSync(ms) {
  Atomics.wait(sleeper, 0, 0, ms);
}

export function killMarkedSync(runId, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  let emptyScans = 0;
  for (;;) {
    const pids = markedPids(runId);
    if (pids.length === 0) emptyScans++;
    else emptyScans = 0;
    // Two empty scans in a row: a process caught between fork and exec may carry the marker only after it execs.
    if (emptyScans >= 2 || Date.now() >= deadline) return pids;
    signalAll(pids, 'SIGKILL');
    sleepSync(pids.length === 0 ? 10 : 20);
  }
}

export function endRunSync(runId, dir, timeoutMs = 2000) {
  const survivors = killMarkedSync(runId, timeoutMs);
  rmSync(dir, { recursive: true, force: true });
  return survivors;
}

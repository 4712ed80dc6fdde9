// Finding and ending every process of a run by the marker in its environment. Walking the process tree
// is not enough: a successor whose parent exited is re-parented to init (or a subreaper) and no longer
// descends from the tutor, but it still carries HOTRESTART_TUTOR_RUN=<runId> from its birth.
// A process that rewrites its own environment loses the marker: nginx's setproctitle overwrites the
// argv+environ area with its title, so its master and workers carry none. Such a process is counted by
// its working directory instead: started with cwd = the run's private directory (or a directory under
// it), it keeps that cwd (nginx does not chdir when it does not daemonize, and workers inherit it), and
// the directory's name holds the runId, so both marks are derived from the runId alone.
// Shared by the supervisor (pids, stop, stopNowSync) and the warden; synchronous so an 'exit' handler
// can use it. Plain JavaScript (types in sweep.d.mts) so that the warden starts without a TypeScript
// loader: it must be watching, and able to act, within a fraction of a second of its start.
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';

/** The environment variable that marks every process of a run: HOTRESTART_TUTOR_RUN=<runId>. */
export const RUN_MARKER = 'HOTRESTART_TUTOR_RUN';

/** The private directory's name for a run (run.ts makes it under the temporary directory). */
export function runDirName(runId) {
  return `hotrestart-tutor-${runId}`;
}

/** True when pid's working directory is the run's private directory or under it; a removed directory
 *  reads as "PATH (deleted)", which still counts: its processes outlived the run. */
export function inRunDir(pid, runId) {
  let cwd;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return false; // another user's, or gone
  }
  const name = `/${runDirName(runId)}`;
  const at = cwd.indexOf(name);
  if (at === -1) return false;
  const rest = cwd.slice(at + name.length);
  return rest === '' || rest.startsWith('/') || rest === ' (deleted)';
}

/** True when pid has a controlling terminal (tty_nr in /proc/PID/stat): a person's shell or editor. */
export function hasTerminal(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // After the command name (in parentheses, may hold ')'): state ppid pgrp session tty_nr ...
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[4]) !== 0;
  } catch {
    return false;
  }
}

/** True when pid belongs to the run: the marker in its environment, or its cwd in the run's directory
 *  and no controlling terminal. Everything the run starts descends from its puppets, which have none
 *  (each runs in a session of its own); a learner's shell that cd'd into the directory has one, and is
 *  not the run's to end. */
export function isOfRun(pid, runId) {
  if (!runId) return false;
  let environ;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return false; // unreadable (another user's) or vanished mid-scan
  }
  // Zombies have an empty environ (and no cwd): they drop out here.
  if (environ.length === 0) return false;
  return environ.split('\0').includes(`${RUN_MARKER}=${runId}`) || (inRunDir(pid, runId) && !hasTerminal(pid));
}

export function markedPids(runId) {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (isOfRun(pid, runId)) pids.push(pid);
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

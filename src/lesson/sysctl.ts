// Reading a sysctl, and changing one for the length of a demo when this process may. A change is always
// undone: when the demo's function ends (however it ends), and through the cleanup registry if the tutor
// itself is ended first (Ctrl-C, a crash), so the machine is left as the learner had it.
//
// Two tutors on one machine must not take each other's temporary value for "the value before": a change is
// made under a lock file that records the value to put back. A tutor killed outright (SIGKILL) leaves the
// file behind, and the next tutor that wants the lock restores the recorded value for it.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from '../demo/cleanup.js';
import { isAlive } from '../demo/marker.js';

/** How long a tutor waits for another one's change to end before running its demo unchanged. */
const LOCK_WAIT_MS = 5000;

function pathOf(name: string): string {
  return `/proc/sys/${name.replace(/\./g, '/')}`;
}

/** The value (trimmed), or undefined when this kernel has no such sysctl or it is unreadable. */
export function readSysctl(name: string): string | undefined {
  try {
    return readFileSync(pathOf(name), 'latin1').trim();
  } catch {
    return undefined;
  }
}

export interface SysctlState {
  /** The value in force while fn runs (undefined: no such sysctl on this kernel). */
  inForce: string | undefined;
  /** The value before; equal to inForce when nothing was changed. */
  before: string | undefined;
  /** Why the wanted value could not be set (EACCES, EROFS, busy, ...), when it could not. */
  refused?: string;
}

const lockPathOf = (name: string) => join(tmpdir(), `hotrestart-tutor-sysctl-${name}.lock`);

/** A lock left by a tutor that died while its change was in force: put the recorded value back. Only our
 *  own files count (anyone may write in the temporary directory), and only a plain number is written. */
function repairStale(name: string): void {
  const lockPath = lockPathOf(name);
  try {
    if (statSync(lockPath).uid !== process.getuid?.()) return;
    const [pid, before] = readFileSync(lockPath, 'latin1').trim().split(' ');
    if (isAlive(Number(pid))) return;
    if (before !== undefined && /^-?\d+$/.test(before)) writeFileSync(pathOf(name), before);
    rmSync(lockPath, { force: true });
  } catch {
    // Gone meanwhile, or not ours to repair.
  }
}

/** Takes the lock for changing `name`; returns its release, or undefined when it stayed busy. */
async function lock(name: string): Promise<{ record: (before: string) => void; release: () => void } | undefined> {
  const lockPath = lockPathOf(name);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return {
        record: (before) => writeFileSync(lockPath, `${process.pid} ${before}\n`),
        release: () => rmSync(lockPath, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
    repairStale(name);
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs fn with sysctl `name` set to `value` when it is not already and this process is allowed to set it;
 * otherwise runs fn with the value as it is. The old value is written back before this resolves.
 */
export async function withSysctl<T>(name: string, value: string, fn: (state: SysctlState) => Promise<T>): Promise<SysctlState & { result: T }> {
  const unchanged = async (before: string | undefined, refused?: string) => {
    const state: SysctlState = refused ? { inForce: before, before, refused } : { inForce: before, before };
    return { ...state, result: await fn(state) };
  };
  repairStale(name);
  if (readSysctl(name) === undefined || readSysctl(name) === value) return unchanged(readSysctl(name));
  const held = await lock(name);
  if (!held) return unchanged(readSysctl(name), 'busy');
  const before = readSysctl(name);
  const path = pathOf(name);
  try {
    if (before === undefined || before === value) return await unchanged(before);
    held.record(before);
    try {
      writeFileSync(path, value);
    } catch (error) {
      return await unchanged(before, (error as NodeJS.ErrnoException).code ?? 'error');
    }
    const restore = () => {
      writeFileSync(path, before);
      held.release();
    };
    const unregister = onCleanup(restore, restore);
    try {
      const state = { inForce: value, before };
      return { ...state, result: await fn(state) };
    } finally {
      unregister();
      writeFileSync(path, before);
    }
  } finally {
    held.release();
  }
}

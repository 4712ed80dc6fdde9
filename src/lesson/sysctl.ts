// Reading a sysctl, and changing one for the length of a demo when this process may. A change is always
// undone: when the demo's function ends (however it ends), through the cleanup registry if the tutor
// itself is ended first (Ctrl-C, a crash), and by the warden if the tutor is killed outright (SIGKILL),
// so the machine is left as the learner had it.
//
// Two tutors on one machine must not take each other's temporary value for "the value before": a change is
// made under a lock file that records the value to put back (see demo/sysctl-guard.ts for where, and why
// there).
import { accessSync, constants, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { onCleanup } from '../demo/cleanup.js';
import { faultPoint } from '../demo/fault.js';
import { lockDirProblem, lockPathOf, readLock, repairStale, sysctlPath as pathOf } from '../demo/sysctl-guard.js';

/** How long a tutor waits for another one's change to end before running its demo unchanged. */
export const LOCK_WAIT_MS = 5000;

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
  /** Why the wanted value could not be set, when it could not: an errno code (EACCES, EPERM, EROFS: it
   *  needs root), 'busy' (another tutor is changing it: see holder), or 'no lock' (no safe place to
   *  record the value to put back). */
  refused?: string;
  /** With refused 'busy': the pid of the tutor whose change is in force. */
  holder?: number;
}

interface Held {
  record: (before: string) => void;
  release: () => void;
}

/** Takes the lock for changing `name`; the holder's pid when it stayed busy past waitMs. */
async function lock(name: string, waitMs: number): Promise<Held | { holder: number }> {
  const lockPath = lockPathOf(name);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return {
        record: (before) => writeFileSync(lockPath, `${process.pid} ${before}\n`),
        release: () => rmSync(lockPath, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    repairStale(name, lockPath);
    if (Date.now() > deadline) return { holder: readLock(lockPath)?.pid ?? 0 };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Why this process may not write the sysctl at all (checked before waiting for anyone), or null. */
function writeProblem(name: string): string | null {
  try {
    accessSync(pathOf(name), constants.W_OK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'EACCES';
  }
  return lockDirProblem() === null ? null : 'no lock';
}

/**
 * Runs fn with sysctl `name` set to `value` when it is not already and this process is allowed to set it;
 * otherwise runs fn with the value as it is. The old value is written back before this resolves.
 */
export async function withSysctl<T>(
  name: string, value: string, fn: (state: SysctlState) => Promise<T>, options: { waitMs?: number } = {},
): Promise<SysctlState & { result: T }> {
  const unchanged = async (before: string | undefined, refusal: Pick<SysctlState, 'refused' | 'holder'> = {}) => {
    const state: SysctlState = { inForce: before, before, ...refusal };
    return { ...state, result: await fn(state) };
  };
  if (readSysctl(name) === undefined) return unchanged(undefined);
  const problem = writeProblem(name);
  if (problem !== null) return unchanged(readSysctl(name), readSysctl(name) === value ? {} : { refused: problem });
  // Locked even when the value is already the wanted one: it may be another tutor's temporary value,
  // which that tutor will put back in the middle of our demo.
  let held: Held;
  try {
    const taken = await lock(name, options.waitMs ?? LOCK_WAIT_MS);
    if ('holder' in taken) return unchanged(readSysctl(name), { refused: 'busy', holder: taken.holder });
    held = taken;
  } catch {
    return unchanged(readSysctl(name), { refused: 'no lock' });
  }
  const before = readSysctl(name);
  const path = pathOf(name);
  try {
    if (before === undefined || before === value) return await unchanged(before);
    held.record(before);
    try {
      writeFileSync(path, value);
    } catch (error) {
      return await unchanged(before, { refused: (error as NodeJS.ErrnoException).code ?? 'error' });
    }
    faultPoint('sysctl-set');
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

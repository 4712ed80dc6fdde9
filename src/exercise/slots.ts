// Verify slots: a machine-wide limit on how many verifies run at once, shared by every user. Checks
// measure time (a listener refused within 0.3 s, no request failing under load), so thirty learners
// verifying at the same moment on two cores must queue rather than all run slowly and wrongly.
// A slot is an flock(2) on a file in a shared sticky directory: the kernel releases it when its holder
// ends, however it ends (SIGKILL included), so a crashed verify never keeps a slot.
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cfunc } from '../sys/libc.js';

const LOCK_EX = 2;
const LOCK_NB = 4;

export interface Slot {
  index: number;
  release(): void;
}

/** Slots: HOTRESTART_TUTOR_VERIFY_SLOTS, else one per CPU core. */
export function slotCount(env: NodeJS.ProcessEnv = process.env): number {
  const wanted = Number(env.HOTRESTART_TUTOR_VERIFY_SLOTS);
  return Number.isInteger(wanted) && wanted > 0 ? wanted : Math.max(1, availableParallelism());
}

function slotDir(): string {
  const dir = join(tmpdir(), 'hotrestart-tutor-verify-slots');
  try {
    mkdirSync(dir, { mode: 0o1777 });
    chmodSync(dir, 0o1777); // umask took bits away: everyone must be able to create a slot file
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const info = statSync(dir);
  if (!info.isDirectory() || (info.mode & 0o1000) === 0) throw new Error(`${dir} is not a sticky shared directory`);
  return dir;
}

function tryLock(path: string): number | null {
  let fd: number;
  try {
    fd = openSync(path, 'a+', 0o644); // created by the first user; others only read it
  } catch {
    try {
      fd = openSync(path, 'r');
    } catch {
      return null;
    }
  }
  if (cfunc('int flock(int, int)', 'flock')(fd, LOCK_EX | LOCK_NB) === 0) return fd;
  closeSync(fd);
  return null;
}

/** Waits for a free slot (calling onWait once if it has to), then holds it until release(). */
export async function acquireSlot(options: { count?: number; signal?: AbortSignal; onWait?: () => void; dir?: string } = {}): Promise<Slot> {
  const count = options.count ?? slotCount();
  const dir = options.dir ?? slotDir();
  let warned = false;
  for (;;) {
    for (let index = 0; index < count; index++) {
      const fd = tryLock(join(dir, `slot-${index}`));
      if (fd !== null) return { index, release: () => closeSync(fd) };
    }
    if (!warned) {
      warned = true;
      options.onWait?.();
    }
    if (options.signal?.aborted) throw new Error('cancelled while waiting for a verify slot');
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
  }
}

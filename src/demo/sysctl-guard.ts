// Where a tutor that changes a sysctl records the value to put back, so that whoever outlives it (its
// warden, or the next tutor) can restore it. One lock file per sysctl and network namespace (net.*
// sysctls are per namespace) in /run/hotrestart-tutor: /run is writable by root only, so no other user
// can pre-create the lock, and it does not depend on TMPDIR, so every tutor of the machine agrees.
// Only root can change these sysctls anyway.
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './marker.js';

export const LOCK_DIR = '/run/hotrestart-tutor';

export function sysctlPath(name: string): string {
  return `/proc/sys/${name.replace(/\./g, '/')}`;
}

/** The inode of this process's network namespace, e.g. 4026531833; 'host' when it cannot be read. */
function netns(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1] ?? 'host';
  } catch {
    return 'host';
  }
}

const LOCK_FILE = /^sysctl-([a-z0-9_.]+)-net(\w+)\.lock$/;

export function lockPathOf(name: string): string {
  return join(LOCK_DIR, `sysctl-${name}-net${netns()}.lock`);
}

/** Creates the lock directory if needed and checks it is root's (or ours) and writable by no one else.
 *  Returns why it cannot be used, or null. */
export function lockDirProblem(): string | null {
  try {
    mkdirSync(LOCK_DIR, { mode: 0o755 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') return code ?? 'error';
  }
  try {
    const st = lstatSync(LOCK_DIR);
    if (!st.isDirectory()) return 'ENOTDIR';
    if (st.uid !== 0 && st.uid !== process.getuid?.()) return 'not root\'s';
    if ((st.mode & 0o022) !== 0) return 'writable by others';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  }
  return null;
}

export interface LockContent {
  pid: number;
  /** The value to put back; undefined until the holder recorded it (it changes nothing before). */
  before: string | undefined;
}

export function readLock(lockPath: string): LockContent | undefined {
  try {
    const [pid, before] = readFileSync(lockPath, 'latin1').trim().split(' ');
    return { pid: Number(pid), before: before !== undefined && /^-?\d+$/.test(before) ? before : undefined };
  } catch {
    return undefined;
  }
}

/** A lock whose holder died with its change in force: put the recorded value back and remove the lock.
 *  Returns true when a value was restored. */
export function repairStale(name: string, lockPath = lockPathOf(name)): boolean {
  const lock = readLock(lockPath);
  if (!lock || (Number.isSafeInteger(lock.pid) && lock.pid > 0 && isAlive(lock.pid))) return false;
  let restored = false;
  try {
    if (lock.before !== undefined) {
      writeFileSync(sysctlPath(name), lock.before);
      restored = true;
    }
    rmSync(lockPath, { force: true });
  } catch {
    // Not ours to repair (no right to write the sysctl): leave it for root.
  }
  return restored;
}

/** The warden's last act: every lock of this network namespace whose holder is dead is repaired. */
export function repairAllStale(): string[] {
  const restored: string[] = [];
  let names: string[];
  try {
    names = readdirSync(LOCK_DIR);
  } catch {
    return restored;
  }
  const ns = netns();
  for (const file of names) {
    const match = LOCK_FILE.exec(file);
    if (match && match[2] === ns && repairStale(match[1], join(LOCK_DIR, file))) restored.push(match[1]);
  }
  return restored;
}

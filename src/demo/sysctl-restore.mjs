// Where a tutor that changes a sysctl records the value to put back, so that whoever outlives it (its
// warden, or the next tutor) can restore it. One lock file per sysctl and network namespace (net.*
// sysctls are per namespace) in /run/hotrestart-tutor: /run is writable by root only, so no other user
// can pre-create the lock, and it does not depend on TMPDIR, so every tutor of the machine agrees.
// Only root can change these sysctls anyway. Plain JavaScript (types in sysctl-restore.d.mts): the
// warden runs it without a TypeScript loader.
import { readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './sweep.mjs';

export const LOCK_DIR = '/run/hotrestart-tutor';

export function sysctlPath(name) {
  return `/proc/sys/${name.replace(/\./g, '/')}`;
}

/** The inode of this process's network namespace, e.g. 4026531833; 'host' when it cannot be read. */
function netns() {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1] ?? 'host';
  } catch {
    return 'host';
  }
}

const LOCK_FILE = /^sysctl-([a-z0-9_.]+)-net(\w+)\.lock$/;

export function lockPathOf(name) {
  return join(LOCK_DIR, `sysctl-${name}-net${netns()}.lock`);
}

export function readLock(lockPath) {
  try {
    const [pid, before] = readFileSync(lockPath, 'latin1').trim().split(' ');
    return { pid: Number(pid), before: before !== undefined && /^-?\d+$/.test(before) ? before : undefined };
  } catch {
    return undefined;
  }
}

export function repairStale(name, lockPath = lockPathOf(name)) {
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

export function repairAllStale() {
  const restored = [];
  let names;
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

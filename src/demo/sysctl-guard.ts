// The sysctl lock directory, checked before a tutor writes a lock there; the lock files themselves and
// their repair are in sysctl-restore.mjs, which the warden shares.
import { lstatSync, mkdirSync } from 'node:fs';
import { LOCK_DIR } from './sysctl-restore.mjs';

export { LOCK_DIR, lockPathOf, readLock, repairAllStale, repairStale, sysctlPath, type LockContent } from './sysctl-restore.mjs';

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

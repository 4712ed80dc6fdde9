// A lock file beside the progress file, so that two tutors saving at once do not lose each other's
// record: read, modify and write happen while holding it. O_EXCL creation is atomic on every local
// file system; the file holds the owner's pid, so a lock left by a tutor that was killed is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

/** A save takes milliseconds; waiting longer than this means something is wrong, and we say so. */
const WAIT_MS = 5000;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

function ownerAlive(lockPath: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lockPath, 'latin1').trim());
  } catch {
    return true; // gone meanwhile: try again
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return false; // a crash between create and write
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs fn while holding `${path}.lock`; synchronous like the rest of the store. */
export function withFileLock<T>(path: string, fn: () => T): T {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + WAIT_MS;
  let staleSince: number | null = null;
  for (;;) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o644);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Where no lock can be created, no other tutor of ours can save either: the read goes ahead, and a
      // save, if one is attempted, reports the same error itself.
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return fn();
      if (code !== 'EEXIST') throw error;
      if (!ownerAlive(lockPath)) {
        // Seen dead twice, some time apart: a live owner that just created the file writes its pid in between.
        if (staleSince !== null && Date.now() - staleSince > 50) rmSync(lockPath, { force: true });
        staleSince ??= Date.now();
      } else {
        staleSince = null;
      }
      if (Date.now() > deadline) {
        throw Object.assign(new Error(`${lockPath} is held by another tutor`), { code: 'EBUSY' });
      }
      sleep(5 + Math.random() * 10);
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      return fn();
    } finally {
      rmSync(lockPath, { force: true });
    }
  }
}

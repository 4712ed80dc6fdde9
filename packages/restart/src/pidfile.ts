// The PID file names the process that is current: the one a supervisor or an operator signals. It is
// replaced atomically (write a temporary file beside it, then rename over it), so a reader never sees
// an empty or half-written file, and it is written by the process that becomes current: the successor
// when it is ready, or the old process again when its successor failed.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writePidFile(path: string, pid: number = process.pid): void {
  // Same directory, so rename(2) stays within one filesystem and is atomic.
  const temporary = join(dirname(path), `.${basename(path)}.${pid}.tmp`);
  try {
    writeFileSync(temporary, `${pid}\n`, { mode: 0o644 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The pid in the file, or null when there is no file or no number in it. */
export function readPidFile(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'latin1').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

// mini-nginx's error log, in nginx's line format, so the lesson reads both programs' logs the same way:
//   2026/11/29 07:04:38 [notice] 13723#13723: using inherited sockets from "3;"
// Lines below the configured level are dropped (nginx's default level is `error`; the lines about signals
// and inherited sockets are `notice`). The file is held open in append mode, as nginx holds it; several
// processes append to it and O_APPEND keeps each line whole.
import { closeSync, openSync, writeSync } from 'node:fs';
import { dup2 } from '../../../src/sys/fd.js';
import { LOG_LEVELS, type LogLevel } from './conf.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** nginx's time stamp: local time, `YYYY/MM/DD HH:MM:SS`. */
export function stamp(date = new Date()): string {
  return `${date.getFullYear()}/${pad(date.getMonth() + 1)}/${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export class ErrorLog {
  private fd: number;

  /** `file` 'stderr' writes to fd 2 (nginx's `-e stderr`). Throws the open() error as nginx words it
   *  when the file cannot be opened. `fd`: the file is already open there. */
  constructor(
    readonly file: string,
    readonly level: LogLevel,
    fd?: number,
  ) {
    this.fd = fd ?? openLog(file);
  }

  /** A worker's log: `file` already open at its fd 2, inherited from the master (one description, as a
   *  forked nginx worker shares its master's log). */
  static onStderr(file: string, level: LogLevel): ErrorLog {
    return new ErrorLog(file, level, 2);
  }

  get openFd(): number {
    return this.fd;
  }

  log(level: LogLevel, message: string): void {
    if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(this.level)) return;
    try {
      writeSync(this.fd, `${stamp()} [${level}] ${process.pid}#${process.pid}: ${message}\n`);
    } catch {
      // A log that cannot be written must not take the server down (nginx ignores such errors too).
    }
  }

  /** USR1: a rotated log file is opened again under its name (at fd 2 again when it was there). */
  reopen(): void {
    if (this.file === STDERR) return;
    const fd = openLog(this.file);
    if (this.fd === 2) {
      dup2(fd, 2);
      closeSync(fd);
      return;
    }
    closeSync(this.fd);
    this.fd = fd;
  }

  close(): void {
    if (this.fd !== 2) closeSync(this.fd);
  }
}

export const STDERR = 'stderr';

function openLog(file: string): number {
  if (file === STDERR) return 2;
  try {
    return openSync(file, 'a', 0o644);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new Error(`open() "${file}" failed (${e.errno ? -e.errno : 0}: ${e.code})`);
  }
}

// errno numbers -> names and messages, and the error every failed syscall throws.
// Names come from Node's own table (os.constants.errno), messages from the C library's strerror,
// so both match what strace and the man pages print on this platform.
import { constants } from 'node:os';
import { cfunc, tryFfi } from './libc.js';

const namesByNumber = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  // Keep the first name for aliases (EAGAIN before EWOULDBLOCK in Node's table).
  if (!namesByNumber.has(value)) namesByNumber.set(value, name);
}

export function errnoName(errno: number): string {
  return namesByNumber.get(errno) ?? `E${errno}`;
}

export function errnoMessage(errno: number): string {
  if (!tryFfi()) return errnoName(errno);
  const strerror = cfunc('const char *strerror(int errnum)');
  return String(strerror(errno));
}

/** A syscall returned -1. `call` is how it was made (`dup(99)`), `code` the errno name. */
export class SysError extends Error {
  readonly code: string;
  readonly description: string;
  constructor(readonly call: string, readonly errno: number) {
    const code = errnoName(errno);
    const description = errnoMessage(errno);
    super(`${code}: ${description}`);
    this.name = 'SysError';
    this.code = code;
    this.description = description;
  }
  /** strace style: `close(99) = -1 EBADF (Bad file descriptor)` */
  get logLine(): string {
    return `${this.call} = -1 ${this.code} (${this.description})`;
  }
}

/** Reads errno after a call that returned a negative value, and throws. */
export function fail(call: string | (() => string)): never {
  const { koffi } = tryFfi()!;
  const errno = koffi.errno();
  throw new SysError(typeof call === 'string' ? call : call(), errno);
}

/**
 * Returns `ret` when the call succeeded, throws a SysError with the current errno otherwise.
 * Hot paths pass `call` as a function so the strace-style text is only built on failure.
 */
export function check(ret: number | bigint, call: string | (() => string)): number {
  const value = Number(ret);
  if (value < 0) fail(call);
  return value;
}

// The puppet's syscall log: one strace-style line per call that changes something, in the order made.
// Lookups the puppet makes only to build its answer (getsockname for the port, poll before accept) are
// not logged; calls libuv makes on the puppet's behalf are, marked "(by libuv)".
import * as sys from '../sys/index.js';

export class Trace {
  readonly lines: string[] = [];

  /** Makes one call and logs `text = <show(result)>`; on a SysError logs `text = -1 ECODE (message)`
   *  and rethrows, so the log stops at the failing call. */
  call<T>(text: string, fn: () => T, show: (value: T) => string = defaultShow): T {
    return this.callWith(text, fn, (value) => `${text} = ${show(value)}`);
  }

  /** Like call, for calls whose arguments read better once the result is known (strace shows the bytes
   *  read in place of the buffer): `line` writes the whole success line; `text` is used on failure. */
  callWith<T>(text: string, fn: () => T, line: (value: T) => string): T {
    let value: T;
    try {
      value = fn();
    } catch (error) {
      if (error instanceof sys.SysError) this.failed(text, error);
      throw error;
    }
    this.lines.push(line(value));
    return value;
  }

  failed(text: string, error: sys.SysError): void {
    this.lines.push(`${text} = -1 ${error.code} (${error.description})`);
  }

  note(line: string): void {
    this.lines.push(line);
  }
}

function defaultShow(value: unknown): string {
  return value === undefined ? '0' : String(value);
}

/** A string argument as strace prints it: quoted, escaped, cut after `max` bytes with "...". */
export function quote(text: string, max = 32): string {
  const shown = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? `${shown}...` : shown;
}

const statusFlagNames: Array<[number, string]> = [
  [sys.O_NONBLOCK, 'O_NONBLOCK'],
  [sys.O_APPEND, 'O_APPEND'],
  [sys.O_CREAT, 'O_CREAT'],
  [sys.O_TRUNC, 'O_TRUNC'],
  [sys.O_CLOEXEC, 'O_CLOEXEC'],
];

/** Open/status flags symbolically: `O_RDWR|O_NONBLOCK`. */
export function openFlagsText(flags: number): string {
  const access = ['O_RDONLY', 'O_WRONLY', 'O_RDWR'][flags & sys.O_ACCMODE] ?? String(flags & sys.O_ACCMODE);
  return [access, ...statusFlagNames.filter(([bit]) => flags & bit).map(([, name]) => name)].join('|');
}

export function socketTypeText(type: number): string {
  const extras = [type & sys.SOCK_NONBLOCK ? 'SOCK_NONBLOCK' : '', type & sys.SOCK_CLOEXEC ? 'SOCK_CLOEXEC' : ''];
  return [sys.typeNames[type & 0xf] ?? String(type & 0xf), ...extras.filter(Boolean)].join('|');
}

export function domainText(domain: number): string {
  return sys.domainNames[domain] ?? String(domain);
}

/** An address argument: `127.0.0.1:41234`, `[::1]:41234`, or a quoted unix path. */
export function addrText(addr: sys.SockAddr): string {
  return addr.family === 'unix' ? JSON.stringify(addr.path) : sys.formatSockAddr(addr);
}

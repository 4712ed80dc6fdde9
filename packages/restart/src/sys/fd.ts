// File-descriptor calls: dup, dup2, close, fcntl, kcmp, open, read, write, lseek.
// Each returns the kernel's answer or throws a SysError carrying the call as strace would print it.
import { check } from './errno.js';
import { cfunc, requireFfi } from './libc.js';
import { F_GETFD, F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, KCMP_FILE, O_NONBLOCK, SYS_kcmp } from './constants.js';

export function dup(fd: number): number {
  return check(cfunc('int dup(int)', 'dup')(fd), `dup(${fd})`);
}

export function dup2(oldFd: number, newFd: number): number {
  return check(cfunc('int dup2(int, int)', 'dup2')(oldFd, newFd), `dup2(${oldFd}, ${newFd})`);
}

export function close(fd: number): void {
  check(cfunc('int close(int)', 'close')(fd), `close(${fd})`);
}

const fcntlCommandNames: Record<number, string> = { 0: 'F_DUPFD', 1: 'F_GETFD', 2: 'F_SETFD', 3: 'F_GETFL', 4: 'F_SETFL', 1030: 'F_DUPFD_CLOEXEC' };

/** fcntl(fd, cmd[, arg]). Declared variadic, as in C, so the argument is passed right on every ABI. */
export function fcntl(fd: number, cmd: number, arg?: number): number {
  const fn = cfunc('int fcntl(int, int, ...)', 'fcntl');
  const name = fcntlCommandNames[cmd] ?? String(cmd);
  const call = arg === undefined ? `fcntl(${fd}, ${name})` : `fcntl(${fd}, ${name}, ${formatFcntlArg(cmd, arg)})`;
  const ret = arg === undefined ? fn(fd, cmd) : fn(fd, cmd, 'int', arg);
  return check(ret, call);
}

function formatFcntlArg(cmd: number, arg: number): string {
  if (cmd === F_SETFD) return arg & FD_CLOEXEC ? 'FD_CLOEXEC' : '0';
  if (cmd === F_SETFL) return `0${arg.toString(8)}`;
  return String(arg);
}

/** Sets or clears O_NONBLOCK on the open file description behind fd (shared by every dup and inheritor). */
export function setNonBlocking(fd: number, on: boolean): number {
  const flags = fcntl(fd, F_GETFL);
  const next = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
  return fcntl(fd, F_SETFL, next);
}

/** Sets or clears FD_CLOEXEC on this fd only. */
export function setCloseOnExec(fd: number, on: boolean): number {
  const flags = fcntl(fd, F_GETFD);
  const next = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
  return fcntl(fd, F_SETFD, next);
}

export function isNonBlocking(fd: number): boolean {
  return (fcntl(fd, F_GETFL) & O_NONBLOCK) !== 0;
}

export function isCloseOnExec(fd: number): boolean {
  return (fcntl(fd, F_GETFD) & FD_CLOEXEC) !== 0;
}

/** True when kcmp(2) can be called here (Linux on x86_64 or arm64 with the FFI loaded). */
export function kcmpSupported(): boolean {
  return process.platform === 'linux' && SYS_kcmp[process.arch] !== undefined;
}

/**
 * kcmp(pid1, pid2, KCMP_FILE, fd1, fd2): 0 when both fds refer to the same open file description,
 * 1 or 2 for an ordering of the two kernel pointers (stable within one boot, so usable for sorting),
 * 3 when they differ but cannot be ordered. Needs ptrace read access to both processes.
 */
export function kcmpFile(pid1: number, fd1: number, pid2: number, fd2: number): number {
  const nr = SYS_kcmp[process.arch];
  if (process.platform !== 'linux' || nr === undefined) {
    requireFfi('kcmp');
    throw new Error(`kcmp is not available on ${process.platform}/${process.arch}`);
  }
  // glibc's syscall() is an assembly shim that only moves registers, so a fixed prototype is safe on
  // x86_64 and arm64 Linux and costs half of a variadic koffi call (a snapshot may make hundreds).
  const syscall = cfunc('long syscall(long, int, int, int, ulong, ulong)', 'kcmp');
  const ret = syscall(nr, pid1, pid2, KCMP_FILE, fd1, fd2);
  return check(ret, `kcmp(${pid1}, ${pid2}, KCMP_FILE, ${fd1}, ${fd2})`);
}

export function open(path: string, flags: number, mode = 0o644): number {
  const fn = cfunc('int open(const char *, int, ...)', 'open');
  return check(fn(path, flags, 'uint32', mode), `open(${JSON.stringify(path)}, 0${flags.toString(8)})`);
}

export function read(fd: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const n = check(cfunc('long read(int, void *, size_t)', 'read')(fd, buffer, length), `read(${fd}, …, ${length})`);
  return buffer.subarray(0, n);
}

export function write(fd: number, data: Buffer | string): number {
  const buffer = typeof data === 'string' ? Buffer.from(data) : data;
  return check(cfunc('long write(int, const void *, size_t)', 'write')(fd, buffer, buffer.length), `write(${fd}, …, ${buffer.length})`);
}

const whenceNames = ['SEEK_SET', 'SEEK_CUR', 'SEEK_END'];
export function lseek(fd: number, offset: number, whence = 0): number {
  const fn = cfunc('int64 lseek(int, int64, int)', 'lseek');
  return check(fn(fd, offset, whence), `lseek(${fd}, ${offset}, ${whenceNames[whence] ?? whence})`);
}

/** pipe2(flags): [readEnd, writeEnd]. Two fds, two open file descriptions, one pipe inode. */
export function pipe2(flags = 0): [number, number] {
  const fds = Buffer.alloc(8);
  check(cfunc('int pipe2(void *, int)', 'pipe')(fds, flags), `pipe2([…], ${flags ? '0' + flags.toString(8) : '0'})`);
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

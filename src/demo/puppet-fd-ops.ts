// Ops on file descriptors as such: dup, dup2, close, fcntl, and plain files (open, read, write, lseek).
import * as sys from '../sys/index.js';
import { type OpTable, privatePath, waitReadable } from './puppet-op.js';
import { OpError } from './puppet-state.js';
import { openFlagsText, quote } from './trace.js';

const openModes = {
  r: sys.O_RDONLY,
  w: sys.O_WRONLY | sys.O_CREAT | sys.O_TRUNC,
  rw: sys.O_RDWR | sys.O_CREAT,
  a: sys.O_WRONLY | sys.O_CREAT | sys.O_APPEND,
} as const;
const whences = { set: 0, cur: 1, end: 2 } as const;
const MAX_READ = 65536;

const showStatusFlags = (flags: number) => `0x${flags.toString(16)} (flags ${openFlagsText(flags)})`;
const showFdFlags = (flags: number) => (flags & sys.FD_CLOEXEC ? '0x1 (flags FD_CLOEXEC)' : '0');

export const fdOps: OpTable<'dup' | 'dup2' | 'close' | 'fcntl' | 'open' | 'read' | 'write' | 'lseek' | 'exit'> = {
  dup({ fd }, { trace, state }) {
    state.assertLessonFd(fd);
    const copy = trace.call(`dup(${fd})`, () => sys.dup(fd));
    state.adopt(copy);
    return { fd: copy };
  },

  dup2({ fd, to }, { trace, state }) {
    state.assertLessonFd(fd);
    state.assertLessonFd(to);
    state.assertNotServerFd(to, 'close it with server-close first');
    trace.call(`dup2(${fd}, ${to})`, () => sys.dup2(fd, to));
    state.adopt(to);
    return { fd: to };
  },

  close({ fd }, { trace, state }) {
    state.assertLessonFd(fd);
    state.assertNotServerFd(fd, 'use server-close, or dup it first and close the copy');
    trace.call(`close(${fd})`, () => sys.close(fd));
    state.forget(fd);
    return { fd };
  },

  /** O_NONBLOCK lives in the open file description (every dup and every inheritor sees the change);
   *  FD_CLOEXEC lives in this fd alone. Both are read-modify-write, as a C program would do it. */
  fcntl({ fd, nonblock, cloexec }, { trace, state }) {
    state.assertLessonFd(fd);
    let flags = trace.call(`fcntl(${fd}, F_GETFL)`, () => sys.fcntl(fd, sys.F_GETFL), showStatusFlags);
    if (nonblock !== undefined) {
      const next = nonblock ? flags | sys.O_NONBLOCK : flags & ~sys.O_NONBLOCK;
      trace.call(`fcntl(${fd}, F_SETFL, ${openFlagsText(next)})`, () => sys.fcntl(fd, sys.F_SETFL, next));
      flags = next;
    }
    let fdFlags = trace.call(`fcntl(${fd}, F_GETFD)`, () => sys.fcntl(fd, sys.F_GETFD), showFdFlags);
    if (cloexec !== undefined) {
      const next = cloexec ? fdFlags | sys.FD_CLOEXEC : fdFlags & ~sys.FD_CLOEXEC;
      trace.call(`fcntl(${fd}, F_SETFD, ${next & sys.FD_CLOEXEC ? 'FD_CLOEXEC' : '0'})`, () => sys.fcntl(fd, sys.F_SETFD, next));
      fdFlags = next;
    }
    return { fd, nonblock: (flags & sys.O_NONBLOCK) !== 0, cloexec: (fdFlags & sys.FD_CLOEXEC) !== 0 };
  },

  /** Every fd a puppet makes is close-on-exec, as Node's own are; clear it with fcntl to watch a leak. */
  open({ path, mode }, { trace, state }) {
    const relative = privatePath(path);
    if (!(mode in openModes)) throw new OpError(`open mode is r, w, rw or a, not ${String(mode)}.`);
    const flags = openModes[mode] | sys.O_CLOEXEC;
    const creates = (flags & sys.O_CREAT) !== 0;
    const text = `open(${quote(relative, 100)}, ${openFlagsText(flags)}${creates ? ', 0644' : ''})`;
    const fd = trace.call(text, () => sys.open(relative, flags, 0o644));
    state.adopt(fd);
    return { fd };
  },

  read({ fd, length }, { trace, state }) {
    state.assertLessonFd(fd);
    const size = Math.min(Math.max(1, Math.trunc(length) || 1), MAX_READ);
    waitReadable(trace, fd, 100, `read(${fd})`, 'nothing to read');
    const data = trace.callWith(`read(${fd}, …, ${size})`, () => sys.read(fd, size), (bytes) => `read(${fd}, ${quote(bytes.toString())}, ${size}) = ${bytes.length}`);
    return { fd, data: data.toString(), bytes: data.length };
  },

  write({ fd, data }, { trace, state }) {
    state.assertLessonFd(fd);
    const bytes = Buffer.from(String(data));
    const written = trace.call(`write(${fd}, ${quote(String(data))}, ${bytes.length})`, () => sys.write(fd, bytes));
    return { fd, bytes: written };
  },

  lseek({ fd, offset, whence = 'set' }, { trace, state }) {
    state.assertLessonFd(fd);
    if (!(whence in whences)) throw new OpError(`whence is set, cur or end, not ${String(whence)}.`);
    const position = trace.call(`lseek(${fd}, ${offset}, SEEK_${whence.toUpperCase()})`, () => sys.lseek(fd, offset, whences[whence]));
    return { fd, offset: position };
  },

  /** The puppet exits after this reply has been written (see puppet.ts). */
  exit({ code = 0 }, { trace }) {
    if (!Number.isInteger(code) || code < 0 || code > 255) throw new OpError(`an exit code is 0 to 255, not ${code}.`);
    trace.note(`exit_group(${code}) = ?`);
    return { code };
  },
};

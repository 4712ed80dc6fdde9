// Reads one process's fd table from /proc: the fd numbers, what each links to, and its fdinfo.
// Synchronous on purpose: these are tiny pseudo-files answered from kernel memory, and a sync read
// of ~250 fds costs a few milliseconds where the async version pays per-call promise overhead.
import { closeSync, existsSync, openSync, readdirSync, readlinkSync, readSync, statSync } from 'node:fs';
import type { ProcessInfo } from './model.js';
import * as sys from '../sys/index.js';
import { dropProcessHandle, keptFds, processHandle, readFdinfo, releaseProcessHandle, type ProcessHandle } from './fdinfo-cache.js';

export interface RawFd {
  fd: number;
  /** The /proc/PID/fd/N link text: a path, `socket:[123]`, `pipe:[123]`, `anon_inode:[eventfd]`. */
  link: string;
  /** fdinfo: `pos:`, `flags:` (octal), `ino:`, `mnt_id:`; null when the fd closed while we read. */
  pos: number | null;
  flags: number | null;
  flagsRaw: string | null;
  ino: number | null;
  mntId: number | null;
  /** eventfd only: the kernel's id of the eventfd context, which has exactly one open file description. */
  eventfdId: number | null;
  /** For paths only: the target's mode, device and inode from stat(2) through the magic link. */
  mode: number | null;
  device: string | null;
  statIno: number | null;
}

export interface RawProcess {
  info: ProcessInfo;
  fds: RawFd[];
}

export function readComm(pid: number): string | null {
  try {
    return readSmall(`/proc/${pid}/comm`).trimEnd();
  } catch {
    return null;
  }
}

/** `listed`: the fd directory could be listed (so its count is known) but an fd in it could not be read. */
function statusOf(pid: number, error: NodeJS.ErrnoException, listed: number | null = null): ProcessInfo {
  if (error.code === 'ENOENT' || error.code === 'ESRCH') {
    return { pid, command: null, status: 'gone', message: `No process with pid ${pid}.`, fdCount: 0 };
  }
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    // Listing /proc/PID/fd needs only read access to the directory; reading what an fd refers to needs
    // ptrace access. Root without CAP_SYS_PTRACE (Docker's default) gets the first and not the second.
    const message = listed === null
      ? `Not allowed to read the fds of pid ${pid} (another user's process); run as that user or as root.`
      : `Not allowed to read the fds of pid ${pid}: its ${listed} fds can be listed but not read (${error.code}), which needs ptrace access; run as that user, or as root with CAP_SYS_PTRACE (docker run --cap-add=SYS_PTRACE).`;
    return { pid, command: readComm(pid), status: 'denied', message, fdCount: listed ?? 0 };
  }
  return { pid, command: readComm(pid), status: 'error', message: `Could not read the fds of pid ${pid}: ${error.message}.`, fdCount: listed ?? 0 };
}

/** Only these mean "the fd closed between readdir and the read"; anything else is a blind spot. */
const closedMeanwhile = new Set(['ENOENT', 'EBADF']);

// One scratch buffer for every fdinfo read: readFileSync would fstat, allocate and decode per file,
// which was half the cost of a snapshot. fdinfo's first lines fit easily in 4 KiB.
const scratch = Buffer.alloc(4096);

function readSmall(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, scratch, 0, scratch.length, 0);
    return scratch.toString('latin1', 0, n);
  } finally {
    closeSync(fd);
  }
}

type Fdinfo = Readonly<Pick<RawFd, 'pos' | 'flags' | 'flagsRaw' | 'ino' | 'mntId' | 'eventfdId'> & { namesKind: boolean }>;

/** The lines every fdinfo has (lock: lines come with file locks on any kind of file). */
const commonKeys = new Set(['pos', 'flags', 'mnt_id', 'ino', 'lock']);

function parseFdinfo(text: string): Fdinfo {
  let namesKind = false;
  let eventfdId: number | null = null;
  let pos: number | null = null;
  let flagsRaw: string | null = null;
  let ino: number | null = null;
  let mntId: number | null = null;
  // Only the first lines matter; epoll/inotify fdinfo append per-watch lines after them.
  for (const line of text.split('\n', 6)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'pos') pos = Number(value);
    else if (key === 'flags') flagsRaw = value;
    else if (key === 'ino') ino = Number(value);
    else if (key === 'mnt_id') mntId = Number(value);
    else if (key === 'eventfd-id') eventfdId = Number(value);
    if (!commonKeys.has(key)) namesKind = true;
  }
  return { pos, flagsRaw, flags: flagsRaw === null ? null : parseInt(flagsRaw, 8), ino, mntId, eventfdId, namesKind };
}

/**
 * The link text of anon-inode fds (`anon_inode:[eventpoll]`), by the fdinfo text it was read with.
 * Every kind of anon fd shares one inode (same mnt_id and ino), so what tells kinds apart is the
 * lines each kind adds to its fdinfo (eventfd-count, tfd, clockid, sigmask, inotify wd, Pid...):
 * no two kinds print the same keys, so the same text with such a line is the same kind, and an
 * anon fd has no path that a rename could change. The text is read afresh every snapshot; only the
 * readlink is saved. Texts without such a line (an epoll with no watch yet) are read every time.
 */
const anonLinks = new WeakMap<Fdinfo, string>();

function anonLinkOf(info: Fdinfo, link: string): string {
  if (info.namesKind && link.startsWith('anon_inode:')) anonLinks.set(info, link);
  return link;
}

// Sockets and pipes live on the kernel's internal sockfs and pipefs mounts; fdinfo names the mount
// (mnt_id) and the inode, so once a mount is known to be sockfs or pipefs, the link text
// `socket:[ino]` / `pipe:[ino]` follows without a readlink. That skips a third of a server's syscalls.
const internalMounts = new Map<number, 'socket' | 'pipe'>();

function linkFromMount(info: { mntId: number | null; ino: number | null }): string | null {
  if (info.mntId === null || info.ino === null) return null;
  const kind = internalMounts.get(info.mntId);
  return kind ? `${kind}:[${info.ino}]` : null;
}

function learnMount(info: { mntId: number | null; ino: number | null }, link: string): string {
  if (info.mntId !== null && info.ino !== null) {
    if (link === `socket:[${info.ino}]`) internalMounts.set(info.mntId, 'socket');
    else if (link === `pipe:[${info.ino}]`) internalMounts.set(info.mntId, 'pipe');
  }
  return link;
}

/** How one process's fd links and fdinfo files are read: koffi *at() calls when available, else node:fs. */
interface FdReader {
  /** Fd names to read: the listing of /proc/PID/fd. */
  names: string[];
  /** Fds the reader itself holds open while reading; hidden when a process snapshots itself. */
  own(): Set<string>;
  link(name: string): string;
  info(name: string): Fdinfo;
  stat(name: string, link: string): Pick<RawFd, 'mode' | 'device' | 'statIno'>;
  comm(): string | null;
  close(): void;
}

const direntBuffer = Buffer.alloc(32 * 1024);
const statxBuffer = Buffer.alloc(256);
const noStat = { mode: null, device: null, statIno: null };

/** Lists the fds through a kept handle; a handle of an ended process is dropped and opened once more. */
function listThroughHandle(pid: number): { handle: ProcessHandle; names: string[] } | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    let handle: ProcessHandle;
    try {
      handle = processHandle(pid);
    } catch {
      return null; // let node:fs produce the ENOENT/EACCES the status is made from
    }
    try {
      return { handle, names: sys.directoryNames(handle.fdDir, direntBuffer) };
    } catch {
      dropProcessHandle(pid, handle); // that process ended (its pid may already be another's)
    }
  }
  return null;
}

function handleReader(pid: number): FdReader | null {
  const listed = listThroughHandle(pid);
  if (!listed) return null;
  const { handle, names } = listed;
  return {
    names,
    own: () => new Set([String(handle.fdDir), String(handle.infoDir), String(handle.comm), ...keptFds()]),
    link: (name) => sys.readlinkAt(handle.fdDir, name, scratch),
    info: (name) => readFdinfo(pid, handle.infoDir, name, scratch, parseFdinfo),
    stat: (name, link) => (link.startsWith('/') ? statAt(handle.fdDir, name) : noStat),
    comm: () => {
      const n = sys.preadStart(handle.comm, scratch);
      return n < 0 ? null : scratch.toString('latin1', 0, n).trimEnd();
    },
    close: () => releaseProcessHandle(pid, handle),
  };
}

function fsReader(pid: number, names: string[]): FdReader {
  return {
    names,
    own: () => new Set(),
    link: (name) => readlinkSync(`/proc/${pid}/fd/${name}`),
    info: (name) => parseFdinfo(readSmall(`/proc/${pid}/fdinfo/${name}`)),
    stat: (name, link) => statTarget(pid, name, link),
    comm: () => readComm(pid),
    close: () => {},
  };
}

/** Reads every fd of one pid. A vanished or unreadable pid comes back as a status, never a throw. */
export function readProcess(pid: number): RawProcess {
  let reader = sys.ffiAvailable() ? handleReader(pid) : null;
  if (!reader) {
    try {
      reader = fsReader(pid, readdirSync(`/proc/${pid}/fd`));
    } catch (error) {
      return { info: statusOf(pid, error as NodeJS.ErrnoException), fds: [] };
    }
  }
  const { names } = reader;
  const fds: RawFd[] = [];
  let command: string | null;
  try {
    const own = pid === process.pid ? reader.own() : null; // only a snapshot of this very process shows them
    for (const name of names) {
      if (own?.has(name)) continue;
      let link: string;
      let info: Fdinfo;
      try {
        info = reader.info(name);
        link = linkFromMount(info) ?? anonLinks.get(info) ?? anonLinkOf(info, learnMount(info, reader.link(name)));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (closedMeanwhile.has(code)) continue; // the fd closed between readdir and now
        // An fd we may not read is not an fd that is not there: the whole table is unknown.
        return { info: statusOf(pid, error as NodeJS.ErrnoException, names.length), fds: [] };
      }
      const { pos, flags, flagsRaw, ino, mntId, eventfdId } = info;
      fds.push({ fd: Number(name), link, pos, flags, flagsRaw, ino, mntId, eventfdId, ...reader.stat(name, link) });
    }
    command = reader.comm();
  } finally {
    reader.close();
  }
  // Every fd "closed meanwhile" may mean the process itself ended while we read.
  if (fds.length === 0 && names.length > 0 && !existsSync(`/proc/${pid}/fd`)) {
    return { info: statusOf(pid, Object.assign(new Error('gone'), { code: 'ENOENT' })), fds: [] };
  }
  fds.sort((a, b) => a.fd - b.fd);
  return {
    info: { pid, command, status: 'ok', message: null, fdCount: fds.length },
    fds,
  };
}

/** statx through the magic link, by the kept fd directory: file type, device and inode of the target. */
function statAt(fdDir: number, name: string): Pick<RawFd, 'mode' | 'device' | 'statIno'> {
  if (sys.statxInto(fdDir, name, statxBuffer) < 0) return noStat; // target gone or not stat-able
  return {
    mode: statxBuffer.readUInt16LE(0x1c),
    device: `${statxBuffer.readUInt32LE(0x88)}:${statxBuffer.readUInt32LE(0x8c)}`,
    statIno: Number(statxBuffer.readBigUInt64LE(0x20)),
  };
}

/** stat(2) through the magic link, for paths only: file type, device and inode of the target. */
function statTarget(pid: number, name: string, link: string): Pick<RawFd, 'mode' | 'device' | 'statIno'> {
  if (!link.startsWith('/')) return { mode: null, device: null, statIno: null };
  try {
    const st = statSync(`/proc/${pid}/fd/${name}`);
    const major = Math.floor(st.dev / 256) & 0xfff;
    const minor = (st.dev & 0xff) | ((st.dev >> 12) & 0xfff00);
    return { mode: st.mode, device: `${major}:${minor}`, statIno: st.ino };
  } catch {
    return { mode: null, device: null, statIno: null }; // target gone or not stat-able
  }
}

// The Linux collector: /proc for fds, sock_diag (or /proc/net) for sockets, kcmp for identity.
// Each network table is read once per snapshot, however many pids are asked for.
import type { AccessMode, FdRow, FdType, ProcessInfo, Snapshot, SocketDetails } from './model.js';
import { readProcess, type RawFd, type RawProcess } from './procfs.js';
import { readSocketsSockDiag } from './sockdiag.js';
import { readSocketsPerFd, type SocketFd } from './sockquery.js';
import { nextSnapshot } from './fdinfo-cache.js';
import { namespaceInetSockets, readSocketsProcfs } from './procnet.js';
import type { SocketEntry, SocketIndex } from './sockets.js';
import { resolveIdentities } from './identity.js';
import { assignLetters, type PreviousLetter } from './letters.js';
import { O_ACCMODE, O_APPEND, O_CLOEXEC, O_NONBLOCK } from '../sys/constants.js';
import { ffiAvailable, socketProtocolName } from '../sys/index.js';

export interface SnapshotOptions {
  /** The previous snapshot of a live view: descriptions keep their letters. */
  previous?: Snapshot;
  /**
   * How socket details are asked for: one by one (pidfd_getfd), by a dump of the namespace, or
   * (auto, the default) whichever costs less for this many sockets. Rows are the same either way.
   */
  sockets?: 'auto' | 'per-socket' | 'dump';
}

const S_IFMT = 0o170000;
const fileTypes: Record<number, FdType> = {
  0o100000: 'REG', 0o040000: 'DIR', 0o020000: 'CHR', 0o060000: 'BLK', 0o010000: 'FIFO', 0o120000: 'LINK', 0o140000: 'SOCK',
};
const anonTypes = new Set<FdType>(['eventpoll', 'eventfd', 'signalfd', 'timerfd', 'inotify', 'pidfd', 'io_uring']);

const bracketed = (link: string) => /\[(\d+)\]$/.exec(link)?.[1];
/** The inode of `socket:[123]` (the kernel's own format, so no pattern is needed). */
const socketInode = (link: string) => Number(link.slice('socket:['.length, -1));
const fileLike = new Set<FdType>(['REG', 'DIR', 'CHR', 'BLK']);

/**
 * Asking one socket costs about as much as five sockets of a dump (measured with bench:busy and the
 * 5-process bench): below that ratio the dump of the namespace is the cheaper way to ask.
 */
const DUMP_SOCKETS_PER_ASKED_SOCKET = 5;

/**
 * The namespace's socket count only chooses between two ways that give the same rows, so a live view
 * reads it (two /proc files) once a second rather than at every refresh.
 */
const COUNT_FOR_MS = 1000;
let counted: { at: number; sockets: number | null } | undefined;

function namespaceSockets(): number | null {
  const now = Date.now();
  if (!counted || now - counted.at >= COUNT_FOR_MS || now < counted.at) counted = { at: now, sockets: namespaceInetSockets() };
  return counted.sockets;
}

function readSockets(wanted: SocketFd[], strategy: SnapshotOptions['sockets'] = 'auto'): { index: SocketIndex; source: Snapshot['socketSource'] } {
  if (ffiAvailable()) {
    try {
      const namespace = strategy === 'auto' ? namespaceSockets() : null;
      if (strategy === 'dump' || (namespace !== null && namespace < DUMP_SOCKETS_PER_ASKED_SOCKET * wanted.length)) {
        return { index: readSocketsSockDiag(new Set(wanted.map((s) => s.inode))), source: 'sock_diag' };
      }
      // Each socket on its own first; the namespace-wide dump only for what that cannot settle.
      const { index, unresolved } = readSocketsPerFd(wanted);
      if (unresolved.size) {
        const dumped = readSocketsSockDiag(unresolved);
        for (const inode of unresolved) {
          const entry = dumped.get(inode);
          if (entry) index.set(inode, entry);
        }
      }
      return { index, source: 'sock_diag' };
    } catch {
      /* netlink refused (seccomp, old kernel): fall back to the text tables */
    }
  }
  return { index: readSocketsProcfs(), source: 'procfs' };
}

function accessMode(flags: number): AccessMode {
  const mode = flags & O_ACCMODE;
  return mode === 0 ? 'r' : mode === 1 ? 'w' : 'rw';
}

function socketName(entry: SocketEntry): string {
  if (entry.protocol === 'UNIX') {
    const path = entry.local || '(unnamed)';
    if (entry.state === 'LISTEN') return `${path} (LISTEN)`;
    return entry.peerInode ? `${path} -> [peer ${entry.peerInode}]` : `${path} (${entry.state})`;
  }
  if (entry.state === 'LISTEN') return `${entry.local} (LISTEN)`;
  if (!entry.remote) return entry.local;
  return `${entry.local} -> ${entry.remote} (${entry.state})`;
}

function socketDetails(entry: SocketEntry): SocketDetails {
  const listening = entry.state === 'LISTEN';
  return {
    state: entry.state,
    local: entry.local || null,
    remote: entry.remote,
    acceptQueue: listening ? entry.rqueue : null,
    backlog: listening ? entry.wqueue : null,
    recvQueue: listening ? null : entry.rqueue,
    sendQueue: listening ? null : entry.wqueue,
    peerInode: entry.peerInode,
  };
}

/** What kind of object, its name, and the key of the inode it refers to. */
function classify(pid: number, raw: RawFd, sockets: SocketIndex): { type: FdType; name: string; inode: number | null; inodeKey: string; socket: SocketDetails | null } {
  const { link } = raw;
  if (link.startsWith('socket:[')) {
    const inode = socketInode(link);
    const entry = sockets.get(inode);
    if (!entry) return unlistedSocket(pid, raw.fd, inode);
    return { type: entry.protocol, name: socketName(entry), inode, inodeKey: `sock:${inode}`, socket: socketDetails(entry) };
  }
  if (link.startsWith('pipe:[')) {
    const inode = Number(bracketed(link));
    const end = raw.flags === null ? '' : accessMode(raw.flags) === 'r' ? ' (read end)' : ' (write end)';
    // The two ends of a pipe share an inode but never a description: their access modes differ,
    // and a description's access mode never changes, so it can split the group without kcmp.
    return { type: 'FIFO', name: `${link}${end}`, inode, inodeKey: `pipe:${inode}${end ? ':' + end.slice(2, -5) : ''}`, socket: null };
  }
  if (link.startsWith('anon_inode:')) {
    const kind = link.slice('anon_inode:'.length).replace(/^\[|\]$/g, '');
    const type: FdType = anonTypes.has(kind as FdType) ? (kind as FdType) : 'anon';
    // An eventfd context has exactly one description and fdinfo names it (eventfd-id), so fds with
    // different ids need no kcmp; all other anon inodes share one inode and must be compared.
    // The id goes into the name, as lsof prints it (`[eventfd:3]`), so a row alone says which context it is.
    const id = raw.eventfdId === null ? '' : `:${raw.eventfdId}`;
    return { type, name: `[${kind}${id}]`, inode: raw.ino, inodeKey: `anon:${kind}:${raw.ino}${id}${accessKey(raw)}`, socket: null };
  }
  const type: FdType = raw.mode === null ? 'unknown' : (fileTypes[raw.mode & S_IFMT] ?? 'unknown');
  const inode = raw.statIno ?? raw.ino;
  return { type, name: link, inode, inodeKey: `file:${raw.device ?? `mnt${raw.mntId}`}:${inode}${accessKey(raw)}`, socket: null };
}

/**
 * A description's access mode (r, w, rw) is fixed when it is opened and F_SETFL cannot change it, so
 * fds with different modes can never share a description: splitting by it is exact and saves kcmp
 * calls where many fds share an inode (/dev/null, the anon inode of epoll).
 */
function accessKey(raw: RawFd): string {
  return raw.flags === null ? '' : `/${accessMode(raw.flags)}`;
}

const protocolTypes: Record<string, FdType> = { TCP: 'TCP', TCPv6: 'TCP6', UDP: 'UDP', UDPv6: 'UDP6', NETLINK: 'NETLINK', RAW: 'RAW', RAWv6: 'RAW' };

/**
 * A socket no table lists: a TCP socket not yet bound or connected, one that was reset or closed
 * (unhashed), a netlink or raw socket. sockfs still tells its protocol, so the row says what it is.
 */
function unlistedSocket(pid: number, fd: number, inode: number): ReturnType<typeof classify> {
  let protocol: string | null = null;
  try {
    protocol = ffiAvailable() ? socketProtocolName(pid, fd) : null;
  } catch {
    protocol = null;
  }
  const type: FdType = protocol === null ? 'SOCK' : (protocolTypes[protocol] ?? (protocol.startsWith('UNIX') ? 'UNIX' : 'SOCK'));
  const detail = type === 'TCP' || type === 'TCP6' ? ' (no connection: unbound, reset or closed)' : protocol ? ` (${protocol})` : '';
  return { type, name: `socket:[${inode}]${detail}`, inode, inodeKey: `sock:${inode}`, socket: null };
}

/** The same key classify() gives, recomputed from a finished row (for sticky letters). */
export function inodeKeyOfRow(row: FdRow): string {
  if (row.socket || ['TCP', 'TCP6', 'UDP', 'UDP6', 'UNIX', 'SOCK'].includes(row.type)) return `sock:${row.inode}`;
  if (row.type === 'FIFO' && row.name.startsWith('pipe:[')) {
    const end = /\((read|write) end\)$/.exec(row.name)?.[1];
    return `pipe:${row.inode}${end ? ':' + end : ''}`;
  }
  const access = row.access === null ? '' : `/${row.access}`;
  if (row.name.startsWith('[')) {
    const [kind, id] = row.name.slice(1, -1).split(':');
    return `anon:${kind}:${row.inode}${id === undefined ? '' : `:${id}`}${access}`;
  }
  return `file:${row.device}:${row.inode}${access}`;
}

function previousLetters(previous: Snapshot | undefined): Map<string, PreviousLetter> | undefined {
  if (!previous) return undefined;
  const map = new Map<string, PreviousLetter>();
  for (const row of previous.rows) {
    if (row.description !== '?') map.set(`${row.pid}:${row.fd}`, { letter: row.description, inodeKey: inodeKeyOfRow(row) });
  }
  return map;
}

/** Resolves unix peers to the pid/fd holding the other end when it is in this snapshot. */
function nameUnixPeers(rows: FdRow[]): void {
  const holders = new Map<number, FdRow>();
  for (const row of rows) if (row.type === 'UNIX' && row.inode !== null) holders.set(row.inode, row);
  for (const row of rows) {
    const peer = row.socket?.peerInode;
    if (row.type !== 'UNIX' || !peer) continue;
    const holder = holders.get(peer);
    if (holder) row.name = row.name.replace(`[peer ${peer}]`, `${holder.command ?? 'pid'} ${holder.pid} fd ${holder.fd}`);
  }
}

export function snapshotLinux(pids: number[], options: SnapshotOptions = {}): Snapshot {
  const takenAt = Date.now();
  nextSnapshot();
  const unique = [...new Set(pids)];
  const processes: RawProcess[] = unique.map(readProcess);
  const socketFds: SocketFd[] = [];
  const seen = new Set<number>();
  for (const p of processes) {
    for (const f of p.fds) {
      if (!f.link.startsWith('socket:[')) continue;
      const inode = socketInode(f.link);
      // One fd per socket is enough to ask about it (a socket shared by fork or dup is one socket).
      if (!seen.has(inode)) socketFds.push({ pid: p.info.pid, fd: f.fd, inode });
      seen.add(inode);
    }
  }
  const { index: sockets, source } = socketFds.length ? readSockets(socketFds, options.sockets) : { index: new Map() as SocketIndex, source: 'none' as const };

  const pending: Array<{ row: FdRow; inodeKey: string }> = [];
  for (const process of processes) {
    for (const raw of process.fds) {
      const kind = classify(process.info.pid, raw, sockets);
      const flags = raw.flags;
      const isFileLike = fileLike.has(kind.type);
      pending.push({
        inodeKey: kind.inodeKey,
        row: {
          pid: process.info.pid,
          command: process.info.command ?? '?',
          fd: raw.fd,
          type: kind.type,
          cloexec: flags === null ? null : (flags & O_CLOEXEC) !== 0,
          access: flags === null ? null : accessMode(flags),
          nonblock: flags === null ? null : (flags & O_NONBLOCK) !== 0,
          append: flags === null ? null : (flags & O_APPEND) !== 0,
          flagsRaw: raw.flagsRaw,
          offset: isFileLike ? raw.pos : null,
          inode: kind.inode,
          device: kind.inodeKey.startsWith('file:') ? raw.device : null,
          name: kind.name,
          socket: kind.socket,
          description: '?',
          identity: 'unknown',
          descriptionNote: null,
        },
      });
    }
  }

  const identities = resolveIdentities(
    pending.map(({ row, inodeKey }) => ({ pid: row.pid, fd: row.fd, inodeKey, isSocket: inodeKey.startsWith('sock:') })),
  );
  const letterInputs = pending.map(({ row, inodeKey }) => {
    const identity = identities.get(`${row.pid}:${row.fd}`)!;
    row.identity = identity.method;
    row.descriptionNote = identity.note;
    return { pid: row.pid, fd: row.fd, inodeKey, descriptionKey: identity.descriptionKey, known: identity.method !== 'unknown' };
  });
  const letters = assignLetters(letterInputs, previousLetters(options.previous));
  const rows = pending.map(({ row }, i) => {
    row.description = letters[i]; // rows are made afresh for every snapshot
    return row;
  });
  nameUnixPeers(rows);

  const infos: ProcessInfo[] = processes.map((p) => p.info);
  return { takenAt, platform: 'linux', source: 'procfs', socketSource: source, processes: infos, rows };
}

// The fd-table model: one row per fd of every pid in a snapshot. Every collector (procfs on Linux,
// lsof -F on macOS) produces this shape; views, diff and --json read only this shape.

/** What kind of object the fd refers to. Sockets are named by protocol, anon inodes by their kind. */
export type FdType =
  | 'REG' | 'DIR' | 'CHR' | 'BLK' | 'FIFO' | 'LINK'
  | 'TCP' | 'TCP6' | 'UDP' | 'UDP6' | 'UNIX' | 'NETLINK' | 'RAW' | 'SOCK'
  | 'eventpoll' | 'eventfd' | 'signalfd' | 'timerfd' | 'inotify' | 'pidfd' | 'io_uring' | 'anon'
  | 'unknown';

export type AccessMode = 'r' | 'w' | 'rw';

/**
 * How the row's description id was established:
 * - kcmp: the kernel compared the two fds' open file descriptions (KCMP_FILE);
 * - socket-inode: a socket's inode names exactly one open file description (a socket cannot be opened twice);
 * - unique: no other fd in the snapshot refers to the same inode, so no other fd can share the description;
 * - lsof: the macOS backend's guess from lsof's file-struct address (only with lsof +f g);
 * - unknown: identity could not be established (kcmp refused or unavailable); `descriptionNote` says why.
 */
export type IdentityMethod = 'kcmp' | 'socket-inode' | 'unique' | 'lsof' | 'unknown';

export interface SocketDetails {
  /** TCP states as the kernel names them: LISTEN, ESTABLISHED, TIME_WAIT, ... ; UNIX: LISTEN, CONNECTED, UNCONNECTED. */
  state: string | null;
  local: string | null;
  remote: string | null;
  /** Listener only: connections in the accept queue now. */
  acceptQueue: number | null;
  /** Listener only: the backlog limit (from sock_diag; null when only /proc/net was readable). */
  backlog: number | null;
  /** Non-listeners: bytes waiting to be read / not yet acknowledged. */
  recvQueue: number | null;
  sendQueue: number | null;
  /** UNIX only: the inode of the peer socket, to pair the two ends. */
  peerInode: number | null;
}

export interface FdRow {
  pid: number;
  command: string;
  fd: number;
  type: FdType;
  /** FD_CLOEXEC: belongs to this fd alone. null when unknown. */
  cloexec: boolean | null;
  /** The next three belong to the open file description, shared by every fd that refers to it. */
  access: AccessMode | null;
  nonblock: boolean | null;
  append: boolean | null;
  /** Raw `flags:` from /proc/PID/fdinfo, octal text, e.g. "02004002". */
  flagsRaw: string | null;
  offset: number | null;
  inode: number | null;
  /** Device of the inode as "major:minor" (files), null for sockets and when unknown. */
  device: string | null;
  /** Path; `127.0.0.1:41234 (LISTEN)`; `a -> b (ESTABLISHED)`; unix path or `-> peer inode`. */
  name: string;
  socket: SocketDetails | null;
  /** Letter id of the open file description: equal ids = one description, across processes. "?" when unknown. */
  description: string;
  identity: IdentityMethod;
  /** Why identity is unknown, or other row-level remarks. */
  descriptionNote: string | null;
}

export type ProcessStatus = 'ok' | 'gone' | 'denied' | 'error';

export interface ProcessInfo {
  pid: number;
  command: string | null;
  status: ProcessStatus;
  /** One sentence when status is not ok. */
  message: string | null;
  /** Fds read (ok), or listed but not readable (denied); 0 when not even the list was readable. */
  fdCount: number;
}

export interface Snapshot {
  /** Milliseconds since the epoch. */
  takenAt: number;
  platform: NodeJS.Platform;
  /** Where rows came from. */
  source: 'procfs' | 'lsof';
  /**
   * Where socket details came from. sock_diag covers a dump, exact requests for single sockets, and
   * for a TCP listener asked on its own TCP_INFO, which carries the same two queue fields.
   */
  socketSource: 'sock_diag' | 'procfs' | 'lsof' | 'none';
  processes: ProcessInfo[];
  rows: FdRow[];
}

export type RowChange = 'appeared' | 'vanished' | 'changed';

export interface RowDiff {
  pid: number;
  fd: number;
  change: RowChange;
  /** For 'changed': the names of the FdRow fields that differ (e.g. ["nonblock"], ["socket.acceptQueue"]). */
  fields: string[];
  before: FdRow | null;
  after: FdRow | null;
}

// What checks read from the kernel, typed: listeners and their open file descriptions in a snapshot
// of the program's processes, the machine-wide socket table, and fd rows as evidence lines.
import type { FdRow, Snapshot } from '../fdtable/model.js';
import { formatSnapshot } from '../fdtable/format.js';
import { readSocketsSockDiag } from '../fdtable/sockdiag.js';
import { readSocketsProcfs } from '../fdtable/procnet.js';
import type { SocketEntry } from '../fdtable/sockets.js';

export type { FdRow, Snapshot };

/** Port of a socket's local address `127.0.0.1:41234`, or null. */
export function portOf(row: FdRow): number | null {
  const local = row.socket?.local;
  const match = local ? /:(\d+)$/.exec(local) : null;
  return match ? Number(match[1]) : null;
}

export function isTcp(row: FdRow): boolean {
  return row.type === 'TCP' || row.type === 'TCP6';
}

/** TCP LISTEN rows of the snapshot, optionally only those on `port`. */
export function tcpListeners(snap: Snapshot, port?: number): FdRow[] {
  return snap.rows.filter((row) => isTcp(row) && row.socket?.state === 'LISTEN' && (port === undefined || portOf(row) === port));
}

/** Every fd, in every process of the snapshot, that refers to the same open file description as row.
 *  A socket's inode names exactly one description, so the inode decides for sockets (and the engine's
 *  description ids come from kcmp for everything else). */
export function sameDescription(snap: Snapshot, row: FdRow): FdRow[] {
  if (row.socket && row.inode !== null) return snap.rows.filter((other) => other.inode === row.inode && other.type === row.type);
  if (row.description === '?') return [row];
  return snap.rows.filter((other) => other.description === row.description);
}

/** Distinct pids among rows. */
export function pidsOf(rows: readonly FdRow[]): number[] {
  return [...new Set(rows.map((row) => row.pid))];
}

/** TCP ESTABLISHED / CLOSE_WAIT rows of the snapshot with the given local port (server side of clients). */
export function connectionsOn(snap: Snapshot, port: number, state?: string): FdRow[] {
  return snap.rows.filter((row) => isTcp(row) && row.socket?.state !== 'LISTEN' && portOf(row) === port && (state === undefined || row.socket?.state === state));
}

/** The fd rows as table lines for a check's evidence (no legend, never truncated). */
export function evidenceRows(snap: Snapshot, rows: readonly FdRow[]): string[] {
  if (rows.length === 0) return [];
  const table = formatSnapshot({ ...snap, rows: [...rows] }, { legend: false });
  return [table.header, ...table.rows];
}

/** Machine-wide: TCP sockets in LISTEN on port, whoever holds them (a process that left the program's
 *  tree included). sock_diag first, /proc/net/tcp when netlink is not available. */
export function machineListeners(port: number): SocketEntry[] {
  let index: Map<number, SocketEntry>;
  try {
    index = readSocketsSockDiag();
  } catch {
    index = readSocketsProcfs();
  }
  return [...index.values()].filter((entry) => (entry.protocol === 'TCP' || entry.protocol === 'TCP6') && entry.state === 'LISTEN' && entry.local.endsWith(`:${port}`));
}

/** Fds of the snapshot, minus stdio and what every runtime opens on its own (epoll, eventfd, pipes,
 *  /dev/null): what a program opened itself, for leak counts comparable between Node and Go. */
export function ownFds(snap: Snapshot, pid: number): FdRow[] {
  return snap.rows.filter(
    (row) => row.pid === pid && row.fd > 2 && !['eventpoll', 'eventfd', 'signalfd', 'timerfd', 'FIFO', 'CHR'].includes(row.type) && !row.name.startsWith('anon_inode:'),
  );
}

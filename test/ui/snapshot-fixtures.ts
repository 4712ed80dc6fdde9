// Hand-made snapshots for format and view tests: realistic rows without running anything.
import type { FdRow, ProcessInfo, RowDiff, Snapshot, SocketDetails } from '../../src/fdtable/model.js';

export function row(overrides: Partial<FdRow> & Pick<FdRow, 'pid' | 'fd'>): FdRow {
  return {
    command: 'node',
    type: 'CHR',
    cloexec: true,
    access: 'rw',
    nonblock: false,
    append: false,
    flagsRaw: '02000002',
    offset: 0,
    inode: 3,
    device: '0:5',
    name: '/dev/null',
    socket: null,
    description: 'A',
    identity: 'unique',
    descriptionNote: null,
    ...overrides,
  };
}

export function listener(pid: number, fd: number, description: string, extra: Partial<SocketDetails> = {}): FdRow {
  return row({
    pid, fd, description, type: 'TCP', nonblock: true, flagsRaw: '02004002', offset: null, inode: 41234, device: null,
    identity: 'socket-inode', name: '127.0.0.1:41234 (LISTEN)',
    socket: {
      state: 'LISTEN', local: '127.0.0.1:41234', remote: null, acceptQueue: 3, backlog: 511,
      recvQueue: null, sendQueue: null, peerInode: null, ...extra,
    },
  });
}

export function ok(pid: number, fdCount: number, command = 'node'): ProcessInfo {
  return { pid, command, status: 'ok', message: null, fdCount };
}

export function snapshotOf(rows: FdRow[], processes?: ProcessInfo[]): Snapshot {
  const pids = [...new Set(rows.map((r) => r.pid))];
  return {
    takenAt: Date.UTC(2025, 0, 1, 12, 0, 0),
    platform: 'linux',
    source: 'procfs',
    socketSource: 'sock_diag',
    processes: processes ?? pids.map((pid) => ok(pid, rows.filter((r) => r.pid === pid).length)),
    rows,
  };
}

/** Two processes sharing one listener (DESC B), as after passing it by inheritance. */
export function parentAndChild(): Snapshot {
  return snapshotOf([
    row({ pid: 100, fd: 0, description: 'A' }),
    listener(100, 3, 'B'),
    row({ pid: 200, fd: 0, description: 'C', cloexec: false }),
    { ...listener(200, 3, 'B'), cloexec: false },
  ]);
}

export function changed(before: FdRow, after: FdRow, fields: string[]): RowDiff {
  return { pid: after.pid, fd: after.fd, change: 'changed', fields, before, after };
}

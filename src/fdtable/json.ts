// The `fds --json` document: a stable, versioned shape for scripts. Field names are spelled out
// (fdFlags, fileFlags, description) rather than mirroring FdRow's flat layout, so that the model can
// evolve without breaking consumers. Any incompatible change bumps the version in SCHEMA.
// Documented field by field in README.md ("fds --json").
import type { AccessMode, FdRow, FdType, IdentityMethod, ProcessStatus, RowChange, RowDiff, Snapshot, SocketDetails } from './model.js';

export const SCHEMA = 'hotrestart-tutor/fds@1';

export interface FdsDocument {
  schema: typeof SCHEMA;
  /** ISO 8601 time of the snapshot. */
  takenAt: string;
  platform: string;
  source: Snapshot['source'];
  socketSource: Snapshot['socketSource'];
  processes: JsonProcess[];
  rows: JsonRow[];
  /** Differences from the previous document of a --watch stream; null when there is no previous one. */
  changes: JsonChange[] | null;
}

export interface JsonProcess {
  pid: number;
  command: string | null;
  status: ProcessStatus;
  message: string | null;
  fdCount: number;
}

export interface JsonRow {
  pid: number;
  command: string;
  fd: number;
  type: FdType;
  fdFlags: { cloexec: boolean | null };
  fileFlags: { access: AccessMode | null; nonblock: boolean | null; append: boolean | null; raw: string | null };
  offset: number | null;
  inode: number | null;
  device: string | null;
  name: string;
  socket: JsonSocket | null;
  description: { id: string; identity: IdentityMethod; note: string | null };
}

/** The socket part of a row is the model's own shape; the schema freezes it at version 1. */
export type JsonSocket = SocketDetails;

export interface JsonChange {
  pid: number;
  fd: number;
  change: RowChange;
  fields: string[];
}

export function toJsonRow(row: FdRow): JsonRow {
  const socket = row.socket;
  return {
    pid: row.pid,
    command: row.command,
    fd: row.fd,
    type: row.type,
    fdFlags: { cloexec: row.cloexec },
    fileFlags: { access: row.access, nonblock: row.nonblock, append: row.append, raw: row.flagsRaw },
    offset: row.offset,
    inode: row.inode,
    device: row.device,
    name: row.name,
    // Copied field by field so that a field added to the model never leaks into schema 1 unannounced.
    socket: socket && {
      state: socket.state,
      local: socket.local,
      remote: socket.remote,
      acceptQueue: socket.acceptQueue,
      backlog: socket.backlog,
      recvQueue: socket.recvQueue,
      sendQueue: socket.sendQueue,
      peerInode: socket.peerInode,
    },
    description: { id: row.description, identity: row.identity, note: row.descriptionNote },
  };
}

export function toFdsDocument(snapshot: Snapshot, changes: readonly RowDiff[] | null = null): FdsDocument {
  return {
    schema: SCHEMA,
    takenAt: new Date(snapshot.takenAt).toISOString(),
    platform: snapshot.platform,
    source: snapshot.source,
    socketSource: snapshot.socketSource,
    processes: snapshot.processes.map(({ pid, command, status, message, fdCount }) => ({ pid, command, status, message, fdCount })),
    rows: snapshot.rows.map(toJsonRow),
    changes: changes && changes.map(({ pid, fd, change, fields }) => ({ pid, fd, change, fields: [...fields] })),
  };
}

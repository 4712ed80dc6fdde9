// What changed between two snapshots of the same pids, row by row (keyed by pid and fd).
import type { FdRow, RowDiff, Snapshot } from './model.js';

/** The fields a learner cares to see change; flagsRaw is covered by the decoded flags. */
const rowFields = ['type', 'description', 'cloexec', 'access', 'nonblock', 'append', 'offset', 'inode', 'name'] as const;
const socketFields = ['state', 'acceptQueue', 'backlog', 'recvQueue', 'sendQueue'] as const;

export function changedFields(before: FdRow, after: FdRow): string[] {
  const fields: string[] = rowFields.filter((f) => before[f] !== after[f]);
  for (const f of socketFields) {
    if ((before.socket?.[f] ?? null) !== (after.socket?.[f] ?? null)) fields.push(`socket.${f}`);
  }
  return fields;
}

export function diff(before: Snapshot, after: Snapshot): RowDiff[] {
  const key = (row: FdRow) => `${row.pid}:${row.fd}`;
  const old = new Map(before.rows.map((row) => [key(row), row]));
  const changes: RowDiff[] = [];
  for (const row of after.rows) {
    const previous = old.get(key(row));
    old.delete(key(row));
    if (!previous) {
      changes.push({ pid: row.pid, fd: row.fd, change: 'appeared', fields: [], before: null, after: row });
      continue;
    }
    const fields = changedFields(previous, row);
    if (fields.length) changes.push({ pid: row.pid, fd: row.fd, change: 'changed', fields, before: previous, after: row });
  }
  for (const row of old.values()) {
    changes.push({ pid: row.pid, fd: row.fd, change: 'vanished', fields: [], before: row, after: null });
  }
  return changes;
}

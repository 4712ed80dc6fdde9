// `fds --watch` when nobody is at a terminal (a pipe, a file, CI): one document per refresh.
// --json: one compact JSON document per line per refresh (NDJSON), so a script can time things.
// Text: a table only when something changed, below a header line, so a log stays readable.
// Either way the stream ends when the signal aborts or when every watched process is gone.
import { setTimeout as sleep } from 'node:timers/promises';
import { formatSnapshot, renderTable, type Palette } from '../fdtable/format.js';
import { toFdsDocument } from '../fdtable/json.js';
import type { RowDiff, Snapshot } from '../fdtable/model.js';
import { statusesDiffer, type DiffFn, type SnapshotSource } from '../fdtable/watch-state.js';

export interface StreamOptions {
  pids: number[];
  intervalMs: number;
  /** The snapshot already taken to check the pids; it is the stream's first document. */
  first: Snapshot;
  take: SnapshotSource;
  diff: DiffFn;
  json: boolean;
  width: number;
  palette: Palette;
  write(text: string): void;
  signal: AbortSignal;
}

export async function streamSnapshots(options: StreamOptions): Promise<void> {
  const { pids, take, diff, signal } = options;
  let previous: Snapshot | undefined;
  let current = options.first;
  for (;;) {
    const changes = previous ? diff(previous, current) : null;
    emit(options, current, changes, previous);
    if (!current.processes.some((p) => p.status === 'ok')) return;
    try {
      await sleep(options.intervalMs, undefined, { signal });
    } catch {
      return; // aborted: Ctrl-C, SIGTERM or the reader went away
    }
    previous = current;
    current = take(pids, previous);
  }
}

function emit(options: StreamOptions, snapshot: Snapshot, changes: RowDiff[] | null, previous: Snapshot | undefined): void {
  if (options.json) {
    options.write(`${JSON.stringify(toFdsDocument(snapshot, changes))}\n`);
    return;
  }
  if (changes !== null && changes.length === 0 && !statusesDiffer(previous, snapshot)) return;
  const when = new Date(snapshot.takenAt).toISOString();
  const what = changes === null ? 'first table' : `${changes.length} change${changes.length === 1 ? '' : 's'}`;
  const table = formatSnapshot(snapshot, { width: options.width, changes: changes ?? [], palette: options.palette, legend: changes === null });
  options.write(`=== fds ${when}: ${what} ===\n${renderTable(table)}\n`);
}

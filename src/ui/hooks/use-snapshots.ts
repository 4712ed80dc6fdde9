// Takes a snapshot of the pids every interval and feeds the watch reducer. The only place in the
// live view that touches the system; components below it only render what it returns.
import { useEffect, useReducer, useRef } from 'react';
import type { Snapshot } from '../../fdtable/model.js';
import { initialWatchState, watchReducer, type DiffFn, type SnapshotSource, type WatchState } from '../../fdtable/watch-state.js';

export interface UseSnapshotsOptions {
  pids: readonly number[];
  intervalMs: number;
  source: SnapshotSource;
  diff: DiffFn;
  /** How long changes stay highlighted when nothing else changes. */
  holdMs: number;
  /** A snapshot already taken (e.g. to check the pids), shown at once instead of a blank first frame. */
  initial?: Snapshot;
  paused?: boolean;
  now?: () => number;
}

export function useSnapshots(options: UseSnapshotsOptions): WatchState {
  const { intervalMs, source, diff, holdMs, initial, paused = false, now = Date.now } = options;
  const [state, dispatch] = useReducer(
    watchReducer,
    initial,
    (first): WatchState => (first ? { ...initialWatchState, snapshot: first } : initialWatchState),
  );
  const latest = useRef<Snapshot | undefined>(initial);
  const pidsKey = options.pids.join(',');

  useEffect(() => {
    if (paused) return undefined;
    const pids = pidsKey.split(',').map(Number);
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const tick = () => {
      try {
        const previous = latest.current;
        const next = source(pids, previous);
        latest.current = next;
        dispatch({ type: 'sample', snapshot: next, changes: previous ? diff(previous, next) : [], at: now(), holdMs });
      } catch (error) {
        dispatch({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      }
      // A chain of timeouts, not an interval: a slow snapshot delays the next one instead of piling up.
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };
    // With an initial snapshot on screen the first refresh waits one interval; otherwise it starts now.
    timer = setTimeout(tick, latest.current ? intervalMs : 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [pidsKey, intervalMs, source, diff, holdMs, paused, now]);

  return state;
}

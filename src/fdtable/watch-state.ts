// The live view's state as a pure reducer: which snapshot is on screen and which changes are lit.
// A refresh that changes nothing returns the very same state object, so React skips the render:
// an idle watch costs one snapshot per interval and no drawing.
import type { RowDiff, Snapshot } from './model.js';

/** Where snapshots come from: the fdtable engine, or a fake in tests. */
export type SnapshotSource = (pids: number[], previous?: Snapshot) => Snapshot;
export type DiffFn = (before: Snapshot, after: Snapshot) => RowDiff[];

export interface WatchState {
  snapshot: Snapshot | null;
  /** The latest non-empty difference, lit until the next one or until it is older than the hold time. */
  changes: RowDiff[];
  /** When `changes` arrived (ms since the epoch); null before the first change. */
  changedAt: number | null;
  /** One sentence when the last refresh failed; the previous table stays on screen. */
  error: string | null;
}

export type WatchAction =
  | { type: 'sample'; snapshot: Snapshot; changes: RowDiff[]; at: number; holdMs: number }
  | { type: 'error'; message: string };

export const initialWatchState: WatchState = { snapshot: null, changes: [], changedAt: null, error: null };

export function watchReducer(state: WatchState, action: WatchAction): WatchState {
  if (action.type === 'error') {
    return state.error === action.message ? state : { ...state, error: action.message };
  }
  const { snapshot, changes, at, holdMs } = action;
  if (state.snapshot === null) return { snapshot, changes: [], changedAt: null, error: null };
  if (changes.length > 0 || statusesDiffer(state.snapshot, snapshot)) {
    return { snapshot, changes, changedAt: at, error: null };
  }
  // Nothing new. Highlights stay for holdMs so that a person can see them at 4 refreshes a second.
  const expired = state.changes.length > 0 && state.changedAt !== null && at - state.changedAt >= holdMs;
  if (expired || state.error !== null) return { ...state, snapshot, changes: expired ? [] : state.changes, error: null };
  return state;
}

/** A process that ended or became unreadable changes no row when it had none; compare statuses too. */
export function statusesDiffer(before: Snapshot | undefined, after: Snapshot): boolean {
  if (!before) return true;
  const old = new Map(before.processes.map((p) => [p.pid, p.status]));
  return after.processes.some((p) => old.get(p.pid) !== p.status);
}

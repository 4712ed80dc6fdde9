import { describe, expect, it } from 'vitest';
import { initialWatchState, watchReducer, type WatchState } from '../../src/fdtable/watch-state.js';
import { changed, parentAndChild } from '../ui/snapshot-fixtures.js';

const sample = (state: WatchState, at: number, changes = [] as ReturnType<typeof changed>[], snapshot = parentAndChild()) =>
  watchReducer(state, { type: 'sample', snapshot, changes, at, holdMs: 1000 });

describe('watchReducer', () => {
  const first = sample(initialWatchState, 0);
  const row = first.snapshot!.rows[1];
  const change = changed(row, { ...row, nonblock: false }, ['nonblock']);

  it('returns the same state when nothing changed, so nothing is redrawn', () => {
    expect(sample(first, 250)).toBe(first);
  });

  it('lights changes and keeps them for the hold time, then clears them once', () => {
    const lit = sample(first, 250, [change]);
    expect(lit.changes).toEqual([change]);
    expect(lit.changedAt).toBe(250);
    expect(sample(lit, 1000)).toBe(lit);
    const cleared = sample(lit, 1250);
    expect(cleared.changes).toEqual([]);
    expect(sample(cleared, 1500)).toBe(cleared);
  });

  it('treats a process that ended without rows as a change', () => {
    const snapshot = parentAndChild();
    const gone = { ...snapshot, processes: snapshot.processes.map((p) => (p.pid === 200 ? { ...p, status: 'gone' as const } : p)) };
    expect(sample(first, 250, [], gone)).not.toBe(first);
  });

  it('keeps the table on an error and clears the error on the next good refresh', () => {
    const failed = watchReducer(first, { type: 'error', message: 'boom' });
    expect(failed.snapshot).toBe(first.snapshot);
    expect(watchReducer(failed, { type: 'error', message: 'boom' })).toBe(failed);
    expect(sample(failed, 500).error).toBeNull();
  });
});

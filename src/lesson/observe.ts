// Applies a step's observation to a snapshot: keep the rows the lesson cares about, mark the rows
// it points at. Pure given the snapshot, so the Ink view and the plain renderer share it.
import type { FdRow, Snapshot } from '../fdtable/model.js';
import { forLesson, type LessonContext, type Observation } from './types.js';

export interface ObservedSnapshot {
  snapshot: Snapshot;
  /** Keys `pid:fd` of the rows the step points at. */
  focus: Set<string>;
  /** Rows left out by `only`. */
  hidden: number;
}

/** Hidden by default in lessons: stdio, what a process had at start (ctx.isPlumbing), and the epoll,
 *  eventfd and pipes libuv opens later on its own. A step's `only` overrides this. */
export function isNodePlumbing(row: FdRow, ctx: Pick<LessonContext, 'isPlumbing'>): boolean {
  if (row.fd <= 2 || ctx.isPlumbing(row)) return true;
  if (row.type === 'eventpoll' || row.type === 'eventfd' || row.type === 'signalfd' || row.type === 'timerfd') return true;
  return row.type === 'FIFO' && row.name.startsWith('pipe:[');
}

export function filterObservation(snapshot: Snapshot, show: Observation, anyCtx: LessonContext): ObservedSnapshot {
  const ctx = forLesson(anyCtx);
  const keep = show.only ?? ((row: FdRow) => !isNodePlumbing(row, ctx));
  const rows = snapshot.rows.filter((row) => keep(row, ctx));
  const focus = new Set(rows.filter((row) => show.focus?.(row, ctx)).map((row) => `${row.pid}:${row.fd}`));
  return { snapshot: { ...snapshot, rows }, focus, hidden: snapshot.rows.length - rows.length };
}

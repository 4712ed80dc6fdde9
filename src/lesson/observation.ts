// Which fd table a step shows, and a filter that cannot take the screen down. The runner polls with
// it and the layout captions the table with it, so both agree on what is on screen.
import type { RowDiff, Snapshot } from '../fdtable/model.js';
import { filterObservation, isNodePlumbing, type ObservedSnapshot } from './observe.js';
import type { Lesson, LessonContext, Observation } from './types.js';

/** The step's own observation, else the nearest earlier one: a step without a table of its own keeps
 *  the previous table in view, since the processes are still there. */
export function observationAt(lesson: Lesson, index: number): Observation | undefined {
  for (let i = Math.min(index, lesson.steps.length - 1); i >= 0; i--) {
    const show = lesson.steps[i].show;
    if (show) return show;
  }
  return undefined;
}

/**
 * filterObservation with the lesson's focus/only functions guarded: they read ctx.vars, which a
 * step sets as it goes, so while it runs they may meet undefined. A throwing `focus` points at nothing
 * and a throwing `only` falls back to hiding Node's plumbing, instead of ending the app.
 */
export function observeSafely(snapshot: Snapshot, show: Observation, ctx: LessonContext): ObservedSnapshot {
  const guarded: Observation = {
    ...show,
    focus: show.focus && ((row, c) => attempt(() => show.focus!(row, c), false)),
    only: show.only && ((row, c) => attempt(() => show.only!(row, c), !isNodePlumbing(row, c))),
  };
  return filterObservation(snapshot, guarded, ctx);
}

function attempt<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** A process the step no longer shows has not closed its fds: the table only stopped looking at it,
 *  so its rows are not drawn as vanished. (Rows are labelled with lesson names by the context.) */
export function observedChanges(changes: RowDiff[], show: Observation): RowDiff[] {
  if (show.processes.includes('*')) return changes;
  return changes.filter((change) => change.change !== 'vanished' || (change.before !== null && show.processes.includes(change.before.command)));
}

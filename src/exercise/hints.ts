// The general hints of an exercise are given one at a time: each request shows the next one (after the
// last, the last again), and the progress file counts how many were shown. Shared by `hint` and the app.
import type { Progress } from '../progress/model.js';
import { updateExercise } from './progress.js';

/** Index of the hint to show now, given how many were shown before. */
export function nextHintIndex(progress: Progress, id: string, total: number): number {
  return Math.max(0, Math.min(progress.exercises?.[id]?.hintsShown ?? 0, total - 1));
}

/** The progress once hint `index` was shown. */
export function recordHint(progress: Progress, id: string, index: number): Progress {
  return updateExercise(progress, id, (entry) => ({ ...entry, hintsShown: Math.max(entry.hintsShown, index + 1) }));
}

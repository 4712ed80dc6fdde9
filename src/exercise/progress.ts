// Exercise results in the progress file (beside the lessons, same file, same atomic store): the last
// verdict with its time and the verifier's version, attempts, when it first passed, hints and whether
// the solution was shown. Pure updates here; ProgressStore reads and writes.
import type { Progress } from '../progress/model.js';
import type { ProgressStore } from '../progress/store.js';
import type { Code, VerifyResult } from './types.js';

export interface ExerciseProgress {
  /** 'passed' is kept once earned; a later failing verify only updates `last`. */
  status: 'attempted' | 'passed';
  attempts: number;
  last: {
    at: string;
    passed: boolean;
    code: Code;
    /** Ids of the checks that did not pass. */
    failed: string[];
    fault: string | null;
    verifierVersion: string;
    durationMs: number;
  };
  passedAt: string | null;
  hintsShown: number;
  solutionShown: boolean;
}

export type ExerciseMark = 'passed' | 'attempted' | 'none';

export function exerciseMark(progress: Progress, id: string): ExerciseMark {
  const entry = progress.exercises?.[id];
  return entry ? entry.status : 'none';
}

export function markSymbol(mark: ExerciseMark): string {
  return mark === 'passed' ? '✔' : mark === 'attempted' ? '◐' : '·';
}

function blank(): ExerciseProgress {
  return { status: 'attempted', attempts: 0, last: { at: '', passed: false, code: 'node', failed: [], fault: null, verifierVersion: '', durationMs: 0 }, passedAt: null, hintsShown: 0, solutionShown: false };
}

export function recordVerify(progress: Progress, result: VerifyResult, verifierVersion: string, now: Date): Progress {
  const before = progress.exercises?.[result.exercise.id] ?? blank();
  const at = now.toISOString();
  const entry: ExerciseProgress = {
    ...before,
    status: result.passed || before.status === 'passed' ? 'passed' : 'attempted',
    attempts: before.attempts + 1,
    last: {
      at, passed: result.passed, code: result.code, failed: result.checks.filter((check) => check.status !== 'pass').map((check) => check.id),
      fault: result.fault?.kind ?? null, verifierVersion, durationMs: result.durationMs,
    },
    passedAt: before.passedAt ?? (result.passed ? at : null),
  };
  return { ...progress, exercises: { ...progress.exercises, [result.exercise.id]: entry } };
}

export function updateExercise(progress: Progress, id: string, change: (entry: ExerciseProgress) => ExerciseProgress): Progress {
  const entry = change(progress.exercises?.[id] ?? blank());
  return { ...progress, exercises: { ...progress.exercises, [id]: entry } };
}

export function eraseExercise(progress: Progress, id: string): Progress {
  const { [id]: _erased, ...rest } = progress.exercises ?? {};
  return { ...progress, exercises: rest };
}

/** Read, change, write (re-reading keeps what another tutor wrote meanwhile). False when the file
 *  cannot be written (newer or unreadable): the caller says so in one sentence. */
export function saveExerciseProgress(store: ProgressStore, change: (progress: Progress) => Progress): boolean {
  const loaded = store.load();
  if (!loaded.writable) return false;
  store.save(change(loaded.progress));
  return true;
}

// The progress document and how one run of a lesson updates it. Pure: the store (store.ts) reads and
// writes the file, this decides what goes in it. Keyed by lesson id, not number, so renumbering
// lessons never moves a learner's record onto another lesson.

export const PROGRESS_SCHEMA = 'hotrestart-tutor/progress';
export const PROGRESS_VERSION = 1;

export interface LessonProgress {
  /** 'done': every step ran, every expectation that could run held, and the learner reached the end. */
  status: 'started' | 'done';
  /** The furthest step opened (1-based), of `steps`. */
  reached: number;
  steps: number;
  /** Expectations that ran (skipped ones excluded) and held, in the run that counts (the last, or the done one). */
  checks: number;
  held: number;
  quizzes: number;
  /** Right quiz answers; null for plain-text runs, which show the answers instead of asking. */
  correct: number | null;
  /** 'app' or 'plain': how the run that counts was played. */
  via: 'app' | 'plain';
  startedAt: string;
  updatedAt: string;
  doneAt: string | null;
}

export interface Progress {
  schema: typeof PROGRESS_SCHEMA;
  version: typeof PROGRESS_VERSION;
  lessons: Record<string, LessonProgress>;
  /** Exercise results by exercise id (src/exercise/progress.ts); absent until the first verify. */
  exercises?: Record<string, import('../exercise/progress.js').ExerciseProgress>;
}

/** What a run reports (from player.score() in the app, from playPlain's result in plain text): the
 *  counts it stores, which lesson, and whether the run completed it. */
export interface RunRecord extends Pick<LessonProgress, 'reached' | 'steps' | 'checks' | 'held' | 'quizzes' | 'correct' | 'via'> {
  lessonId: string;
  complete: boolean;
}

export function emptyProgress(): Progress {
  return { schema: PROGRESS_SCHEMA, version: PROGRESS_VERSION, lessons: {} };
}

/** Done is kept once earned: a later, unfinished run (a re-read, a stopped demo) must not take it away. */
export function recordRun(progress: Progress, run: RunRecord, now: Date): Progress {
  const at = now.toISOString();
  const before = progress.lessons[run.lessonId];
  const reached = Math.max(before?.reached ?? 0, run.reached);
  const counts = { steps: run.steps, checks: run.checks, held: run.held, quizzes: run.quizzes, correct: run.correct, via: run.via };
  let entry: LessonProgress;
  if (run.complete) {
    entry = { status: 'done', reached, ...counts, startedAt: before?.startedAt ?? at, updatedAt: at, doneAt: before?.doneAt ?? at };
  } else if (before?.status === 'done') {
    entry = { ...before, reached, updatedAt: at };
  } else {
    entry = { status: 'started', reached, ...counts, startedAt: before?.startedAt ?? at, updatedAt: at, doneAt: null };
  }
  return { ...progress, lessons: { ...progress.lessons, [run.lessonId]: entry } };
}

/** Without a lesson id: everything. */
export function eraseProgress(progress: Progress, lessonId?: string): Progress {
  if (lessonId === undefined) return emptyProgress();
  const { [lessonId]: _erased, ...rest } = progress.lessons;
  return { ...progress, lessons: rest };
}

/** Checks a parsed file's shape; returns why it is not a progress document, or null. */
export function progressProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object') return 'not a JSON object';
  const doc = value as Partial<Progress>;
  if (doc.schema !== PROGRESS_SCHEMA) return 'not a progress file';
  if (typeof doc.version !== 'number') return 'no version';
  if (doc.version > PROGRESS_VERSION) return 'newer';
  if (!doc.lessons || typeof doc.lessons !== 'object' || Array.isArray(doc.lessons)) return 'no lessons';
  // Each lesson entry is checked on its own (validate.ts): one bad entry costs only itself.
  return null;
}

// The step player: a pure reducer over which step is current and what each step's run produced.
// Effects (running actions, checking expectations) live in runner.ts and report back as actions.
import type { Lang, Lesson, Text } from './types.js';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface ExpectationOutcome {
  ok: boolean;
  detail?: string;
  skipped?: boolean;
}

export interface StepState {
  status: StepStatus;
  expectations: ExpectationOutcome[];
  /** Why the step's action failed, in both languages: the view picks the learner's. */
  error: Text | null;
  /** The learner's quiz choice, or null. */
  choice: number | null;
}

export interface PlayerState {
  lessonId: string;
  stepCount: number;
  index: number;
  steps: StepState[];
  lang: Lang;
  hintVisible: boolean;
  helpVisible: boolean;
  /** True once the learner has gone past the last step. */
  finished: boolean;
}

export type PlayerAction =
  | { type: 'next' }
  | { type: 'back' }
  | { type: 'run-started'; index: number }
  | { type: 'run-finished'; index: number; expectations: ExpectationOutcome[] }
  | { type: 'run-failed'; index: number; error: Text }
  | { type: 'run-cancelled'; index: number }
  /** Re-run: every step goes back to pending (the demo restarts from scratch; steps up to the current one run again). */
  | { type: 'rerun' }
  /** From the summary: the lesson from step 1, quiz answers cleared (a fresh demo runs every step again). */
  | { type: 'restart' }
  | { type: 'answer'; choice: number }
  | { type: 'toggle-hint' }
  | { type: 'toggle-help' }
  | { type: 'set-lang'; lang: Lang };

const freshStep = (): StepState => ({ status: 'pending', expectations: [], error: null, choice: null });

export function initialPlayerState(lesson: Lesson, lang: Lang): PlayerState {
  return {
    lessonId: lesson.id,
    stepCount: lesson.steps.length,
    index: 0,
    steps: lesson.steps.map(freshStep),
    lang,
    hintVisible: false,
    helpVisible: false,
    finished: false,
  };
}

function updateStep(state: PlayerState, index: number, patch: Partial<StepState>): PlayerState {
  if (index < 0 || index >= state.steps.length) return state;
  const steps = state.steps.slice();
  steps[index] = { ...steps[index], ...patch };
  return { ...state, steps };
}

export function isBusy(state: PlayerState): boolean {
  return state.steps.some((s) => s.status === 'running');
}

/** The first step at or before `index` that has not run: the runner must run steps in order. */
export function nextToRun(state: PlayerState): number | null {
  for (let i = 0; i <= state.index; i++) {
    if (state.steps[i].status === 'pending') return i;
  }
  return null;
}

export function playerReducer(state: PlayerState, action: PlayerAction): PlayerState {
  switch (action.type) {
    case 'next':
      if (isBusy(state) || state.steps[state.index].status === 'cancelled') return state;
      if (state.index === state.stepCount - 1) return { ...state, finished: true };
      return { ...state, index: state.index + 1, hintVisible: false };
    case 'back':
      if (state.index === 0) return state;
      return { ...state, index: state.index - 1, hintVisible: false, finished: false };
    case 'run-started':
      return updateStep(state, action.index, { status: 'running', error: null, expectations: [] });
    case 'run-finished':
      return updateStep(state, action.index, { status: 'done', expectations: action.expectations });
    case 'run-failed':
      return updateStep(state, action.index, { status: 'failed', error: action.error });
    case 'run-cancelled':
      return updateStep(state, action.index, { status: 'cancelled' });
    case 'rerun': {
      // The demo restarts from scratch, so every result it produced is stale, later steps' included;
      // quiz answers are the learner's and stay.
      if (isBusy(state)) return state;
      const steps = state.steps.map((s) => ({ ...freshStep(), choice: s.choice }));
      return { ...state, steps };
    }
    case 'restart':
      if (isBusy(state)) return state;
      return { ...state, index: 0, steps: state.steps.map(freshStep), finished: false, hintVisible: false };
    case 'answer':
      if (state.steps[state.index].choice !== null) return state;
      return updateStep(state, state.index, { choice: action.choice });
    case 'toggle-hint':
      return { ...state, hintVisible: !state.hintVisible };
    case 'toggle-help':
      return { ...state, helpVisible: !state.helpVisible };
    case 'set-lang':
      return { ...state, lang: action.lang };
  }
}

export interface LessonScore {
  checks: number;
  held: number;
  quizzes: number;
  correct: number;
  complete: boolean;
}

export function score(state: PlayerState, lesson: Lesson): LessonScore {
  let checks = 0;
  let held = 0;
  let quizzes = 0;
  let correct = 0;
  lesson.steps.forEach((step, i) => {
    const s = state.steps[i];
    // A skipped check (the machine lacks what it needs) counts neither as held nor as failed.
    const skipped = s.expectations.filter((e) => e.skipped).length;
    checks += (step.expect?.length ?? 0) - skipped;
    held += s.expectations.filter((e) => e.ok && !e.skipped).length;
    if (step.quiz) {
      quizzes++;
      if (s.choice === step.quiz.answer) correct++;
    }
  });
  const allRan = state.steps.every((s) => s.status === 'done');
  return { checks, held, quizzes, correct, complete: state.finished && allRan && held === checks };
}

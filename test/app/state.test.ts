// The app's and the lesson screen's reducers, without rendering and without processes.
import { describe, expect, it } from 'vitest';
import { appReducer, initialAppState, selectedExercise, selectedLesson, type AppAction } from '../../src/ui/app/app-state.js';
import { initialLessonState, LOG_LIMIT } from '../../src/lesson/lesson-state.js';
import { play, quietLesson, ranFirstStep, tableSample } from './fixtures.js';

const app = (...actions: AppAction[]) => actions.reduce(appReducer, initialAppState({ lessonCount: 3, lang: 'en' }));

describe('app state', () => {
  it('moves the menu selection with wrap-around, to the ends, and opens the selection', () => {
    expect(app({ type: 'move', by: 1 }).selected).toBe(1);
    expect(app({ type: 'move', by: -1 }).selected).toBe(2);
    expect(app({ type: 'last' }, { type: 'move', by: 1 }).selected).toBe(0);
    expect(app({ type: 'last' }, { type: 'first' }).selected).toBe(0);
    expect(app({ type: 'move', by: 1 }, { type: 'open' })).toMatchObject({ screen: 'lesson', selected: 1 });
  });

  it('opens a lesson by index, ignores one that does not exist, and closes back to the menu on it', () => {
    expect(app({ type: 'open', index: 2 })).toMatchObject({ screen: 'lesson', selected: 2 });
    expect(app({ type: 'open', index: -1 })).toMatchObject({ screen: 'menu', selected: 0 });
    expect(app({ type: 'open', index: 2 }, { type: 'close' })).toMatchObject({ screen: 'menu', selected: 2 });
  });

  it('toggles the language and the help, and closes the help when a lesson opens', () => {
    expect(app({ type: 'toggle-lang' }).lang).toBe('zh');
    expect(app({ type: 'toggle-lang' }, { type: 'toggle-lang' }).lang).toBe('en');
    expect(app({ type: 'toggle-help' }).helpVisible).toBe(true);
    expect(app({ type: 'toggle-help' }, { type: 'open' }).helpVisible).toBe(false);
  });

  it('moves over exercises too, in the order of the menu, and opens one on the exercise screen', () => {
    const items = [{ kind: 'lesson', index: 0 }, { kind: 'lesson', index: 1 }, { kind: 'exercise', id: 'close-dup' }, { kind: 'lesson', index: 2 }] as const;
    const start = initialAppState({ lessonCount: 3, lang: 'en', items, first: 2 });
    expect(start.selected).toBe(3); // lesson index 2 is the fourth item
    const onExercise = appReducer(start, { type: 'move', by: -1 });
    expect(selectedExercise(onExercise)).toBe('close-dup');
    expect(selectedLesson(onExercise)).toBe(-1);
    expect(appReducer(onExercise, { type: 'open' })).toMatchObject({ screen: 'exercise', selected: 2 });
    // A lesson number typed in the menu opens that lesson wherever the cursor is.
    expect(appReducer(onExercise, { type: 'open', index: 1 })).toMatchObject({ screen: 'lesson', selected: 1 });
    expect(appReducer(appReducer(onExercise, { type: 'open' }), { type: 'close' })).toMatchObject({ screen: 'menu', selected: 2 });
  });

  it('can start in a lesson (hotrestart-tutor lesson N)', () => {
    expect(initialAppState({ lessonCount: 3, lang: 'zh', open: 1 })).toMatchObject({ screen: 'lesson', selected: 1, lang: 'zh' });
    expect(initialAppState({ lessonCount: 3, lang: 'en', open: 7 }).screen).toBe('menu');
  });
});

describe('lesson state', () => {
  it('re-run resets every step, the later ones too, and clears what the old demo showed', () => {
    let state = play(ranFirstStep(), { type: 'answer', choice: 1 }, { type: 'next' }, { type: 'run-started', index: 1 }, { type: 'run-finished', index: 1, expectations: [{ ok: true }, { ok: false }] }, { type: 'ran-through', count: 2 }, { type: 'back' });
    expect(state.player.index).toBe(0);
    state = play(state, { type: 'rerun' });
    expect(state.player.steps.map((s) => s.status)).toEqual(['pending', 'pending', 'pending']);
    expect(state.player.steps[0].choice).toBe(1); // answers are the learner's, not the demo's
    expect(state).toMatchObject({ demo: 'idle', ranThrough: 0, log: [], replaying: null });
    expect(state.table.watch.snapshot).toBeNull();
  });

  it('does not re-run while a step runs (the driver stops the demo first)', () => {
    const running = play(initialLessonState(quietLesson, 'en'), { type: 'run-started', index: 0 }, { type: 'log', entry: { at: 0, source: 'tutor', kind: 'event', text: 'x' } });
    expect(play(running, { type: 'rerun' })).toBe(running);
  });

  it('scrolls the text, and a new step starts at its top', () => {
    let state = play(ranFirstStep(), { type: 'scroll', to: 4 });
    expect(state.scroll).toBe(4);
    expect(play(state, { type: 'scroll', to: -3 }).scroll).toBe(0);
    state = play(state, { type: 'next' });
    expect(state.scroll).toBe(0);
  });

  it(`keeps the last ${LOG_LIMIT} log entries`, () => {
    const entries = Array.from({ length: LOG_LIMIT + 5 }, (_, i) => ({ type: 'log' as const, entry: { at: i, source: 'p1', kind: 'syscall' as const, text: `line ${i}` } }));
    const state = play(initialLessonState(quietLesson, 'en'), ...entries);
    expect(state.log).toHaveLength(LOG_LIMIT);
    expect(state.log[LOG_LIMIT - 1].text).toBe(`line ${LOG_LIMIT + 4}`);
  });

  it('a refresh that changes nothing keeps the very same state, so nothing redraws', () => {
    const state = ranFirstStep();
    expect(play(state, { ...tableSample(), at: 10 })).toBe(state);
    expect(play(state, { type: 'demo', status: 'live' })).toBe(state);
  });
});

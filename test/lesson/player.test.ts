// The step player is a pure reducer: tested without rendering and without processes.
import { describe, expect, it } from 'vitest';
import { initialPlayerState, nextToRun, playerReducer, score, type PlayerAction, type PlayerState } from '../../src/lesson/player.js';
import type { Lesson } from '../../src/lesson/types.js';

const t = (s: string) => ({ en: s, zh: s });
const lesson: Lesson = {
  id: 'demo',
  number: 99,
  chapter: t('c'),
  title: t('t'),
  summary: t('s'),
  recap: [t('r')],
  steps: [
    { id: 'a', title: t('a'), text: t('a'), run: async () => {}, expect: [{ text: t('x'), check: () => true }] },
    { id: 'b', title: t('b'), text: t('b'), quiz: { question: t('q'), choices: [t('1'), t('2')], answer: 1, explanation: t('e') } },
    { id: 'c', title: t('c'), text: t('c'), expect: [{ text: t('y'), check: () => true }, { text: t('z'), check: () => true }] },
  ],
};
const play = (state: PlayerState, ...actions: PlayerAction[]) => actions.reduce(playerReducer, state);

describe('player', () => {
  it('runs steps in order: the first pending step at or before the current one', () => {
    let s = initialPlayerState(lesson, 'en');
    expect(nextToRun(s)).toBe(0);
    s = play(s, { type: 'run-started', index: 0 });
    expect(nextToRun(s)).toBeNull();
    s = play(s, { type: 'run-finished', index: 0, expectations: [{ ok: true }] }, { type: 'next' });
    expect(s.index).toBe(1);
    expect(nextToRun(s)).toBe(1);
  });

  it('does not move on while a step runs, nor after a cancelled demo', () => {
    let s = play(initialPlayerState(lesson, 'en'), { type: 'run-started', index: 0 }, { type: 'next' });
    expect(s.index).toBe(0);
    s = play(s, { type: 'run-cancelled', index: 0 }, { type: 'next' });
    expect(s.index).toBe(0);
    s = play(s, { type: 'rerun' });
    expect(s.steps[0].status).toBe('pending');
  });

  it('re-run resets every step and keeps quiz answers', () => {
    let s = initialPlayerState(lesson, 'en');
    s = play(s, { type: 'run-finished', index: 0, expectations: [{ ok: true }] }, { type: 'next' }, { type: 'run-finished', index: 1, expectations: [] }, { type: 'answer', choice: 1 }, { type: 'rerun' });
    expect(s.steps.map((x) => x.status)).toEqual(['pending', 'pending', 'pending']);
    expect(s.steps[1].choice).toBe(1);
  });

  it('a quiz takes one answer; back, hint and language are plain toggles', () => {
    let s = play(initialPlayerState(lesson, 'en'), { type: 'next' }, { type: 'answer', choice: 0 }, { type: 'answer', choice: 1 });
    expect(s.steps[1].choice).toBe(0);
    s = play(s, { type: 'toggle-hint' }, { type: 'back' });
    expect(s).toMatchObject({ index: 0, hintVisible: false });
    s = play(s, { type: 'set-lang', lang: 'zh' }, { type: 'toggle-help' });
    expect(s).toMatchObject({ lang: 'zh', helpVisible: true });
  });

  it('scores a lesson complete only when every step ran, every check held and the end was reached', () => {
    let s = initialPlayerState(lesson, 'en');
    s = play(
      s,
      { type: 'run-finished', index: 0, expectations: [{ ok: true }] },
      { type: 'next' },
      { type: 'run-finished', index: 1, expectations: [] },
      { type: 'answer', choice: 1 },
      { type: 'next' },
      { type: 'run-finished', index: 2, expectations: [{ ok: true }, { ok: false }] },
      { type: 'next' },
    );
    expect(score(s, lesson)).toEqual({ checks: 3, held: 2, quizzes: 1, correct: 1, complete: false });
    s = play(s, { type: 'run-finished', index: 2, expectations: [{ ok: true }, { ok: true }] });
    expect(score(s, lesson).complete).toBe(true);
  });
});

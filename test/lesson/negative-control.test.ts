// Negative controls, as rustlings checks that every exercise's starter fails: each lesson is played with
// each step's checks made first without the action they are about (src/lesson/control.ts). Every step
// with checks must then see at least one ✘ — a step whose checks all hold without its action passes for
// the wrong reason — and the lesson must still play to its end with every check holding. One language
// per lesson, alternating, keeps the run short while both languages are played.
import { describe, expect, it } from 'vitest';
import { lessons } from '../../lessons/index.js';
import { caught, playControl, type ControlStep } from '../../src/lesson/control.js';
import { pick } from '../../src/lesson/i18n.js';
import type { Lesson } from '../../src/lesson/types.js';
import { collector } from '../helpers/lesson-output.js';

const t = (s: string) => ({ en: s, zh: s });

/** What a failing control says: the step, and each check's outcome without its action. */
function explain(lesson: Lesson, step: ControlStep): string {
  const checks = lesson.steps[step.index].expect ?? [];
  const outcomes = (step.withoutAction ?? []).map((o, i) => `${o.skipped ? '○' : o.ok ? '✔' : '✘'} ${pick(checks[i].text, 'en')} (${o.detail ?? ''})`);
  return `lesson ${lesson.number} step ${step.index + 1} (${step.id}), checked without the action of step ${step.actionOf + 1}:\n  ${outcomes.join('\n  ')}`;
}

describe('negative controls: the control itself', () => {
  // No processes: the action sets a value, one check reads it and one holds whatever happens.
  interface Vars {
    done: boolean;
  }
  const lesson: Lesson<Vars> = {
    id: 'control',
    recap: [],
    number: 99,
    chapter: t('c'),
    title: t('t'),
    summary: t('s'),
    steps: [
      {
        id: 'reads-its-action',
        title: t('a'),
        text: t('a'),
        run: async (ctx) => void (ctx.vars.done = true),
        expect: [{ text: t('done'), check: (ctx) => ctx.vars.done === true }],
      },
      { id: 'no-action', title: t('b'), text: t('b'), expect: [{ text: t('done still'), check: (ctx) => ctx.vars.done === true }] },
      {
        id: 'passes-anyway',
        title: t('c'),
        text: t('c'),
        run: async () => {},
        expect: [{ text: t('always'), check: () => true }],
      },
    ],
  };

  it('catches a check that reads its action, and reports one that holds without it', async () => {
    const steps = await playControl(lesson, { lang: 'en' });
    expect(steps.map((s) => s.played.status)).toEqual(['done', 'done', 'done']);
    // A step without an action is checked without the action before it.
    expect(steps.map((s) => s.actionOf)).toEqual([0, 0, 2]);
    expect(steps.map((s) => caught(s.withoutAction))).toEqual([true, true, false]);
  }, 30_000);
});

describe('negative controls: every lesson', () => {
  for (const [i, lesson] of lessons.entries()) {
    const lang = i % 2 === 0 ? 'en' : 'zh';
    it(`lesson ${lesson.number} (${lang}): every step's checks fail without their action, and hold with it`, async () => {
      const log = collector();
      const steps = await playControl(lesson, { lang, log: log.stream });
      const played = steps.map((s) => `${s.index + 1} ${s.played.status === 'done' ? s.played.expectations.map((o) => (o.skipped ? '○' : o.ok ? '✔' : '✘')).join('') : s.played.status}`);
      // Played as usual, every check that could run held (the control disturbed nothing).
      expect(steps.length, log.text()).toBe(lesson.steps.length);
      expect(played.every((line) => !/✘|failed|cancelled/.test(line)), `${played.join(' · ')}\n${log.text()}`).toBe(true);
      for (const step of steps) {
        if (!lesson.steps[step.index].expect?.length) continue;
        expect(step.withoutAction, `step ${step.index + 1} has checks but no action before it to skip`).not.toBeNull();
        // All skipped (this machine lacks what they need): nothing to judge.
        if (step.withoutAction!.every((o) => o.skipped)) continue;
        expect(caught(step.withoutAction), explain(lesson, step)).toBe(true);
      }
    }, 120_000);
  }
});

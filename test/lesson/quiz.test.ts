// Quizzes are written with the right answer first; the learner sees each quiz's choices in an order of
// its own (src/lesson/quiz.ts), the same on every run, with the answer key following the choice. The
// plain renderer wraps question, choices and explanation like the prose.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lessons } from '../../lessons/index.js';
import { cellWidth } from '../../src/text/width.js';
import { playPlain } from '../../src/lesson/plain.js';
import { initialPlayerState, playerReducer, score } from '../../src/lesson/player.js';
import { orderQuiz, orderQuizzes } from '../../src/lesson/quiz.js';
import type { Lesson, Quiz } from '../../src/lesson/types.js';
import { collector } from '../helpers/lesson-output.js';

const t = (s: string) => ({ en: s, zh: `${s}（中文）` });
const LESSON_FILE = /^\d\d-[\w-]+(?<!\.kit)\.ts$/;

/** The lessons as written (every lesson file's export), by id. */
async function written(): Promise<Map<string, Lesson>> {
  const files = readdirSync(new URL('../../lessons/', import.meta.url)).filter((file) => LESSON_FILE.test(file));
  const modules = await Promise.all(files.map((file) => import(`../../lessons/${file.replace(/\.ts$/, '.js')}`) as Promise<{ lesson: Lesson }>));
  return new Map(modules.map(({ lesson }) => [lesson.id, lesson]));
}

const quizzesOf = (lesson: Lesson) => lesson.steps.flatMap((step) => (step.quiz ? [{ step: step.id, quiz: step.quiz }] : []));

describe('quiz order', () => {
  it('shows every quiz of every lesson with the same choices, the answer key following the right one', async () => {
    const byId = await written();
    let count = 0;
    for (const shown of lessons) {
      const raw = byId.get(shown.id)!;
      const before = quizzesOf(raw);
      const after = quizzesOf(shown);
      expect(after.map((q) => q.step)).toEqual(before.map((q) => q.step));
      after.forEach(({ quiz }, i) => {
        const original = before[i].quiz;
        expect([...quiz.choices].sort((a, b) => a.en.localeCompare(b.en))).toEqual([...original.choices].sort((a, b) => a.en.localeCompare(b.en)));
        expect(quiz.choices[quiz.answer]).toBe(original.choices[original.answer]);
        expect([quiz.question, quiz.explanation]).toEqual([original.question, original.explanation]);
        count++;
      });
    }
    expect(count).toBeGreaterThanOrEqual(30);
  });

  it('varies the place of the right answer from quiz to quiz', () => {
    const places = lessons.flatMap((lesson) => quizzesOf(lesson).map(({ quiz }) => quiz.answer));
    const counts = new Map<number, number>();
    for (const place of places) counts.set(place, (counts.get(place) ?? 0) + 1);
    // Answering "1" every time (or any one number) scores at most about half.
    expect(counts.size).toBeGreaterThanOrEqual(3);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(Math.ceil(places.length * 0.6));
  });

  it('is the same on every run, in both languages, and applying it again changes nothing', () => {
    const quiz: Quiz = { question: t('q'), choices: [t('right'), t('wrong a'), t('wrong b'), t('wrong c')], answer: 0, explanation: t('e') };
    const once = orderQuiz(quiz, 'lesson', 'step');
    expect(orderQuiz(quiz, 'lesson', 'step')).toEqual(once);
    expect(orderQuiz(once, 'lesson', 'step')).toEqual(once);
    expect(once.choices[once.answer]).toBe(quiz.choices[0]);
    // The zh text travels with its en text.
    expect(once.choices.every((choice) => choice.zh === `${choice.en}（中文）`)).toBe(true);
    // Written in another order, the same choices are shown the same way.
    const reversed = { ...quiz, choices: [...quiz.choices].reverse(), answer: 3 };
    expect(orderQuiz(reversed, 'lesson', 'step')).toEqual(once);
    // Another step, another order (for these ids; the order is a hash, so not for every pair).
    const orders = ['a', 'b', 'c', 'd', 'e', 'f'].map((step) => orderQuiz(quiz, 'lesson', step).choices.map((c) => c.en).join('|'));
    expect(new Set(orders).size).toBeGreaterThan(1);
    const lessonsOnce = lessons.map((lesson) => orderQuizzes(lesson));
    expect(lessonsOnce.map(quizzesOf)).toEqual(lessons.map(quizzesOf));
  });

  it('scores the choice the learner saw: the shown answer is right, the written first one no longer', () => {
    const lesson = lessons.find((l) => quizzesOf(l).some(({ quiz }) => quiz.answer !== 0))!;
    const index = lesson.steps.findIndex((step) => step.quiz && step.quiz.answer !== 0);
    const answerWith = (choice: number) => {
      let state = { ...initialPlayerState(lesson, 'en'), index };
      state = playerReducer(state, { type: 'answer', choice });
      return score(state, lesson).correct;
    };
    expect(answerWith(lesson.steps[index].quiz!.answer)).toBe(1);
    expect(answerWith(0)).toBe(0);
  });
});

describe('quiz in plain text', () => {
  const long = 'because the kernel keeps the accept queue with the socket and not with any one process or file descriptor, so closing one reference loses nothing at all';
  const lesson: Lesson = {
    id: 'quiz-plain',
    recap: [],
    number: 98,
    chapter: t('c'),
    title: t('t'),
    summary: t('s'),
    steps: [
      {
        id: 'only',
        title: t('only'),
        text: t('text'),
        quiz: { question: t(`Why? ${long}`), choices: [t(`Right: ${long}`), t('Wrong one'), t('Wrong two')], answer: 0, explanation: t(`Explained: ${long}`) },
        hint: t(`Hint text: ${long}`),
      },
    ],
  };

  for (const lang of ['en', 'zh'] as const) {
    it(`wraps question, choices, answer and explanation to the width, in the shown order (${lang})`, async () => {
      const out = collector();
      await playPlain(lesson, { lang, out: out.stream, width: 60 });
      const lines = out.text().split('\n');
      expect(lines.filter((line) => cellWidth(line) > 60)).toEqual([]);
      const shown = orderQuiz(lesson.steps[0].quiz!, lesson.id, 'only');
      const first = lines.findIndex((line) => /^ {4}1\) /.test(line));
      expect(lines[first]).toContain(shown.choices[0][lang].slice(0, 10));
      // The explanation is a paragraph of its own, indented and wrapped over several lines.
      const explained = lines.findIndex((line) => line.startsWith('  Explained:'));
      expect(explained).toBeGreaterThan(first);
      expect(lines[explained + 1]).toMatch(/^ {2}\S/);
      // The answer names the right choice by its shown number.
      expect(out.text()).toContain(`${shown.answer + 1}) Right:`);
    }, 30_000);
  }
});

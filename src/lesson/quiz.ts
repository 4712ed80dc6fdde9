// The order a quiz's choices are shown in. Lessons are written with the right answer first; shown that
// way, "always pick 1" would score every quiz. Each quiz's choices are ordered by a hash of the lesson
// id, the step id and the choice itself: the order differs from quiz to quiz but is the same on every
// run and in both languages, and the answer key follows it. Pure, and idempotent (the order does not
// depend on the order it is given), so every way a lesson reaches the learner may apply it.
import type { Lesson, Quiz, Step } from './types.js';

/** FNV-1a, 32 bits: small, stable across runs and platforms. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The quiz with its choices in presentation order and `answer` pointing at the same choice as before. */
export function orderQuiz(quiz: Quiz, lessonId: string, stepId: string): Quiz {
  const rank = (index: number) => fnv1a(`${lessonId}/${stepId}/${quiz.choices[index].en}`);
  const order = quiz.choices.map((_, i) => i).sort((a, b) => rank(a) - rank(b) || a - b);
  return { ...quiz, choices: order.map((i) => quiz.choices[i]), answer: order.indexOf(quiz.answer) };
}

/** The lesson as the learner sees it: every quiz in presentation order (the steps are otherwise the same). */
export function orderQuizzes<V extends object>(lesson: Lesson<V>): Lesson<V> {
  const steps: Step<V>[] = lesson.steps.map((step) => (step.quiz ? { ...step, quiz: orderQuiz(step.quiz, lesson.id, step.id) } : step));
  return { ...lesson, steps };
}

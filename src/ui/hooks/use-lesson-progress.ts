// Saves how far the learner got in a lesson whenever that changes: opened (started), the furthest
// step, the checks that held, the quiz answers, and done once player.score() says complete.
import { useEffect, useRef } from 'react';
import { score, type PlayerState } from '../../lesson/player.js';
import type { Lesson } from '../../lesson/types.js';
import type { RunRecord } from '../../progress/model.js';

export function useLessonProgress(lesson: Lesson, player: PlayerState, record: (run: RunRecord) => void): void {
  const reached = useRef(0);
  const written = useRef('');
  useEffect(() => {
    reached.current = Math.max(reached.current, player.index + 1);
    const result = score(player, lesson);
    const run: RunRecord = {
      lessonId: lesson.id, complete: result.complete, reached: reached.current, steps: lesson.steps.length,
      checks: result.checks, held: result.held, quizzes: result.quizzes, correct: result.correct, via: 'app',
    };
    // Player states change many times a step (running, finished, hint...); the file only when the record does.
    const key = JSON.stringify(run);
    if (key === written.current) return;
    written.current = key;
    record(run);
  }, [lesson, player, record]);
}

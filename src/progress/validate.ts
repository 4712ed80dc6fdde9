// Checks each lesson entry of a progress file on its own, so that one entry edited by hand (or written
// by a buggy tool) costs only that entry, never the whole record nor a garbled table ("step undefined").
// Fields this version does not know are kept as they are: a later version may have added them.
import type { LessonProgress } from './model.js';

const count = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const time = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** Why one entry cannot be used, or null when it can. */
export function lessonEntryProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const entry = value as Partial<Record<keyof LessonProgress, unknown>>;
  if (entry.status !== 'started' && entry.status !== 'done') return 'status is neither started nor done';
  for (const key of ['reached', 'steps', 'checks', 'held', 'quizzes'] as const) {
    if (!count(entry[key])) return `${key} is not a whole number`;
  }
  if ((entry.reached as number) > (entry.steps as number)) return 'reached is past the last step';
  if ((entry.held as number) > (entry.checks as number)) return 'more checks held than ran';
  if (entry.correct !== null && !count(entry.correct)) return 'correct is neither null nor a whole number';
  if (entry.via !== 'app' && entry.via !== 'plain') return 'via is neither app nor plain';
  if (!time(entry.startedAt) || !time(entry.updatedAt)) return 'a date is missing or malformed';
  if (entry.doneAt !== null && !time(entry.doneAt)) return 'doneAt is neither null nor a date';
  return null;
}

/** The usable entries, and the ids of those dropped. */
export function validLessons(lessons: Record<string, unknown>): { lessons: Record<string, LessonProgress>; dropped: string[] } {
  const kept: Record<string, LessonProgress> = {};
  const dropped: string[] = [];
  for (const [id, entry] of Object.entries(lessons)) {
    if (lessonEntryProblem(entry) === null) kept[id] = entry as LessonProgress;
    else dropped.push(id);
  }
  return { lessons: kept, dropped };
}

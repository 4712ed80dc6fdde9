// What a step is about, for the table that shows it: the columns its checks speak of (so a narrow
// terminal never hides the evidence a ✔ or ✘ refers to) and those the step names itself.
import type { ColumnId } from '../fdtable/format.js';
import type { Lesson } from './types.js';

/** Words in a check's English text that name a column's content. */
const SPOKEN: ReadonlyArray<readonly [RegExp, ColumnId]> = [
  [/\bOFFSET\b|\boffsets?\b/, 'offset'],
  [/\bNODE\b|\binodes?\b/, 'node'],
  [/\bFD FLAGS\b|cloexec|close-on-exec|FD_CLOEXEC/i, 'fdFlags'],
  [/\bFILE FLAGS\b|nonblock|non-blocking|\bblocking\b|O_NONBLOCK|O_APPEND|\bappend\b/i, 'fileFlags'],
  [/\bQUEUE\b|accept queue|backlog|\bqueues?\b/i, 'queue'],
  [/\bTYPE\b/, 'type'],
  [/\bCMD\b/, 'command'],
];

/** Columns step `index` is about: its observation's `columns` and those its checks name. */
export function stepColumns(lesson: Lesson, index: number): ColumnId[] {
  const step = lesson.steps[index];
  if (!step) return [];
  const columns = new Set<ColumnId>(step.show?.columns ?? []);
  for (const expectation of step.expect ?? []) {
    for (const [pattern, column] of SPOKEN) if (pattern.test(expectation.text.en)) columns.add(column);
  }
  return [...columns];
}

// The table of contents: lessons grouped by chapter, each with the learner's mark. Shared by the
// app's menu and by the plain `list` output, so both say the same thing the same way.
import type { Progress, LessonProgress } from '../../progress/model.js';
import { pick, tr } from '../../lesson/i18n.js';
import type { ExerciseBrief, Lang, Lesson, Text } from '../../lesson/types.js';
import { exerciseMark, markSymbol, type ExerciseMark } from '../../exercise/progress.js';
import { exerciseMarkWords, tocText } from '../../exercise/cli-text.js';
import { cellWidth } from '../../text/wrap.js';
import type { MenuItem } from './app-state.js';

export type Mark = 'done' | 'started' | 'new';

export interface TocEntry {
  lesson: Lesson;
  /** Position in the flat list of lessons (what the menu selects). */
  index: number;
  mark: Mark;
  record: LessonProgress | undefined;
}

export interface TocChapter {
  title: Text;
  entries: TocEntry[];
  /** The exercises of the chapter's lessons, listed after them. */
  exercises: TocExercise[];
}

export interface TocExercise {
  exercise: ExerciseBrief;
  mark: ExerciseMark;
}

export function markOf(record: LessonProgress | undefined): Mark {
  if (!record) return 'new';
  return record.status === 'done' ? 'done' : 'started';
}

/** Chapters in the order their first lesson appears; lessons in the order given. */
export function buildToc(lessons: readonly Lesson[], progress: Progress): TocChapter[] {
  const chapters: TocChapter[] = [];
  lessons.forEach((lesson, index) => {
    const record = progress.lessons[lesson.id];
    const entry: TocEntry = { lesson, index, mark: markOf(record), record };
    const exercises = (lesson.exercises ?? []).map((exercise) => ({ exercise, mark: exerciseMark(progress, exercise.id) }));
    const chapter = chapters.find((c) => c.title.en === lesson.chapter.en);
    if (chapter) {
      chapter.entries.push(entry);
      chapter.exercises.push(...exercises);
    } else chapters.push({ title: lesson.chapter, entries: [entry], exercises });
  });
  for (const chapter of chapters) chapter.exercises.sort((a, b) => a.exercise.number - b.exercise.number);
  return chapters;
}

/** What the menu's cursor moves over, in the order shown: each chapter's lessons, then its exercises. */
export function menuItems(toc: readonly TocChapter[]): MenuItem[] {
  return toc.flatMap((chapter) => [
    ...chapter.entries.map((entry): MenuItem => ({ kind: 'lesson', index: entry.index })),
    ...chapter.exercises.map((entry): MenuItem => ({ kind: 'exercise', id: entry.exercise.id })),
  ]);
}

/** One exercise as a line: `ex1  ✔ passed      Close the dup`. */
export function tocExerciseLine(entry: TocExercise, lang: Lang): string {
  const text = `${markSymbol(entry.mark)} ${pick(exerciseMarkWords[entry.mark], lang)}`;
  const label = `${pick(tocText.exercise, lang)}${entry.exercise.number}`;
  return `${' '.repeat(Math.max(0, 3 - cellWidth(label)))}${label}  ${text}${' '.repeat(Math.max(0, MARK_WIDTH - cellWidth(text)))}${pick(entry.exercise.title, lang)}`;
}

const SYMBOLS: Record<Mark, string> = { done: '✔', started: '◐', new: '·' };

/** `✔ done`, `◐ started 3/6`, `· not yet`, padded to one width so titles line up in both languages. */
export function markText(entry: TocEntry, lang: Lang): string {
  const words = { done: tr('markDone', lang), started: tr('markStarted', lang), new: tr('markNew', lang) };
  const steps = entry.mark === 'started' && entry.record ? ` ${entry.record.reached}/${entry.record.steps}` : '';
  const text = `${SYMBOLS[entry.mark]} ${words[entry.mark]}${steps}`;
  return text + ' '.repeat(Math.max(0, MARK_WIDTH - cellWidth(text)));
}
const MARK_WIDTH = 14;

/** One lesson as a line: `  5  ✔ done        The dup reference-count leak`. */
export function tocLine(entry: TocEntry, lang: Lang): string {
  return `${String(entry.lesson.number).padStart(3)}  ${markText(entry, lang)}${pick(entry.lesson.title, lang)}`;
}

/** The whole table of contents as plain lines (for `list` and the non-interactive start). */
export function tocLines(toc: readonly TocChapter[], lang: Lang): string[] {
  const lines: string[] = [];
  for (const chapter of toc) {
    lines.push(pick(chapter.title, lang));
    for (const entry of chapter.entries) lines.push(tocLine(entry, lang));
    for (const entry of chapter.exercises) lines.push(tocExerciseLine(entry, lang));
    lines.push('');
  }
  return lines;
}

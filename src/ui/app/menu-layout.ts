// The menu screen as lines: the table of contents by chapter with each lesson's mark, the chosen
// lesson's summary, a notice when the progress file needed attention, and the keys.
import type { Palette } from '../../fdtable/format.js';
import { pick, tr } from '../../lesson/i18n.js';
import type { Lang } from '../../lesson/types.js';
import { fitBlocks, linesBlock, type Block } from './fit-blocks.js';
import { fit, wrapLine } from '../../text/wrap.js';
import { tocExerciseLine, tocLine, type TocChapter } from './toc.js';

export interface MenuInput {
  toc: readonly TocChapter[];
  /** The chosen lesson's index (-1 when the cursor is on an exercise). */
  selected: number;
  /** The chosen exercise's id, when the cursor is on one. */
  selectedExercise?: string | null;
  lang: Lang;
  /** One sentence about the progress file, or null. */
  notice: string | null;
  width: number;
  height: number;
  palette: Palette;
}

export function layoutMenu({ toc, selected, selectedExercise = null, lang, notice, width, height, palette }: MenuInput): string[] {
  const contents: string[] = [];
  let chosenLine = 0;
  let summary: string[] = [];
  for (const chapter of toc) {
    if (contents.length > 0) contents.push('');
    contents.push(palette.header(fit(pick(chapter.title, lang), width)));
    for (const entry of chapter.entries) {
      const chosen = entry.index === selected;
      if (chosen) chosenLine = contents.length;
      const line = fit(`${chosen ? '▶' : ' '}${tocLine(entry, lang)}`, width);
      contents.push(chosen ? palette.changed(line) : entry.mark === 'done' ? palette.added(line) : line);
      if (chosen) summary = wrapLine(pick(entry.lesson.summary, lang), width - 2).map((l) => `  ${l}`);
    }
    for (const exercise of chapter.exercises) {
      const chosen = exercise.exercise.id === selectedExercise;
      if (chosen) chosenLine = contents.length;
      const line = fit(`${chosen ? '▶' : ' '}${tocExerciseLine(exercise, lang)}`, width);
      contents.push(chosen ? palette.changed(line) : palette.muted(line));
      if (chosen) summary = wrapLine(pick(exercise.exercise.summary, lang), width - 2).map((l) => `  ${l}`);
    }
  }
  // Digits open lessons by number (two digits for 10 and up), so the hint names the highest.
  const digits = toc.flatMap((chapter) => chapter.entries.map((entry) => entry.lesson.number)).filter((n) => n >= 1);
  const blocks = [
    linesBlock('title', [palette.header(fit(tr('appTitle', lang), width)), ''], 1),
    tocBlock(contents, chosenLine),
    linesBlock('summary', summary.length > 0 ? ['', ...summary] : [], 3, 'head', () => '  …'),
    linesBlock('notice', notice ? ['', ...wrapLine(notice, width).map(palette.warning)] : [], 3),
    linesBlock('keys', ['', palette.muted(fit(tr('menuKeys', lang, { n: Math.max(1, ...digits) }), width))], 1, 'tail'),
  ];
  return fitBlocks(blocks, height, { mins: ['keys', 'toc', 'notice', 'title', 'summary'], grow: ['title', 'keys', 'summary'] }).lines;
}

/** The table of contents; when it is taller than the screen, a window that keeps the chosen lesson in view. */
function tocBlock(contents: readonly string[], chosenLine: number): Block {
  return {
    id: 'toc',
    size: contents.length,
    min: contents.length,
    render(height) {
      const top = Math.max(0, Math.min(chosenLine - Math.floor(height / 2), contents.length - height));
      return contents.slice(top, top + height);
    },
  };
}

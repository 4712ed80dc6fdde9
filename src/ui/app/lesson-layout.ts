// Lays out the whole lesson screen for a width and a height: which sections appear, in which order,
// and how many lines each gets. The quiz, the expectations and the status are never cut (a learner
// must see what to answer and what held); the text scrolls; the table and the log take what is left.
import type { Palette } from '../../fdtable/format.js';
import { score } from '../../lesson/player.js';
import { fill, pick, tr } from '../../lesson/i18n.js';
import { tocText } from '../../exercise/cli-text.js';
import type { Lesson } from '../../lesson/types.js';
import { fitBlocks, linesBlock, type Block } from './fit-blocks.js';
import {
  expectationLines, headerLine, hintLines, keysLine, logBlock, logLines, quizLines, statusLines, tableSection, textLines,
} from './lesson-sections.js';
import type { LessonState, Pane } from '../../lesson/lesson-state.js';
import { fit, wrapLine } from '../../text/wrap.js';

export interface LessonScreen {
  lines: string[];
  /** The largest useful scroll position of the text (0 when it fits). */
  maxScroll: number;
  /** The largest first row of the table a scroll can reach. */
  tableMax: number;
  /** The first table row on screen now (where a scroll starts from). */
  tableOffset: number;
  /** How far back the log can scroll. */
  logMax: number;
  /** The panes on screen, in Tab order. */
  panes: Pane[];
}

/** What the text gets before the table grows; the rest of the text is a scroll away. */
const TEXT_FIRST = 8;
const TABLE_MIN = 5;

export function layoutLesson(lesson: Lesson, state: LessonState, width: number, height: number, palette: Palette): LessonScreen {
  if (state.player.finished) return { lines: summaryLines(lesson, state, width, height, palette), maxScroll: 0, tableMax: 0, tableOffset: 0, logMax: 0, panes: [] };
  const { player } = state;
  const lang = player.lang;
  const step = lesson.steps[player.index];
  const result = player.steps[player.index];
  const text = textLines(step, lang, width, palette);
  const pane = state.zoom ? 'table' : state.pane;
  const table = tableSection(lesson, state, width, palette, TABLE_MIN, pane === 'table' && !state.zoom);
  const { lines: logItems, cut: logCut } = logLines(state.log, width, palette, state.expanded);
  const panes: Pane[] = ['text', ...(table.present ? (['table'] as const) : []), ...(logItems.length > 0 ? (['log'] as const) : [])];
  const checks = expectationLines(step, result, lang, width, palette, state.expanded);

  const textBlock: Block = {
    id: 'text',
    size: text.length,
    min: 3,
    render(h) {
      const top = Math.max(0, Math.min(state.scroll, text.length - h));
      const rest = text.slice(top);
      if (rest.length <= h) return rest;
      return [...rest.slice(0, h - 1), palette.muted(fit(tr('moreText', lang, { n: rest.length - h + 1 }), width))];
    },
  };
  const logTitle = (pane === 'log' ? palette.header : palette.muted)(`${pane === 'log' ? '▶' : '──'} ${tr('log', lang)} ──`);
  const log = logBlock(logTitle, logItems, state.logScroll, state.log.length - state.stepLog);
  const keysFor = (scrollable: boolean) => keysLine({
    canBack: player.index > 0, hasHint: !!step.hint, answers: step.quiz && result.choice === null ? step.quiz.choices.length : 0,
    panes: panes.length, hasTable: table.present, zoomed: state.zoom, cutChecks: checks.cut || logCut, expanded: state.expanded, scrollable,
  }, lang, width, palette);

  if (state.zoom && table.present) {
    // The table alone: every row is a scroll away, the caption and the keys stay.
    const room = height - 2;
    const body = table.block.render(Math.min(room, table.block.size));
    const tableMax = table.maxOffset(room);
    const lines = [headerLine(lesson, state, width, palette), ...body, ...Array(Math.max(0, room - body.length)).fill(''), keysFor(tableMax > 0)];
    return { lines, maxScroll: 0, tableMax, tableOffset: table.offset(room), logMax: 0, panes };
  }

  const blocks: Block[] = [
    linesBlock('header', [headerLine(lesson, state, width, palette)], 1),
    linesBlock('status', statusLines(state, width, palette), 1),
    textBlock,
    linesBlock('hint', hintLines(step, player.hintVisible, lang, width, palette), 4),
    table.block,
    titled('expect', palette.muted(tr('expectations', lang)), checks.lines),
    linesBlock('quiz', quizLines(step, result, lang, width, palette), 12),
    log,
    linesBlock('keys', [''], 1),
  ];
  const fitted = fitBlocks(blocks, height, {
    mins: ['header', 'keys', 'status', 'quiz', 'expect', 'hint', 'table', 'text', 'log'],
    grow: [['text', TEXT_FIRST], 'table', 'text', ['log', 3], 'expect', 'log'],
  });
  const maxScroll = Math.max(0, text.length - fitted.heights.text);
  const tableMax = table.maxOffset(fitted.heights.table);
  const logMax = Math.max(0, logItems.length - fitted.heights.log);
  const scrollable = pane === 'text' ? maxScroll > 0 : pane === 'table' ? tableMax > 0 : logMax > 0;
  const lines = fitted.lines;
  lines[lines.length - 1] = keysFor(scrollable);
  return { lines, maxScroll, tableMax, tableOffset: table.offset(fitted.heights.table), logMax, panes };
}

/**
 * A section with a title line that is the first thing to go when room is short: the items themselves
 * are the minimum. `tail` sections (the log) keep their newest items.
 */
function titled(id: string, title: string, items: readonly string[], keep: 'head' | 'tail' = 'head'): Block {
  if (items.length === 0) return { id, size: 0, min: 0, render: () => [] };
  const minimum = keep === 'tail' ? Math.min(2, items.length) : items.length;
  return {
    id,
    size: items.length + 1,
    min: minimum,
    render(h) {
      if (h > items.length) return [title, ...items];
      return keep === 'tail' ? items.slice(items.length - h) : items.slice(0, h);
    },
  };
}

/** After the last step: the score, whether the lesson counts as done, and where to go from here. */
function summaryLines(lesson: Lesson, state: LessonState, width: number, height: number, palette: Palette): string[] {
  const lang = state.player.lang;
  const result = score(state.player, lesson);
  const skipped = state.player.steps.reduce((n, s) => n + s.expectations.filter((e) => e.skipped).length, 0);
  const lines = [
    palette.header(fit(`${tr('lesson', lang, { n: lesson.number })} · ${pick(lesson.title, lang)}`, width)),
    '',
    ...wrapLine(tr('lessonDone', lang, { ok: result.held, total: result.checks }), width),
    ...(skipped > 0 ? wrapLine(tr('skippedChecks', lang, { n: skipped }), width) : []),
    ...(result.quizzes > 0 ? wrapLine(tr('quizScore', lang, { correct: result.correct, total: result.quizzes }), width) : []),
    '',
    ...(result.complete ? wrapLine(tr('markedDone', lang), width).map(palette.added) : wrapLine(tr('notDone', lang), width).map(palette.warning)),
    '',
    palette.header(fit(tr('remember', lang), width)),
    ...lesson.recap.flatMap((point) => wrapLine(`• ${pick(point, lang)}`, width)),
    ...(lesson.exercises ?? []).flatMap((exercise) => ['', ...wrapLine(fill(pick(tocText.offer, lang), { n: exercise.number, title: pick(exercise.title, lang) }), width)]),
  ];
  const keys = palette.muted(fit(tr('finishKeys', lang), width));
  return [...lines.slice(0, Math.max(0, height - 2)), '', keys].slice(-height);
}

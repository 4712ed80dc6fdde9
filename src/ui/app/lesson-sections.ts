// The sections of the lesson screen, each as lines that fit the width: header, status, the step's
// text and code, hint, fd table, expectations, quiz, log, keys. Pure functions of the lesson state;
// lesson-layout.ts decides how many lines each one gets.
import type { Palette } from '../../fdtable/format.js';
import { formatSnapshot } from '../../fdtable/format.js';
import { pick, tr } from '../../lesson/i18n.js';
import type { StepState } from '../../lesson/player.js';
import type { Lang, Lesson, LogEntry, Step } from '../../lesson/types.js';
import { layoutWatchScreen } from '../watch-screen.js';
import { codeLines } from './code-lines.js';
import type { Block } from './fit-blocks.js';
import type { LessonState } from '../../lesson/lesson-state.js';
import { observationAt } from '../../lesson/observation.js';
import { cellWidth, fit, spread, wrapLine, wrapParagraphs, wrapWhole } from '../../text/wrap.js';
import { stepColumns } from '../../lesson/focus.js';

export const MARK = { ok: '✔', fail: '✘', open: '○' } as const;

export function headerLine(lesson: Lesson, state: LessonState, width: number, palette: Palette): string {
  const { player } = state;
  const lang = player.lang;
  const step = lesson.steps[player.index];
  const left = `${tr('lesson', lang, { n: lesson.number })} · ${tr('step', lang, { n: player.index + 1, total: player.stepCount })} · ${pick(step.title, lang)}`;
  const running = player.steps[player.index].status === 'running' && state.replaying === null;
  return palette.header(spread(left, running ? tr('running', lang) : '', width).trimEnd());
}

/** One line when something is out of the ordinary: starting, replaying, stopped, failed, ahead. */
export function statusLines(state: LessonState, width: number, palette: Palette): string[] {
  const { player } = state;
  const lang = player.lang;
  const current = player.steps[player.index];
  let text: string | null = null;
  let warn = false;
  if (state.demo === 'stopped') [text, warn] = [tr('stopped', lang), true];
  else if (current.status === 'cancelled') [text, warn] = [tr('cancelled', lang), true];
  else if (current.status === 'failed') [text, warn] = [tr('failed', lang, { error: current.error ? pick(current.error, lang) : '?' }), true];
  else if (state.replaying !== null) text = tr('replaying', lang, { n: state.replaying + 1 });
  else if (state.demo === 'starting') text = tr('starting', lang);
  else if (state.ranThrough > player.index + 1) text = tr('ahead', lang, { n: state.ranThrough });
  if (text === null) return [];
  return [(warn ? palette.warning : palette.muted)(fit(text, width))];
}

/** The narrative, then the code excerpt, separated by a blank line. */
export function textLines(step: Step, lang: Lang, width: number, palette: Palette): string[] {
  const narrative = wrapParagraphs(pick(step.text, lang), width);
  const code = codeLines(step.code, width, lang, palette);
  return code.length > 0 ? [...narrative, '', ...code] : narrative;
}

export function hintLines(step: Step, visible: boolean, lang: Lang, width: number, palette: Palette): string[] {
  if (!visible || !step.hint) return [];
  return wrapLine(`${tr('hint', lang)}: ${pick(step.hint, lang)}`, width).map(palette.warning);
}

/** One line per check, cut with `…` to the width; `expanded` wraps each one whole (e). `cut` says
 *  whether a line lost something, so the footer offers e only then. */
export function expectationLines(step: Step, result: StepState, lang: Lang, width: number, palette: Palette, expanded = false): { lines: string[]; cut: boolean } {
  const waiting = result.status === 'running' || result.status === 'pending';
  let cut = false;
  const shape = (text: string, style: (t: string) => string = (t) => t): string[] => {
    if (cellWidth(text) > width - 2) cut = true;
    const lines = expanded ? wrapWhole(text, width - 2) : [fit(text, width - 2)];
    return lines.map((line, i) => (i === 0 ? style(line) : `  ${style(line)}`));
  };
  const lines = (step.expect ?? []).flatMap((expectation, i) => {
    const outcome = result.expectations[i];
    const claim = pick(expectation.text, lang);
    if (!outcome) {
      const [first, ...rest] = shape(`${claim}${waiting && result.status === 'running' ? `  (${tr('checking', lang)})` : ''}`);
      return [palette.muted(`${MARK.open} ${first}`), ...rest.map(palette.muted)];
    }
    const detail = [outcome.skipped ? tr('skipped', lang) : '', outcome.detail ?? ''].filter(Boolean).join(': ');
    const mark = outcome.skipped ? palette.muted(MARK.open) : outcome.ok ? palette.added(MARK.ok) : palette.warning(MARK.fail);
    const [first, ...rest] = shape(`${claim}${detail ? `  (${detail})` : ''}`, outcome.skipped ? palette.muted : undefined);
    return [`${mark} ${first}`, ...rest];
  });
  return { lines, cut };
}

export function quizLines(step: Step, result: StepState, lang: Lang, width: number, palette: Palette): string[] {
  const quiz = step.quiz;
  if (!quiz) return [];
  const question = `${tr('quiz', lang)}: ${pick(quiz.question, lang)}`;
  const hanging = (prefix: string, text: string) =>
    wrapLine(text, width - prefix.length).map((line, i) => (i === 0 ? prefix : ' '.repeat(prefix.length)) + line);
  if (result.choice === null) {
    return [
      ...wrapLine(`${question} ${tr('quizPrompt', lang, { n: quiz.choices.length })}`, width).map(palette.header),
      ...quiz.choices.flatMap((choice, i) => hanging(`  ${i + 1}) `, pick(choice, lang))),
    ];
  }
  const right = result.choice === quiz.answer;
  const answer = tr('quizAnswer', lang, { n: quiz.answer + 1, choice: pick(quiz.choices[quiz.answer], lang) });
  const verdict = `${right ? MARK.ok : MARK.fail} ${tr(right ? 'correct' : 'wrong', lang)} ${answer}`;
  return [
    ...wrapLine(question, width).map(palette.header),
    ...wrapLine(verdict, width).map(right ? palette.added : palette.warning),
    ...wrapLine(pick(quiz.explanation, lang), width),
  ];
}

/** The log as lines, each cut to the width (`cut` says whether one was); `expanded` (e) wraps them whole. */
export function logLines(log: readonly LogEntry[], width: number, palette: Palette, expanded = false): { lines: string[]; cut: boolean } {
  let cut = false;
  const lines = log.flatMap((entry) => {
    const sign = entry.kind === 'syscall' ? '$' : entry.kind === 'error' ? '!' : '·';
    const source = entry.source === 'tutor' ? '' : `${entry.source}: `;
    const text = `${sign} ${source}${entry.text}`;
    if (cellWidth(text) > width) cut = true;
    const shaped = expanded ? wrapWhole(text, width - 2).map((line, i) => (i === 0 ? line : `  ${line}`)) : [fit(text, width)];
    return shaped.map((line) => (entry.kind === 'error' ? palette.warning(line) : palette.muted(line)));
  });
  return { lines, cut };
}

/** What the footer may offer: only keys that do something on this screen now. */
export interface KeyContext {
  canBack: boolean;
  hasHint: boolean;
  /** Choices of an unanswered quiz, else 0. */
  answers: number;
  /** Panes Tab moves between (more than one: Tab is offered). */
  panes: number;
  hasTable: boolean;
  zoomed: boolean;
  cutChecks: boolean;
  expanded: boolean;
  scrollable: boolean;
}

export function keysLine(keys: KeyContext, lang: Lang, width: number, palette: Palette): string {
  // In order of importance: what does not fit the width goes from the end (? lists every key).
  const items: Array<[number, string]> = [
    [0, tr('keyNext', lang)],
    [1, keys.canBack ? tr('keyBack', lang) : ''],
    [2, keys.answers > 0 ? tr('keyAnswer', lang, { n: keys.answers }) : ''],
    [3, keys.hasHint ? tr('keyHint', lang) : ''],
    [4, keys.cutChecks || keys.expanded ? tr(keys.expanded ? 'keyCollapse' : 'keyExpand', lang) : ''],
    [5, keys.scrollable ? tr('keyScroll', lang) : ''],
    [6, keys.panes > 1 && !keys.zoomed ? tr('keyPanes', lang) : ''],
    [7, keys.hasTable ? tr(keys.zoomed ? 'keyUnzoom' : 'keyZoom', lang) : ''],
    [8, tr('keyRerun', lang)],
    [9, tr('keyHelp', lang)],
    [10, tr('keyMenu', lang)],
    [11, tr('keyLang', lang)],
  ];
  const wanted = items.filter(([, text]) => text);
  const shown = new Set<number>();
  for (const [rank] of wanted) {
    const line = wanted.filter(([r]) => shown.has(r) || r === rank).map(([, t]) => t).join(' · ');
    if (cellWidth(line) <= width) shown.add(rank);
  }
  return palette.muted(wanted.filter(([r]) => shown.has(r)).map(([, t]) => t).join(' · '));
}

export interface TableSection {
  block: Block;
  /** False when the step shows no table at all. */
  present: boolean;
  /** The largest first row a scroll can reach, and the first row the last render showed. */
  maxOffset: (height: number) => number;
  /** The first row shown at this height: the learner's scroll, or where the focused rows put it. */
  offset: (height: number) => number;
}

/**
 * The observed fd table under a caption, fitted by the live view's own layout (watch-screen.ts).
 * The step's columns (stepColumns) are never hidden; unless the learner scrolled, the window of rows
 * follows the focused ones, so a `… N more rows` line never hides what the step points at.
 */
export function tableSection(lesson: Lesson, state: LessonState, width: number, palette: Palette, min: number, active: boolean): TableSection {
  const lang = state.player.lang;
  const show = observationAt(lesson, state.player.index);
  if (!show) return { block: { id: 'table', size: 0, min: 0, render: () => [] }, present: false, maxOffset: () => 0, offset: () => 0 };
  const { watch, focus, hidden, closed } = state.table;
  const names = show.processes.includes('*') ? '*' : show.processes.join(', ');
  const captionParts = [tr('tableOf', lang, { names }), show.caption ? pick(show.caption, lang) : '', hidden > 0 ? tr('hiddenShort', lang, { n: hidden }) : ''];
  const captionText = fit(`${active ? '▶' : '──'} ${captionParts.filter(Boolean).join(' · ')} ──`, width);
  const caption = active ? palette.header(captionText) : palette.muted(captionText);
  const snapshot = watch.snapshot;
  if (!snapshot || (snapshot.rows.length === 0 && watch.changes.length === 0 && closed.length === 0)) {
    // A table kept from an earlier step is only context: once its processes are gone, it gives way.
    const inherited = !lesson.steps[state.player.index].show;
    if (inherited && snapshot) return { block: { id: 'table', size: 0, min: 0, render: () => [] }, present: false, maxOffset: () => 0, offset: () => 0 };
    const empty = [caption, palette.muted(tr('noProcesses', lang))];
    return { block: { id: 'table', size: empty.length, min, render: (height) => empty.slice(0, height) }, present: true, maxOffset: () => 0, offset: () => 0 };
  }
  const changes = [...watch.changes, ...closed.filter((c) => !watch.changes.some((w) => w.pid === c.pid && w.fd === c.fd))];
  const table = formatSnapshot(snapshot, { width, changes, palette, legend: false, focus, keep: stepColumns(lesson, state.player.index) });
  const full = layoutWatchScreen(table, Number.MAX_SAFE_INTEGER, 0).lines;
  const offsetFor = (height: number): number => {
    if (state.tableScroll !== null) return state.tableScroll;
    const { capacity } = layoutWatchScreen(table, height - 1, 0);
    const [first, last] = [table.focusRows[0], table.focusRows.at(-1)];
    if (first === undefined || last === undefined || last < capacity) return 0;
    return Math.min(first, last - capacity + 1);
  };
  return {
    present: true,
    block: {
      id: 'table',
      size: full.length + 1,
      // Room for the caption, the header and every focused row (within reason) before the text grows.
      min: Math.max(min, Math.min(2 + table.focusRows.length, 10)),
      render: (height) => (height <= 1 ? [caption] : [caption, ...layoutWatchScreen(table, height - 1, offsetFor(height)).lines]),
    },
    maxOffset: (height) => {
      const screen = layoutWatchScreen(table, height - 1, 0);
      return Math.max(0, screen.total - screen.capacity);
    },
    offset: (height) => layoutWatchScreen(table, height - 1, offsetFor(height)).offset,
  };
}

/** Lines of the current step's own log that stay in view before the text grows (a summary table). */
const STEP_LOG_MIN = 6;

/** The log's newest lines, or older ones after scrolling back (`scroll` lines from the newest).
 *  `fresh` lines at its end were written by the current step: up to STEP_LOG_MIN of them stay in view. */
export function logBlock(title: string, items: readonly string[], scroll: number, fresh = 0): Block {
  if (items.length === 0) return { id: 'log', size: 0, min: 0, render: () => [] };
  return {
    id: 'log',
    size: items.length + 1,
    min: Math.min(items.length, Math.max(2, Math.min(fresh, STEP_LOG_MIN))),
    render(h) {
      const end = items.length - Math.min(scroll, Math.max(0, items.length - h));
      if (h > items.length) return [title, ...items];
      return items.slice(Math.max(0, end - h), end);
    },
  };
}

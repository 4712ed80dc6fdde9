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
import { fit, spread, wrapLine, wrapParagraphs } from '../../text/wrap.js';

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
  else if (current.status === 'failed') [text, warn] = [tr('failed', lang, { error: current.error ?? '?' }), true];
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

export function expectationLines(step: Step, result: StepState, lang: Lang, width: number, palette: Palette): string[] {
  const waiting = result.status === 'running' || result.status === 'pending';
  return (step.expect ?? []).map((expectation, i) => {
    const outcome = result.expectations[i];
    const claim = pick(expectation.text, lang);
    if (!outcome) return palette.muted(fit(`${MARK.open} ${claim}${waiting && result.status === 'running' ? `  (${tr('checking', lang)})` : ''}`, width));
    const detail = [outcome.skipped ? tr('skipped', lang) : '', outcome.detail ?? ''].filter(Boolean).join(': ');
    const mark = outcome.skipped ? palette.muted(MARK.open) : outcome.ok ? palette.added(MARK.ok) : palette.warning(MARK.fail);
    const rest = fit(`${claim}${detail ? `  (${detail})` : ''}`, width - 2);
    return `${mark} ${outcome.skipped ? palette.muted(rest) : rest}`;
  });
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

export function logLines(log: readonly LogEntry[], width: number, palette: Palette): string[] {
  return log.map((entry) => {
    const sign = entry.kind === 'syscall' ? '$' : entry.kind === 'error' ? '!' : '·';
    const source = entry.source === 'tutor' ? '' : `${entry.source}: `;
    const line = fit(`${sign} ${source}${entry.text}`, width);
    return entry.kind === 'error' ? palette.warning(line) : palette.muted(line);
  });
}

export function keysLine(step: Step, lang: Lang, width: number, palette: Palette): string {
  const answer = step.quiz ? tr('answerKeys', lang, { n: step.quiz.choices.length }) : '';
  return palette.muted(fit(tr('lessonKeys', lang, { answer }), width));
}

/** The observed fd table under a caption, fitted by the live view's own layout (watch-screen.ts). */
export function tableBlock(lesson: Lesson, state: LessonState, width: number, palette: Palette, min: number): Block {
  const lang = state.player.lang;
  const show = observationAt(lesson, state.player.index);
  if (!show) return { id: 'table', size: 0, min: 0, render: () => [] };
  const { watch, focus, hidden } = state.table;
  const names = show.processes.includes('*') ? '*' : show.processes.join(', ');
  const captionParts = [tr('tableOf', lang, { names }), show.caption ? pick(show.caption, lang) : '', hidden > 0 ? tr('hiddenShort', lang, { n: hidden }) : ''];
  const caption = palette.muted(fit(`── ${captionParts.filter(Boolean).join(' · ')} ──`, width));
  const snapshot = watch.snapshot;
  if (!snapshot || (snapshot.rows.length === 0 && watch.changes.length === 0)) {
    const empty = [caption, palette.muted(tr('noProcesses', lang))];
    return { id: 'table', size: empty.length, min, render: (height) => empty.slice(0, height) };
  }
  const table = formatSnapshot(snapshot, { width, changes: watch.changes, palette, legend: false, focus });
  const full = layoutWatchScreen(table, Number.MAX_SAFE_INTEGER, 0).lines;
  return {
    id: 'table',
    size: full.length + 1,
    min,
    render: (height) => (height <= 1 ? [caption] : [caption, ...layoutWatchScreen(table, height - 1, 0).lines]),
  };
}

// Plays a lesson in plain text: narrative, code, the syscall log as it happens, fd tables at each
// observation, ✔/✘ for every expectation, the quiz with its answer explained, the hint. Used by
// `hotrestart-tutor lesson N --plain`, by non-TTY/CI runs, and by `npx tsx lessons/NN-x.ts`.
import type { Writable } from 'node:stream';
import { formatSnapshot, renderTable, type ColumnId, type Palette } from '../fdtable/format.js';
import { stepColumns } from './focus.js';
import { wrapHanging, wrapLine, wrapParagraphs } from '../text/wrap.js';
import { plainPalette } from '../fdtable/format.js';
import { Supervisor } from '../demo/supervisor.js';
import { createLessonContext } from './context.js';
import { codeText, pick, tr } from './i18n.js';
import { runStep } from './runner.js';
import { orderQuizzes } from './quiz.js';
import type { Lang, Lesson, LessonContext, LogEntry, Quiz, Step } from './types.js';
import { filterObservation } from './observe.js';

export interface PlainOptions {
  lang: Lang;
  out: Writable;
  /** The terminal's width; none when the output goes to a file or a pipe, where nothing is cut. */
  width?: number;
  palette?: Palette;
  /** Run only up to this many steps (tests). */
  stepLimit?: number;
}

export interface PlainResult {
  /** Checks that ran (skipped ones excluded). */
  checks: number;
  held: number;
  skipped: number;
  failedSteps: number;
}

const MARK_OK = '✔';
const MARK_FAIL = '✘';
const MARK_SKIP = '○';

export async function playPlain(given: Lesson, options: PlainOptions): Promise<PlainResult> {
  const lesson = orderQuizzes(given); // as the learner sees it: no quiz answered by always picking 1
  const { lang, out } = options;
  // Prose wraps at a width a person reads comfortably; tables and preformatted lines are cut only at
  // a terminal (a file or a pipe gets them whole, as the README promises).
  const width = Math.max(60, Math.min(options.width ?? 100, 140));
  const tableWidth = options.width === undefined ? Infinity : width;
  const palette = options.palette ?? plainPalette;
  const write = (text = '') => out.write(text + '\n');
  // Wraps at spaces and between Han characters; lines that start with a space are preformatted.
  const para = (text: string, indent = '') => {
    for (const line of wrapParagraphs(text, width, indent, options.width === undefined ? Infinity : width)) write(line);
    write();
  };

  write(palette.header(`━━ ${tr('lesson', lang, { n: lesson.number })} · ${pick(lesson.title, lang)} ━━`));
  write(palette.muted(pick(lesson.chapter, lang)));
  write();
  para(pick(lesson.summary, lang));

  const platforms = lesson.platforms ?? ['linux'];
  if (!platforms.includes(process.platform)) {
    write(tr('platform', lang, { platforms: platforms.join(', '), platform: process.platform }));
    return { checks: 0, held: 0, skipped: 0, failedSteps: 0 };
  }

  const supervisor = await Supervisor.start();
  const abort = new AbortController();
  const onLog = (entry: LogEntry) => {
    const source = entry.source === 'tutor' ? '' : `${entry.source}: `;
    const line = `  ${entry.kind === 'syscall' ? '$ ' : entry.kind === 'error' ? '! ' : '· '}${source}${entry.text}`;
    write(entry.kind === 'error' ? palette.warning(line) : palette.muted(line));
  };
  const ctx = createLessonContext({ supervisor, lang, signal: abort.signal, onLog });
  const result: PlainResult = { checks: 0, held: 0, skipped: 0, failedSteps: 0 };
  try {
    const steps = lesson.steps.slice(0, options.stepLimit ?? lesson.steps.length);
    for (const [index, step] of steps.entries()) {
      // Stopped (a signal's cleanup ended the run): the steps left would only fail, or start a build.
      if (ctx.signal.aborted) break;
      write(palette.header(`── ${tr('step', lang, { n: index + 1, total: lesson.steps.length })}: ${pick(step.title, lang)} ──`));
      para(pick(step.text, lang));
      writeCode(step, lang, write);
      const outcome = await runStep(step, ctx);
      if (outcome.status !== 'done') {
        result.failedSteps++;
        write(palette.warning(tr('failed', lang, { error: outcome.status === 'failed' ? pick(outcome.error, lang) : tr('stepCancelled', lang) })));
        result.checks += step.expect?.length ?? 0;
        write();
        continue;
      }
      if (step.show) writeTable(step, stepColumns(lesson, index), ctx, tableWidth, palette, write);
      if (step.expect?.length) {
        write(`  ${tr('expectations', lang)}:`);
        step.expect.forEach((expectation, i) => {
          const o = outcome.expectations[i];
          if (o.skipped) result.skipped++;
          else result.checks++;
          if (o.ok && !o.skipped) result.held++;
          const mark = o.skipped ? palette.muted(MARK_SKIP) : o.ok ? palette.added(MARK_OK) : palette.warning(MARK_FAIL);
          const detail = [o.skipped ? tr('skipped', lang) : '', o.detail ?? ''].filter(Boolean).join(': ');
          write(`  ${mark} ${pick(expectation.text, lang)}${detail ? palette.muted(`  (${detail})`) : ''}`);
        });
        write();
      }
      if (step.quiz) writeQuiz(step.quiz, lang, width, write);
      if (step.hint) {
        for (const line of wrapHanging(`  ${tr('hint', lang)}: `, pick(step.hint, lang), width)) write(line);
        write();
      }
    }
    const failed = result.checks - result.held;
    write(palette.header(tr('lessonDone', lang, { ok: result.held, total: result.checks })));
    if (result.skipped) write(tr('skippedChecks', lang, { n: result.skipped }));
    write(failed === 0 && result.failedSteps === 0 ? tr('allHeld', lang) : tr('someFailed', lang, { n: failed + result.failedSteps }));
    write();
    write(palette.header(`${tr('remember', lang)}:`));
    for (const point of lesson.recap) for (const line of wrapLine(`• ${pick(point, lang)}`, width)) write(line);
  } finally {
    abort.abort();
    await supervisor.stop();
  }
  return result;
}

function writeCode(step: Step, lang: Lang, write: (text?: string) => void): void {
  const code = step.code;
  if (!code) return;
  if (code.title) write(`  ${pick(code.title, lang)}`);
  const block = (label: string, text: string) => {
    write(`  ┌─ ${label}`);
    for (const line of text.replace(/\n$/, '').split('\n')) write(`  │ ${line}`);
    write('  └─');
  };
  if (code.go) block('Go', codeText(code.go, lang));
  if (code.node) block('Node', codeText(code.node, lang));
  if (code.other) block(code.other.label, codeText(code.other.code, lang));
  if (code.note) write(`  ${pick(code.note, lang)}`);
  write();
}

function writeTable(step: Step, keep: ColumnId[], ctx: LessonContext, width: number, palette: Palette, write: (text?: string) => void): void {
  const show = step.show!;
  const snap = filterObservation(ctx.snapshot(show.processes), show, ctx);
  if (show.caption) write(`  ${ctx.t(show.caption)}`);
  const table = formatSnapshot(snap.snapshot, { width: width - 2, palette, legend: false, focus: snap.focus, keep });
  for (const line of renderTable(table).split('\n')) write(`  ${line}`);
  if (snap.hidden > 0) write(palette.muted(`  ${tr('hiddenRows', ctx.lang, { n: snap.hidden })}`));
  write();
}

/** The question and its choices, then the answer and its explanation, each wrapped like the prose. */
function writeQuiz(quiz: Quiz, lang: Lang, width: number, write: (text?: string) => void): void {
  const lines = [
    ...wrapHanging(`  ${tr('quiz', lang)}: `, pick(quiz.question, lang), width),
    ...quiz.choices.flatMap((choice, i) => wrapHanging(`    ${i + 1}) `, pick(choice, lang), width)),
    ...wrapHanging('  ', tr('quizAnswer', lang, { n: quiz.answer + 1, choice: pick(quiz.choices[quiz.answer], lang) }), width),
    ...wrapParagraphs(pick(quiz.explanation, lang), width, '  '),
  ];
  for (const line of lines) write(line);
  write();
}

// The exercise screen as lines: the README (reflowed, scrollable), where the workspace is and how to
// start it, the verify (live while it runs, else the last one from the progress file), the hint, keys.
import type { Palette } from '../../fdtable/format.js';
import { fill, pick } from '../../lesson/i18n.js';
import type { Lang, Text } from '../../lesson/types.js';
import type { ExerciseProgress } from '../../exercise/progress.js';
import { reportText } from '../../exercise/text.js';
import type { StartOutcome } from '../../exercise/start.js';
import type { CheckOutcome, Code, VerifyResult } from '../../exercise/types.js';
import { noGoText } from '../../exercise/build.js';
import { fit, wrapHanging, wrapLine } from '../../text/wrap.js';
import { exerciseScreenText as T } from './exercise-text.js';
import { fitBlocks, linesBlock, type Block } from './fit-blocks.js';
import { markdownLines } from './markdown-lines.js';

/** A verify started from the screen, as the controller reports it. */
export interface LiveVerify {
  phase: 'waiting' | 'running' | 'stopping' | 'stopped' | 'done' | 'error';
  /** Checks recorded so far, in the order they came. */
  checks: CheckOutcome[];
  result: VerifyResult | null;
  /** Why it could not run ('error'), or why its result was not saved ('done'). */
  message: string | null;
}

/** What starting the workspace (s, S) did, as the runner reports it. */
export type StartNotice = StartOutcome | { kind: 'failed'; reason: string };

export interface ExerciseInput {
  number: number;
  title: Text;
  /** README.md and README.zh-CN.md; null while loading. */
  readme: Text | null;
  workspace: { dir: string; code: Code } | null;
  /** Where `exercise start N` puts the workspace (null while the exercise loads). */
  defaultDir: string | null;
  checks: ReadonlyArray<{ id: string; title: Text }>;
  last: ExerciseProgress['last'] | null;
  live: LiveVerify | null;
  started: StartNotice | null;
  hint: { index: number; total: number; text: Text } | null;
  lang: Lang;
  scroll: number;
  width: number;
  height: number;
  palette: Palette;
}

export interface ExerciseScreen {
  lines: string[];
  /** How far the README can scroll with the room it got. */
  maxScroll: number;
}

const say = (text: Text, lang: Lang, values: Record<string, string | number> = {}) => fill(pick(text, lang), values);

export function layoutExercise(input: ExerciseInput): ExerciseScreen {
  const { lang, width, palette } = input;
  const readme = input.readme ? markdownLines(pick(input.readme, lang), width) : [say(T.loading, lang)];
  // The README's first heading is the screen's title; the rest scrolls under it.
  const titled = input.readme && readme.length > 0 && /^#/.test(pick(input.readme, lang).trimStart());
  const title = titled ? readme[0] : `${pick(reportText.exercise, lang)} ${input.number} · ${pick(input.title, lang)}`;
  const body = titled ? readme.slice(1).filter((line, i) => i > 0 || line !== '') : readme;
  const running = input.live !== null && ['waiting', 'running', 'stopping'].includes(input.live.phase);
  const blocks: Block[] = [
    linesBlock('title', [palette.header(fit(title, width))], 1),
    readmeBlock(body, input.scroll),
    linesBlock('info', ['', ...workspaceLines(input)], 3),
    linesBlock('verify', verifyLines(input), 4, 'head', (hidden) => palette.muted(`  … +${hidden}`)),
    linesBlock('hint', input.hint ? ['', ...wrapLine(say(T.hint, lang, { i: input.hint.index + 1, total: input.hint.total, text: pick(input.hint.text, lang) }), width)] : [], 2),
    linesBlock('keys', ['', palette.muted(fit(say(running ? T.keysRunning : input.workspace ? T.keys : T.keysStart, lang), width))], 2, 'tail'),
  ];
  const fitted = fitBlocks(blocks, input.height, { mins: ['keys', 'title', 'verify', 'info', 'hint', 'readme'], grow: [['readme', 8], 'verify', 'hint', 'info', 'readme'] });
  return { lines: fitted.lines, maxScroll: Math.max(0, body.length - fitted.heights.readme) };
}

function readmeBlock(lines: readonly string[], scroll: number): Block {
  return {
    id: 'readme',
    size: lines.length,
    min: 3,
    render(height) {
      const top = Math.max(0, Math.min(scroll, lines.length - height));
      const shown = lines.slice(top, top + height);
      // Say there is more below, where the last line would be.
      const below = lines.length - top - height;
      if (below > 0 && shown.length > 1) shown[shown.length - 1] = `  ↓ +${below}`;
      return shown;
    },
  };
}

function workspaceLines({ number, workspace, defaultDir, started, lang, width, palette }: ExerciseInput): string[] {
  const where = workspace ? say(T.workspace, lang, { code: workspace.code, dir: workspace.dir }) : defaultDir ? say(T.noWorkspace, lang, { dir: defaultDir }) : '';
  // Once there is a workspace, how to start one is no longer news.
  const how = workspace ? [] : wrapLine(say(T.languages, lang, { n: number }), width);
  return [...(where ? wrapLine(where, width) : []), ...startedLines(started, lang, width, palette), ...how];
}

function startedLines(started: StartNotice | null, lang: Lang, width: number, palette: Palette): string[] {
  if (!started) return [];
  if (started.kind === 'created') {
    const files = started.files.filter((file) => !file.startsWith('.')).join(lang === 'zh' ? '、' : ', ');
    return wrapLine(say(T.created, lang, { files }), width).map(palette.added);
  }
  const text = started.kind === 'exists' ? say(T.exists, lang) : started.kind === 'no-go' ? pick(noGoText, lang) : say(T.notCreated, lang, { reason: started.reason });
  return wrapLine(text, width).map(palette.warning);
}

function checkLines(checks: readonly CheckOutcome[], lang: Lang, width: number): string[] {
  return checks.flatMap((check) => {
    const lines = wrapHanging(`${check.status === 'pass' ? '✔' : '✘'} `, pick(check.title, lang), width);
    if (check.status !== 'pass' && check.detail) lines.push(...wrapHanging('    ', pick(check.detail, lang), width));
    return lines;
  });
}

function verifyLines(input: ExerciseInput): string[] {
  const { live, last, lang, width, palette } = input;
  const lines = [''];
  if (live) {
    if (live.phase === 'waiting') lines.push(...wrapLine(say(T.waiting, lang), width));
    if (live.phase === 'running') lines.push(...wrapLine(say(T.running, lang, { done: live.checks.length, total: input.checks.length }), width));
    if (live.phase === 'stopping') lines.push(...wrapLine(say(T.stopping, lang), width));
    if (live.phase === 'stopped') lines.push(...wrapLine(say(T.stopped, lang), width));
    if (live.phase === 'error') lines.push(...wrapLine(say(T.failedToRun, lang, { reason: live.message ?? '' }), width).map(palette.warning));
    const result = live.phase === 'done' ? live.result : null;
    if (!result) return [...lines, ...checkLines(live.checks, lang, width)];
    const failed = result.checks.filter((check) => check.status !== 'pass').length;
    const verdict = result.passed ? say(reportText.passed, lang) : say(reportText.failed, lang, { failed, total: result.checks.length });
    const took = say(reportText.took, lang, { s: (result.durationMs / 1000).toFixed(1), code: result.code });
    lines.push(...wrapLine(`${result.passed ? '✔' : '✘'} ${verdict} ${took}`, width).map(result.passed ? palette.added : palette.warning));
    if (result.fault) lines.push(...wrapHanging('✘ ', pick(result.fault.message, lang), width));
    lines.push(...checkLines(result.checks, lang, width));
    if (live.message) lines.push(...wrapLine(say(T.notSaved, lang, { reason: live.message }), width).map(palette.warning));
    return lines;
  }
  if (!last) return [...lines, ...wrapLine(say(input.workspace ? T.notVerifiedYet : T.neverVerified, lang), width)];
  const verdict = last.passed ? say(T.lastPassed, lang) : say(T.lastFailed, lang, { failed: last.failed.length, total: input.checks.length });
  lines.push(...wrapLine(say(T.lastVerify, lang, { at: last.at.slice(0, 16).replace('T', ' '), code: last.code, verdict }), width));
  if (last.fault) lines.push(`  ${say(T.lastFault, lang, { fault: last.fault })}`);
  for (const check of input.checks) lines.push(...wrapHanging(`${last.failed.includes(check.id) ? '✘' : '✔'} `, pick(check.title, lang), width));
  return lines;
}

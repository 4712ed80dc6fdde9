// A lesson is data plus small async functions that act on real processes. The player (a pure
// reducer) decides which step is current; the runner performs a step's action and checks its
// expectations; views (Ink or plain text) only render what those two produce.
import type { ColumnId } from '../fdtable/format.js';
import type { FdRow, Snapshot } from '../fdtable/model.js';
import type { OkReply, PuppetOp, PuppetReply, PuppetRequest } from '../demo/protocol.js';
import type { PuppetHandle, SupervisorApi } from '../demo/types.js';
import { asText } from './i18n.js';

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];

/** Every learner-facing string exists in English and Simplified Chinese. */
export interface Text {
  en: string;
  zh: string;
}

/** What an expectation found on this machine. `detail` is shown beside ✔/✘ (numbers, fds, pids). */
export interface CheckResult {
  ok: boolean;
  detail?: string;
  /** The check could not run on this machine (no C compiler, not root): shown as skipped, counted neither way. */
  skipped?: boolean;
}

// Lesson state is typed: a lesson names the values its steps carry (`interface Vars { listenFd: number }`)
// and is a Lesson<Vars>, so its functions get a LessonContext<Vars> and a misspelt `ctx.vars.listnFd` does
// not compile. Without a type argument, Lesson (Step, Expectation, Observation) means any lesson: its
// vars are `never` there, so code that handles lessons in general cannot read them either.

export interface Expectation<V extends object = never> {
  /** The claim, e.g. "the port is still in LISTEN". */
  text: Text;
  check: (ctx: LessonContext<V>) => Promise<CheckResult | boolean> | CheckResult | boolean;
}

export interface Quiz {
  question: Text;
  choices: Text[];
  /** Index into choices. */
  answer: number;
  explanation: Text;
}

/** Side-by-side code excerpt: the Go way (as in the well-known Go hot-restart articles) and the Node way. */
export interface CodeExcerpt {
  title?: Text;
  /** Inline code, or an excerpt of a real file (src/lesson/excerpt.ts) with its comments in both languages. */
  go?: string | Text;
  node?: string | Text;
  /** Any other language (C, shell, a unit file); shown when go/node do not apply. C is an excerpt of a
   *  real file, like go and node; shell and config text stay inline (the tests parse the shell). */
  other?: { label: string; code: string | Text };
  note?: Text;
}

/** Which processes' fd tables the step shows, and which rows it points at. */
export interface Observation<V extends object = never> {
  /** Puppet (or named process) names, in display order; '*' = every process of the lesson. */
  processes: string[];
  /** Rows to point at (marked ▶ in the table). */
  focus?: (row: FdRow, ctx: LessonContext<V>) => boolean;
  /** Hide rows the lesson does not care about (Node's epoll/eventfd/pipes) unless the learner asks. */
  only?: (row: FdRow, ctx: LessonContext<V>) => boolean;
  caption?: Text;
  /** Columns the step is about, never hidden to fit the terminal (the columns its checks name are
   *  found by stepColumns in src/lesson/focus.ts; list here what they do not name). */
  columns?: ColumnId[];
}

export interface Step<V extends object = never> {
  /** Stable id within the lesson, e.g. "dup-the-listener". */
  id: string;
  title: Text;
  /** The narrative: plain text, paragraphs separated by blank lines. */
  text: Text;
  code?: CodeExcerpt;
  /** The action on real processes. Runs once when the step is reached (and again on re-run). */
  run?: (ctx: LessonContext<V>) => Promise<void>;
  /** The action only looks (reads /proc, logs what it sees) and changes nothing, so its checks are about
   *  what an earlier action did: the negative control (src/lesson/control.ts) checks them without that one. */
  looksOnly?: boolean;
  show?: Observation<V>;
  expect?: Expectation<V>[];
  quiz?: Quiz;
  hint?: Text;
}

export interface Lesson<V extends object = never> {
  /** Stable id, e.g. "dup-leak"; the file is lessons/NN-id.ts. */
  id: string;
  number: number;
  chapter: Text;
  title: Text;
  summary: Text;
  /** What to remember: the lesson's 3 to 5 key points, shown when it ends. */
  recap: Text[];
  /** Platforms the demos need; others get one sentence and the lesson is skipped. Default: ['linux']. */
  platforms?: NodeJS.Platform[];
  steps: Step<V>[];
  /** The exercises that build on this lesson (attached from exercises/ when lessons are loaded). */
  exercises?: ExerciseBrief[];
}

export interface ExerciseBrief {
  id: string;
  number: number;
  title: Text;
  summary: Text;
}

export interface LogEntry {
  /** Milliseconds since the lesson started. */
  at: number;
  /** Which process (puppet name) or 'tutor'. */
  source: string;
  kind: 'syscall' | 'event' | 'error';
  text: string;
}

/** What a lesson's functions may use. Created per run by createLessonContext (src/lesson/context.ts).
 *  V is the lesson's Vars; helpers that do not read vars take a plain LessonContext (any lesson's). */
export interface LessonContext<V extends object = object> {
  readonly lang: Lang;
  readonly signal: AbortSignal;
  readonly supervisor: SupervisorApi;
  /** Values carried between steps: fds, ports, pids. Each is set by the step that makes it and read by
   *  that step's checks and later steps; before that it is undefined, whatever V says (a skipped action
   *  leaves it so, and the checks that read it then fail). */
  readonly vars: V;
  /** Starts a top-level puppet under `name`. */
  start(name: string, env?: Record<string, string>): Promise<PuppetHandle>;
  /** One request to a named puppet; its syscall lines go to the log. Throws LessonActionError when
   *  the call failed, so the reply is a success with the op's typed result (protocol.ts, PuppetResults). */
  call<K extends PuppetOp>(name: string, request: PuppetRequest & { op: K }, options?: { allowFail?: false }): Promise<OkReply<K>>;
  /** With allowFail a failed call is logged and returned: check `ok` before reading `result`. */
  call<K extends PuppetOp>(name: string, request: PuppetRequest & { op: K }, options: { allowFail: true }): Promise<PuppetReply<K>>;
  /** Waits for a puppet that another puppet spawned. */
  waitFor(name: string, timeoutMs?: number): Promise<PuppetHandle>;
  /** Names a process that is not a puppet (a C program, a load generator) so tables show it. */
  name(pid: number, name: string): void;
  pid(name: string): number;
  /** Names by pid, for labelling fd tables. */
  names(): Map<number, string>;
  /** True for fds a process already had when it registered (Node's own plumbing: stdio, epoll,
   *  its pipes, the control socket); lessons hide those by default. Listeners are never plumbing. */
  isPlumbing(row: FdRow): boolean;
  log(text: Text | string, kind?: LogEntry['kind'], source?: string): void;
  /** A fresh fd-table snapshot of the named processes (default: every live process of the lesson). */
  snapshot(names?: string[]): Snapshot;
  /** The row of fd in the named process, from a fresh snapshot. */
  row(name: string, fd: number): FdRow | undefined;
  /** Polls `probe` until it returns a truthy value or timeoutMs passes; returns the last value. */
  until<T>(probe: () => T | Promise<T>, timeoutMs?: number, intervalMs?: number): Promise<T>;
  sleep(ms: number): Promise<void>;
  /** Pick the current language's string. */
  t(text: Text): string;
}

/** A context made for one lesson (createLessonContext), handed to that lesson's functions by code that
 *  holds any lesson and any context (the runner, the observers): the run's vars are that lesson's. */
export function forLesson(ctx: LessonContext): LessonContext<never> {
  return ctx as LessonContext<never>;
}

/** Thrown by a step's action (and by ctx.call when a puppet reports a failed call the lesson did not
 *  expect). The learner reads it as "This step failed: …", so a sentence of ours comes as a Text; a plain
 *  string is a program's own output (a compiler's stderr, a puppet's system error), the same in both
 *  languages. `message` is the English, for logs and tests. */
export class LessonActionError extends Error {
  readonly text: Text;
  constructor(message: string | Text) {
    const text = asText(message);
    super(text.en);
    this.name = 'LessonActionError';
    this.text = text;
  }
}

/** Why an action ends early when the learner (or a signal) stops the demo. */
export const DEMO_STOPPED: Text = { en: 'the demo was stopped', zh: '演示已停止' };

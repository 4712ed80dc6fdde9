// A lesson is data plus small async functions that act on real processes. The player (a pure
// reducer) decides which step is current; the runner performs a step's action and checks its
// expectations; views (Ink or plain text) only render what those two produce.
import type { FdRow, Snapshot } from '../fdtable/model.js';
import type { PuppetReply, PuppetRequest } from '../demo/protocol.js';
import type { PuppetHandle, SupervisorApi } from '../demo/types.js';

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

export interface Expectation {
  /** The claim, e.g. "the port is still in LISTEN". */
  text: Text;
  check: (ctx: LessonContext) => Promise<CheckResult | boolean> | CheckResult | boolean;
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
  go?: string;
  node?: string;
  /** Any other language (C, shell); shown when go/node do not apply. */
  other?: { label: string; code: string };
  note?: Text;
}

/** Which processes' fd tables the step shows, and which rows it points at. */
export interface Observation {
  /** Puppet (or named process) names, in display order; '*' = every process of the lesson. */
  processes: string[];
  /** Rows to point at (marked ▶ in the table). */
  focus?: (row: FdRow, ctx: LessonContext) => boolean;
  /** Hide rows the lesson does not care about (Node's epoll/eventfd/pipes) unless the learner asks. */
  only?: (row: FdRow, ctx: LessonContext) => boolean;
  caption?: Text;
}

export interface Step {
  /** Stable id within the lesson, e.g. "dup-the-listener". */
  id: string;
  title: Text;
  /** The narrative: plain text, paragraphs separated by blank lines. */
  text: Text;
  code?: CodeExcerpt;
  /** The action on real processes. Runs once when the step is reached (and again on re-run). */
  run?: (ctx: LessonContext) => Promise<void>;
  show?: Observation;
  expect?: Expectation[];
  quiz?: Quiz;
  hint?: Text;
}

export interface Lesson {
  /** Stable id, e.g. "dup-leak"; the file is lessons/NN-id.ts. */
  id: string;
  number: number;
  chapter: Text;
  title: Text;
  summary: Text;
  /** Platforms the demos need; others get one sentence and the lesson is skipped. Default: ['linux']. */
  platforms?: NodeJS.Platform[];
  steps: Step[];
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

/** What a lesson's functions may use. Created per run by createLessonContext (src/lesson/context.ts). */
export interface LessonContext {
  readonly lang: Lang;
  readonly signal: AbortSignal;
  readonly supervisor: SupervisorApi;
  /** Values carried between steps: fds, ports, pids. */
  readonly vars: Record<string, any>;
  /** Starts a top-level puppet under `name`. */
  start(name: string, env?: Record<string, string>): Promise<PuppetHandle>;
  /** One request to a named puppet; its syscall lines go to the log. Throws LessonActionError when
   *  the call failed, unless allowFail (then the failing line is logged and the reply returned). */
  call(name: string, request: PuppetRequest, options?: { allowFail?: boolean }): Promise<PuppetReply>;
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

/** Thrown by ctx.call when a puppet reports a failed call the lesson did not expect. */
export class LessonActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LessonActionError';
  }
}

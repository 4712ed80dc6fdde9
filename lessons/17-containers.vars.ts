// Lesson 17's state and the small helpers its steps share: the Vars the steps carry (typed, so a misspelt
// name does not compile), the checks' ○ without a PID namespace (or without tini), the lesson's load, and
// waits on reports and on processes ending. The steps are in 17-containers.pid1.ts (PID 1 and why a
// self-upgrading server must not be it) and 17-containers.fix.ts (hotrestart-run as PID 1).
import { entryUrl } from '../src/demo/entry.js';
import { isAlive } from '../src/demo/marker.js';
import type { FdRow } from '../src/fdtable/model.js';
import { ReportFile, type ServerReport } from '../src/lesson/demo-servers.js';
import { LOST_AFTER_MS } from '../src/lesson/load.js';
import { formatMixedStats, startMixedLoad, type MixedLoad, type MixedStats } from '../src/lesson/mixed-load.js';
import { asText, waitedInVain } from '../src/lesson/i18n.js';
import { LessonActionError, type CheckResult, type LessonContext, type Text } from '../src/lesson/types.js';
import type { Answer } from '../src/lesson/upgrade-demo.js';
import { type NamespaceMode, needsNamespace } from './17-containers.kit.js';

export const SERVER = entryUrl('servers/11-12-server', import.meta.url);
export const FILES = { knobs: 'l17-knobs.json', gate: 'l17-successor-may-start', tiniGate: 'l17-tini-successor-may-start', tini: 'l17-tini.jsonl', solo: 'l17-solo.jsonl', underRun: 'l17-run.jsonl', runLog: 'hotrestart-run.log' };
/** Answers the load must get before a restart starts, and after the last one. */
export const SETTLE_ANSWERS = 20;

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
export interface Vars {
  /** How this machine makes a PID namespace (unshare flags), or why it cannot. */
  mode: NamespaceMode;
  /** Part 1: the server alone as PID 1 (unshare here, PID 1 = server), its reports and its port. */
  solo: { unshare: number; init: number };
  soloReports: ReportFile;
  soloPump: () => void;
  soloOuter: Map<number, number>;
  port: number;
  serverFd: number;
  answer: Answer;
  successor: number;
  soloLoad: MixedStats;
  /** Milliseconds from the server's exit to the successor's disappearance. */
  killedAfterMs: number;
  /** Part 2: Node as PID 1, without and with a SIGTERM handler, and Node outside any namespace. */
  bare: { unshare: number; init: number };
  obeys: { unshare: number; init: number };
  plain: number;
  caughtBefore: string[];
  caughtAfter: string[];
  aliveAfterTerm: boolean;
  inside: { ok: boolean; stdout: string; error: string };
  /** The Go twin of bare-pid1 (PID 1, no signal.Notify), where go is installed (else why not), and how unshare-6 ended. */
  goMissing: string;
  goPid1: number;
  goExit: { code: number | null; signal: string | null } | undefined;
  aliveAfterInside: boolean;
  /** bare-pid1's state after SIGSTOP from the parent namespace (`T (stopped)`), or false. */
  stateAfterStop: string | false | undefined;
  /** tini as PID 1 in front of the server, where tini is installed (else why not), and what came of it. */
  tiniMissing: string;
  tini: { unshare: number; init: number };
  tiniReports: ReportFile;
  tiniPump: () => void;
  tiniOuter: Map<number, number>;
  tiniPort: number;
  tiniServer: number;
  tiniSuccessor: number;
  tiniLoad: MixedStats;
  /** The listeners of tini and its two children while the successor warmed up, as one line. */
  tiniTable: string;
  /** tini's NSpid line while it ran. */
  tiniNsPids: number[] | undefined;
  /** The server's parent while it ran. */
  tiniServerParent: number | undefined;
  /** Part 3: hotrestart-run as PID 1. */
  boxed: { unshare: number; init: number };
  runReports: ReportFile;
  runPump: () => void;
  runOuter: Map<number, number>;
  runLines: string[];
  runLogPump: () => void;
  runPort: number;
  runListener: FdRow;
  runLoad: MixedStats;
  /** The generations' pids here, by name (gen1, gen2, gen3), and inside the namespace. */
  gens: Record<string, number>;
  innerGens: Record<string, number>;
}

export const isListener = (row: FdRow) => row.socket?.state === 'LISTEN';
export const isTcp = (row: FdRow) => row.type === 'TCP';
export const failedText = (ctx: LessonContext) => ctx.t({ en: 'not available here', zh: '此处不可用' });
/** `running` or `gone` (a zombie counts as gone), in the lesson's language, for check details. */
export const lifeOf = (ctx: LessonContext, pid: number | undefined) => (pid && isAlive(pid) ? ctx.t({ en: 'running', zh: '运行中' }) : ctx.t({ en: 'gone', zh: '已不在' }));
/** Every check reads the namespace; without one it is ○ with the reason. */
export const ns = (ctx: LessonContext<Vars>, check: () => CheckResult): CheckResult => needsNamespace(ctx.vars.mode, check);
export const available = (ctx: LessonContext<Vars>): ctx is LessonContext<Vars> & { vars: { mode: { flags: string[]; user: boolean } } } => !!ctx.vars.mode && 'flags' in ctx.vars.mode;

/** A check of the tini step: ○ without a namespace or without tini. */
export const tiniCheck = (ctx: LessonContext<Vars>, check: () => CheckResult): CheckResult =>
  ns(ctx, () => (ctx.vars.tiniMissing ? { ok: false, skipped: true, detail: ctx.vars.tiniMissing } : check()));

export function lessonLoad(ctx: LessonContext, port: number): MixedLoad {
  return startMixedLoad({
    port,
    keepAlive: 2,
    close: 2,
    pauseMs: 10,
    requestTimeoutMs: LOST_AFTER_MS,
    maxRequests: 20_000,
    maxDurationMs: 20_000,
    countHeader: 'x-pid',
    signal: ctx.signal,
    reportEveryMs: 500,
    onTick: (stats) => ctx.log(formatMixedStats(stats, ctx.lang), 'event', 'load'),
  });
}

export async function answersGrow(ctx: LessonContext, load: MixedLoad, more: number): Promise<void> {
  const target = load.stats().ok + more;
  await ctx.until(() => load.stats().ok >= target, 10_000, 10);
}

/** Waits for a report; throws with `what` when none comes in time. */
export async function report(ctx: LessonContext, file: ReportFile, pump: () => void, predicate: (r: ServerReport) => boolean, what: string | Text, timeoutMs = 20_000): Promise<ServerReport> {
  const found = await ctx.until(() => {
    pump();
    return file.find(predicate);
  }, timeoutMs);
  if (!found) throw new LessonActionError(waitedInVain(what, timeoutMs));
  return found;
}

export async function gone(ctx: LessonContext, pid: number, what: string | Text, timeoutMs = 15_000): Promise<number> {
  const startedAt = Date.now();
  if (!(await ctx.until(() => !isAlive(pid), timeoutMs, 5))) {
    const { en, zh } = asText(what);
    throw new LessonActionError({ en: `${en} (pid ${pid}) is still running after ${timeoutMs} ms`, zh: `${zh}（pid ${pid}）在 ${timeoutMs} 毫秒后仍在运行` });
  }
  return Date.now() - startedAt;
}

/** x-pid values are pids inside the namespace: `gen1: 120, gen2: 96` by the lesson's names. */
export function byGeneration(ctx: LessonContext<Vars>, stats: MixedStats): string {
  const nameOf = (inner: string) => Object.entries(ctx.vars.innerGens ?? {}).find(([, pid]) => String(pid) === inner)?.[0] ?? `ns pid ${inner}`;
  return Object.entries(stats.byHeader).map(([inner, n]) => `${nameOf(inner)}: ${n}`).join(', ');
}

// Not a lesson: the machinery lesson 13 (13-whole-hot-restart.ts) runs on. The three restart strategies'
// servers (lessons/servers/13-*.ts) are started by a launcher puppet and report to a file; each strategy's
// load is kept apart so the summary can compare them; step 4's busy old process is driven from here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryUrl } from '../src/demo/entry.js';
import { isAlive } from '../src/demo/marker.js';
import { cellWidth } from '../src/text/width.js';
import type { FdRow } from '../src/fdtable/model.js';
import { followReports, launchServer, ReportFile, type ServerReport } from '../src/lesson/demo-servers.js';
import { listenersOn, queueText } from '../src/lesson/kit.js';
import { LOST_AFTER_MS } from '../src/lesson/load.js';
import { combineMixed, formatMixedStats, startMixedLoad, type MixedLoad, type MixedStats } from '../src/lesson/mixed-load.js';
import { rowsOf, rowsTogether } from '../src/lesson/procview.js';
import { readSysctl, withSysctl } from '../src/lesson/sysctl.js';
import { LessonActionError, type LessonContext, type Text } from '../src/lesson/types.js';

const server = (name: string) => entryUrl(`servers/13-${name}`, import.meta.url);
export const SERVERS = { naive: server('naive'), reuseport: server('reuseport'), handover: server('handover') };

export const KEEP_ALIVE = 4;
export const CLOSE = 4;
/** A load never runs longer than this; each step stops its own, or the summary does. Long enough for the
 *  handover's steps on a starved machine: a load that ended mid-step closed the keep-alive connections the
 *  step follows from hot-1 into hot-2 (4 s was too short in a cgroup at 0.3 of a core). */
const LOAD_MAX_MS = 15_000;
/** Requests the new process must have answered before a restart counts as over. */
export const SEEN_FROM_NEW = 30;
/** How long the old SO_REUSEPORT process is at least busy before the tutor ends its busy spell. */
export const BUSY_AT_LEAST_MS = 300;
const MIGRATE = 'net.ipv4.tcp_migrate_req';
export const FILES = { reports: 'servers.jsonl', pid: 'hot.pid', gate: 'hot.ready', busyEnd: 'reuse-1.busy-over' };

export type Strategy = 'naive' | 'reuseport' | 'handover';
export const STRATEGIES: Strategy[] = ['naive', 'reuseport', 'handover'];
const STRATEGY_NAMES: Record<Strategy, Text> = {
  naive: { en: 'naive stop-and-start', zh: '朴素的先停后启' },
  reuseport: { en: 'SO_REUSEPORT re-bind', zh: 'SO_REUSEPORT 重新绑定' },
  handover: { en: 'fd handover (module)', zh: 'fd 交接（模块）' },
};

/** What the kit keeps in ctx.vars for lesson 13 (whose own Vars extend these): a misspelt name does not compile. */
export interface KitVars {
  /** Each strategy's port, by strategy name. */
  port: Record<string, number>;
  /** Each server's pid and listening fd, by the lesson's name for it (naive-1, hot-2, ...). */
  pid: Record<string, number>;
  fd: Record<string, number>;
  /** Each strategy's running load, the counters of its finished ones, and whether its ticks are logged. */
  load: Partial<Record<Strategy, MixedLoad | undefined>>;
  kept: Partial<Record<Strategy, MixedStats[]>>;
  muted: Partial<Record<Strategy, boolean>>;
  reports: ReportFile;
  pumpReports: () => void;
  /** The inode of the readiness pipe a successor writes to. */
  readinessPipe: number | null | undefined;
  /** What became of the old SO_REUSEPORT listener's queue at its close. */
  reuseClose: { queueAtClose: number; resets: number; migrate: string | undefined };
}

// ---- the load: one per restart, its counters logged four times a second and kept per strategy

/** A load on port; its counters are logged until the strategy is muted (a load may outlive its step). */
export function startLessonLoad(ctx: LessonContext<KitVars>, port: number, strategy?: Strategy): MixedLoad {
  return startMixedLoad({
    port,
    keepAlive: KEEP_ALIVE,
    close: CLOSE,
    pauseMs: 10,
    requestTimeoutMs: LOST_AFTER_MS,
    maxRequests: 20_000,
    maxDurationMs: LOAD_MAX_MS,
    countHeader: 'x-pid',
    signal: ctx.signal,
    reportEveryMs: 250,
    onTick: (stats) => {
      if (!strategy || !ctx.vars.muted?.[strategy]) ctx.log(formatMixedStats(stats, ctx.lang), 'event', 'load');
    },
  });
}

/** The load of this strategy's restart that is still running, started afresh when the last one has ended. */
export function ensureLoad(ctx: LessonContext<KitVars>, strategy: Strategy, port: number): MixedLoad {
  const current: MixedLoad | undefined = ctx.vars.load?.[strategy];
  if (current && !current.stats().finished) return current;
  if (current) keep(ctx, strategy, current.stats());
  const load = startLessonLoad(ctx, port, strategy);
  ctx.vars.load = { ...ctx.vars.load, [strategy]: load };
  ctx.vars.muted = { ...ctx.vars.muted, [strategy]: false };
  return load;
}

/** Stops the strategy's load and files its final counters. */
export async function finishLoad(ctx: LessonContext<KitVars>, strategy: Strategy): Promise<MixedStats | undefined> {
  const load: MixedLoad | undefined = ctx.vars.load?.[strategy];
  if (!load) return undefined;
  ctx.vars.load = { ...ctx.vars.load, [strategy]: undefined };
  const stats = await load.stop();
  keep(ctx, strategy, stats);
  return stats;
}

function keep(ctx: LessonContext<KitVars>, strategy: Strategy, stats: MixedStats): void {
  ctx.vars.kept = { ...ctx.vars.kept, [strategy]: [...(ctx.vars.kept?.[strategy] ?? []), stats] };
}

/** Everything this strategy's loads counted so far, the running one included. */
export function countsOf(ctx: LessonContext<KitVars>, strategy: Strategy): MixedStats | undefined {
  const running: MixedLoad | undefined = ctx.vars.load?.[strategy];
  const all: MixedStats[] = [...(ctx.vars.kept?.[strategy] ?? []), ...(running ? [running.stats()] : [])];
  return all.length ? combineMixed(all) : undefined;
}

export const answeredBy = (stats: MixedStats | undefined, pid: number) => stats?.byHeader[String(pid)] ?? 0;
export const countsText = (ctx: LessonContext<KitVars>, strategy: Strategy) => {
  const stats = countsOf(ctx, strategy);
  return stats ? formatMixedStats(stats, ctx.lang) : 'no load';
};

// ---- the processes

export const reportsOf = (ctx: LessonContext<KitVars>): ReportFile => ctx.vars.reports;
export const pidOf = (ctx: LessonContext<KitVars>, name: string): number => {
  // Not undefined: two unknown pids would compare equal, and isAlive(undefined) is false.
  const pid = ctx.vars.pid?.[name];
  if (pid === undefined) throw new LessonActionError({ en: `${name} has not started`, zh: `${name} 还没有启动` });
  return pid;
};
/** Logs the servers' reports that have arrived, so the log reads in order at the moments that matter. */
export const pumpReports = (ctx: LessonContext<KitVars>) => (ctx.vars.pumpReports as () => void)();

/** What the lesson logs of the servers' reports: the module's own log lines, and the moments that matter. */
function describeReport(report: ServerReport): Text | string | undefined {
  const fd = String(report.fd ?? '?');
  switch (report.event) {
    case 'log':
      return String(report.text);
    case 'listening':
      return report.inherited
        ? { en: `serving on 127.0.0.1:${report.port}: inherited listener at fd ${fd}`, zh: `在 127.0.0.1:${report.port} 上提供服务：监听 socket 是继承来的，位于 fd ${fd}` }
        : { en: `listening on 127.0.0.1:${report.port} (fd ${fd})`, zh: `在 127.0.0.1:${report.port} 上监听（fd ${fd}）` };
    case 'warming-up':
      return { en: 'warming up: ready() not called yet', zh: '正在预热：还没有调用 ready()' };
    case 'busy':
      return { en: 'SIGTERM received, but busy: the event loop is blocked, nothing is accepted', zh: '收到 SIGTERM，但正忙：事件循环被阻塞，不再 accept 任何连接' };
    case 'busy-over':
      return { en: `busy for ${String(report.busyMs)} ms`, zh: `忙了 ${String(report.busyMs)} 毫秒` };
    case 'closed':
      return { en: `close(${fd}): the listener is closed; open connections are finished with Connection: close`, zh: `close(${fd})：监听 socket 已关闭；已有连接以 Connection: close 处理完` };
    case 'exit':
      return { en: `exit (${String(report.reason)})`, zh: `退出（${String(report.reason)}）` };
    case 'error':
      return String(report.text);
    default:
      return undefined;
  }
}

/** The launcher (a puppet playing the service manager) and the report file; once per lesson. */
export async function prepare(ctx: LessonContext<KitVars>): Promise<void> {
  await ctx.start('launcher');
  ctx.vars.reports = new ReportFile(FILES.reports, ctx.supervisor.dir);
  ctx.vars.pumpReports = followReports(ctx, ctx.vars.reports, {
    describe: describeReport,
    // Successors the module starts are named by generation: hot-2, hot-3, ...
    nameOf: (report) => (typeof report.generation === 'number' ? `hot-${report.generation}` : undefined),
  });
}

interface Listening {
  pid: number;
  port: number;
  fd: number;
}

/** Remembers a server's pid and listening fd under its name, from its `listening` report. */
export function remember(ctx: LessonContext<KitVars>, name: string, report: ServerReport): Listening {
  const listening = { pid: report.pid, port: Number(report.port), fd: Number(report.fd) };
  ctx.vars.pid = { ...ctx.vars.pid, [name]: listening.pid };
  ctx.vars.fd = { ...ctx.vars.fd, [name]: listening.fd };
  return listening;
}

export async function launch(ctx: LessonContext<KitVars>, name: string, moduleUrl: string, env: Record<string, string> = {}): Promise<Listening> {
  const report = await launchServer(ctx, { launcher: 'launcher', name, moduleUrl, env, reports: reportsOf(ctx) });
  pumpReports(ctx);
  return remember(ctx, name, report);
}

export async function signal(ctx: LessonContext<KitVars>, name: string, signalName: NodeJS.Signals): Promise<void> {
  await ctx.call('launcher', { op: 'kill', pid: pidOf(ctx, name), signal: signalName });
}

// The waits below end as soon as what they wait for happens; their limits only say how long a starved
// machine may take before the step fails (CI's 2-core box under load, or a cgroup at 0.3 of a core: 5 s
// for 30 answers failed lesson 13 there, with every answer given and none failed).
export async function waitGone(ctx: LessonContext<KitVars>, name: string, timeoutMs = 15_000): Promise<void> {
  const gone = await ctx.until(() => !isAlive(pidOf(ctx, name)), timeoutMs);
  if (!gone) throw new LessonActionError({ en: `${name} (pid ${pidOf(ctx, name)}) did not exit within ${timeoutMs} ms`, zh: `${name}（pid ${pidOf(ctx, name)}）在 ${timeoutMs} 毫秒内没有退出` });
  pumpReports(ctx);
}

/** Waits until `name` has answered `more` requests beyond those it had. The strategy's load runs on while
 *  it waits: one that reached its time limit (a slow drain, a starved machine) is started afresh. */
export async function waitAnswers(ctx: LessonContext<KitVars>, strategy: Strategy, name: string, more: number, timeoutMs = 15_000): Promise<void> {
  const answered = () => answeredBy(countsOf(ctx, strategy), pidOf(ctx, name));
  const target = answered() + more;
  const enough = await ctx.until(() => {
    ensureLoad(ctx, strategy, ctx.vars.port[strategy]);
    return answered() >= target;
  }, timeoutMs);
  if (!enough) throw new LessonActionError({ en: `${name} answered fewer than ${more} more requests within ${timeoutMs} ms`, zh: `${name} 在 ${timeoutMs} 毫秒内新回答的请求少于 ${more} 个` });
}

/** The listening row of a named process, found by the socket's inode (its fd number may have changed). */
export function listenerRow(ctx: LessonContext, name: string, inode?: number): FdRow | undefined {
  return rowsOf(ctx, name).find((row) => row.socket?.state === 'LISTEN' && (inode === undefined || row.inode === inode));
}

export const isListener = (row: FdRow) => row.socket?.state === 'LISTEN';
export const isTcp = (row: FdRow) => row.type === 'TCP';
/** What the restart module holds: sockets (listener, connections, the handoff socketpair) and the
 *  readiness pipe, without what tsx keeps open when the servers run from source. */
export function isRestartRow(row: FdRow, ctx: LessonContext<KitVars>): boolean {
  if (row.type === 'TCP') return true;
  if (row.type === 'UNIX') return !row.name.includes('esbuild');
  return row.type === 'FIFO' && row.inode === ctx.vars.readinessPipe;
}

/** Step 4's claim about the queue at the close, read from what the kernel did with tcp_migrate_req as it was. */
export function reuseResetCheck(ctx: LessonContext<KitVars>) {
  const { queueAtClose, resets, migrate } = ctx.vars.reuseClose as { queueAtClose: number; resets: number; migrate: string | undefined };
  const detail = ctx.t({ en: `${queueAtClose} queued, ${resets} ECONNRESET (${MIGRATE}=${migrate ?? '-'})`, zh: `队列中 ${queueAtClose} 个，${resets} 个 ECONNRESET（${MIGRATE}=${migrate ?? '-'}）` });
  if (migrate === 'changed') return { ok: false, skipped: true, detail: `${MIGRATE} changed during the step` };
  // With migration on, the queue moved to reuse-2 instead: then nothing may have been reset.
  return { ok: queueAtClose > 0 && (migrate === '1' ? resets === 0 : resets >= queueAtClose), detail };
}

// ---- the summary

export function summaryLines(ctx: LessonContext<KitVars>): string[] {
  const header = ctx.lang === 'zh' ? ['策略', '成功', '失败（拒绝/重置/超时）', '最长空档', '进程'] : ['strategy', 'ok', 'failed (refused/reset/timeout)', 'longest gap', 'pids'];
  const pids: Record<Strategy, string[]> = { naive: ['naive-1', 'naive-2'], reuseport: ['reuse-1', 'reuse-2'], handover: ['hot-1', 'hot-2'] };
  const rows = STRATEGIES.map((strategy) => {
    const stats = countsOf(ctx, strategy);
    return [
      ctx.t(STRATEGY_NAMES[strategy]),
      String(stats?.ok ?? '-'),
      stats ? `${stats.failed} (${stats.refused}/${stats.reset}/${stats.timeout})` : '-',
      stats ? `${stats.longestGapMs} ms` : '-',
      pids[strategy].map((name) => ctx.vars.pid?.[name] ?? '?').join(' → '),
    ];
  });
  // Padded by terminal cells: a CJK character takes two.
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => cellWidth(row[i]))));
  const line = (cells: string[]) => cells.map((cell, i) => cell + ' '.repeat(widths[i] - cellWidth(cell))).join('   ').trimEnd();
  return [line(header), ...rows.map(line)];
}

// ---- step 4: the old SO_REUSEPORT process leaves while busy

/**
 * SIGTERM to reuse-1 under load; while it is busy (accepting nothing), read its queue from the fd table;
 * then end the busy spell, which closes its listener, and count what the load saw. Runs with
 * tcp_migrate_req at 0 when the tutor may set it, and notes the value in force otherwise.
 */
export async function leaveWhileBusy(ctx: LessonContext<KitVars>): Promise<void> {
  const port = ctx.vars.port.reuseport;
  const [oldPid, oldFd] = [pidOf(ctx, 'reuse-1'), ctx.vars.fd['reuse-1']];
  const oldInode = listenerRow(ctx, 'reuse-1')?.inode;
  const outcome = await withSysctl(MIGRATE, '0', async ({ inForce, before, refused }) => {
    ctx.log(inForce === before ? `${MIGRATE} = ${inForce ?? '-'}${refused ? ` (${refused})` : ''}` : `sysctl -w ${MIGRATE}=${inForce} (was ${before}; put back when this step ends)`);
    const load = ensureLoad(ctx, 'reuseport', port);
    await ctx.until(() => load.stats().ok >= 40, 3000);
    await signal(ctx, 'reuse-1', 'SIGTERM');
    const busy = await ctx.until(() => reportsOf(ctx).find((r) => r.pid === oldPid && r.event === 'busy'), 3000);
    if (!busy) throw new LessonActionError({ en: 'reuse-1 did not react to SIGTERM', zh: 'reuse-1 对 SIGTERM 没有反应' });
    pumpReports(ctx);
    const busySince = Date.now();
    // While reuse-1 is busy nobody accepts from its socket: the queue can only grow, so what the
    // fd table shows last is a lower bound of what is queued at the close.
    const queued = () => listenersOn(port).find((socket) => socket.inode === oldInode)?.rqueue ?? 0;
    await ctx.until(() => queued() > 0 && Date.now() - busySince >= BUSY_AT_LEAST_MS, 2000, 10);
    const [oldRow, newRow] = rowsTogether(ctx, [['reuse-1', oldFd], ['reuse-2', ctx.vars.fd['reuse-2']]]);
    const queueAtClose = oldRow?.socket?.acceptQueue ?? 0;
    ctx.log({ en: `the fd table just before the close: reuse-1 fd ${oldFd} QUEUE ${queueText(oldRow)} · reuse-2 fd ${newRow?.fd ?? '-'} QUEUE ${queueText(newRow)}`, zh: `关闭之前一刻的 fd 表：reuse-1 fd ${oldFd} QUEUE ${queueText(oldRow)} · reuse-2 fd ${newRow?.fd ?? '-'} QUEUE ${queueText(newRow)}` });
    const resetsBefore = load.stats().reset;
    writeFileSync(join(ctx.supervisor.dir, FILES.busyEnd), '');
    await ctx.until(() => listenersOn(port).length === 1, 3000);
    const migrateAfter = readSysctl(MIGRATE);
    // Each queued connection was some worker's request: it ends as a reset, well within its timeout.
    await ctx.until(() => load.stats().reset - resetsBefore >= queueAtClose, 2500);
    await waitGone(ctx, 'reuse-1');
    const fromNew = answeredBy(load.stats(), pidOf(ctx, 'reuse-2'));
    await ctx.until(() => answeredBy(load.stats(), pidOf(ctx, 'reuse-2')) >= fromNew + SEEN_FROM_NEW, 3000);
    const resets = load.stats().reset - resetsBefore;
    await finishLoad(ctx, 'reuseport');
    return { queueAtClose, resets, migrate: inForce === migrateAfter ? inForce : 'changed' };
  });
  if (outcome.inForce !== outcome.before) ctx.log(`sysctl -w ${MIGRATE}=${readSysctl(MIGRATE)}`);
  ctx.vars.reuseClose = outcome.result;
  ctx.log({ en: `SO_REUSEPORT restart: ${countsText(ctx, 'reuseport')}`, zh: `SO_REUSEPORT 重启：${countsText(ctx, 'reuseport')}` });
}

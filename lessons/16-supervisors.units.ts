// Not a lesson: what lesson 16's steps share (16-supervisors.ts for systemd, 16-supervisors.pm2.ts for the
// pid trackers): the units a lesson run has started and the counters of their loads, kept in ctx.vars;
// waiting for a generation; a hot restart under load followed to its end; the checks every unit needs.
import { isAlive } from '../src/demo/marker.js';
import type { FdRow } from '../src/fdtable/model.js';
import { listenersOn } from '../src/lesson/kit.js';
import type { MixedStats } from '../src/lesson/mixed-load.js';
import { rowsOf } from '../src/lesson/procview.js';
import { LessonActionError, type CheckResult, type LessonContext, type Text } from '../src/lesson/types.js';
import { answeredBy, generation, liveServicePids, loadText, serverEvents, startUnit, startUnitLoad, tellManager, unitEvents, waitReport, type Unit, type UnitOptions } from './16-supervisors.kit.js';

/** What every step of lesson 16 may carry: the units by name (simple, notify, sa, pm2, pm2run), and the
 *  counters of each unit's load during its hot restart. The lesson's Vars extend it. */
export interface UnitVars {
  units: Partial<Record<string, Unit>>;
  stats: Partial<Record<string, MixedStats>>;
}

export const unitOf = (ctx: LessonContext<UnitVars>, name: string): Unit => {
  const unit = ctx.vars.units?.[name];
  if (!unit) throw new LessonActionError({ en: `unit ${name} has not started`, zh: `服务单元 ${name} 还没有启动` });
  return unit;
};
export const remember = (ctx: LessonContext<UnitVars>, unit: Unit) => (ctx.vars.units = { ...ctx.vars.units, [unit.name]: unit });
export const keepStats = (ctx: LessonContext<UnitVars>, name: string, stats: MixedStats) => (ctx.vars.stats = { ...ctx.vars.stats, [name]: stats });

export const isTcp = (row: FdRow) => row.type === 'TCP';
export const isListener = (row: FdRow) => row.socket?.state === 'LISTEN';
export const listenerOf = (ctx: LessonContext, name: string) => rowsOf(ctx, name).find(isListener);

/** Starts a unit whose service binds 127.0.0.1:0 itself, waits until generation 1 listens (and, under
 *  Type=notify, until its READY=1 made the unit active), keeps the port and the unit in ctx.vars. */
export async function startServing(ctx: LessonContext<UnitVars>, name: string, options: UnitOptions): Promise<Unit> {
  const unit = await startUnit(ctx, name, options);
  await waitGeneration(unit, 1);
  unit.port = Number(serverEvents(unit, 'listening')[0]?.port);
  remember(ctx, unit);
  if (options.type === 'notify') await waitReport(unit, (r) => r.event === 'unit' && r.kind === 'state' && r.state === 'active', 10_000, 'READY=1');
  return unit;
}

/** Waits for generation n of the unit to listen (or to wait at its gate), names it, returns its pid. */
export async function waitGeneration(unit: Unit, n: number, timeoutMs = 15_000): Promise<number> {
  const report = await waitReport(unit, (r) => r.pid !== unit.manager && r.generation === n && (r.event === 'listening' || r.event === 'warming-up'), timeoutMs, { en: `generation ${n}`, zh: `第 ${n} 代` });
  return report.pid;
}

/**
 * Under load, `trigger` lets generation 2 take over (a reload, or its warm-up gate opening); waits until the
 * stand-in has made it the main process (MAINPID=; under hotrestart-run, hotrestart-run does that instead),
 * generation 1 has exited and generation 2 has answered some more requests; keeps the load's counters
 * under the unit's name.
 */
export async function followUnderLoad(ctx: LessonContext<UnitVars>, name: string, trigger: (unit: Unit) => Promise<void>, label: Text): Promise<void> {
  const unit = unitOf(ctx, name);
  const load = startUnitLoad(ctx, unit.port);
  await ctx.until(() => load.stats().ok >= 20, 3000);
  await trigger(unit);
  const second = await waitGeneration(unit, 2);
  const first = generation(unit, 1);
  if (name === 'pm2run') {
    // The pm2 stand-in reads no notifications: hotrestart-run follows the generations, and reaps generation 1.
    if (!(await ctx.until(() => first !== undefined && !isAlive(first), 10_000))) throw new LessonActionError({ en: `${name}-1 did not leave`, zh: `${name}-1 没有退出` });
  } else {
    await waitReport(unit, (r) => r.event === 'unit' && r.kind === 'main-pid' && r.subject === second, 10_000, { en: `MAINPID= from ${name}-2`, zh: `来自 ${name}-2 的 MAINPID=` });
    await waitReport(unit, (r) => r.event === 'unit' && r.kind === 'exit' && r.subject === first, 10_000, { en: `${name}-1 leaving`, zh: `${name}-1 退出` });
  }
  const before = answeredBy(load.stats(), second);
  await ctx.until(() => answeredBy(load.stats(), second) >= before + 20, 3000);
  keepStats(ctx, name, await load.stop());
  ctx.log({ en: `${label.en}: ${loadText(ctx, ctx.vars.stats[name])}`, zh: `${label.zh}：${loadText(ctx, ctx.vars.stats[name])}` });
}

export const NONE_FAILED: Text = { en: 'no request failed', zh: '没有请求失败' };
/** The unit's load during its restart answered requests and lost none. */
export const noneFailed = (name: string) => (ctx: LessonContext<UnitVars>): CheckResult => {
  const stats = ctx.vars.stats?.[name];
  return { ok: !!stats && stats.ok > 0 && stats.failed === 0, detail: loadText(ctx, stats) };
};

/** Everything is gone: every process the service ever had, and its listener. */
export function nothingLeft(ctx: LessonContext<UnitVars>, name: string): CheckResult {
  const unit = ctx.vars.units?.[name];
  const live = liveServicePids(unit);
  const listening = unit ? listenersOn(unit.port).length : -1;
  return { ok: !!unit && live.length === 0 && listening === 0, detail: `live: ${live.join(' ') || '-'}; ${listening} LISTEN on 127.0.0.1:${unit?.port ?? '-'}` };
}

/**
 * Under load, a reload of a unit whose manager will not follow the successor (Type=simple; Type=notify under
 * NotifyAccess=main): generation 2 starts, generation 1 exits, and the manager stops the unit; waits until
 * nothing of the service is left and the load has been refused a few times; keeps the load's counters.
 */
export async function reloadUntilStopped(ctx: LessonContext<UnitVars>, name: string, label: Text): Promise<void> {
  const unit = unitOf(ctx, name);
  const load = startUnitLoad(ctx, unit.port);
  await ctx.until(() => load.stats().ok >= 20, 3000);
  await tellManager(ctx, unit, 'SIGHUP');
  await waitGeneration(unit, 2);
  await waitReport(unit, (r) => r.event === 'unit' && r.kind === 'state' && r.state === 'inactive', 10_000, { en: 'the unit stopping', zh: '服务单元停止' });
  await ctx.until(() => liveServicePids(unit).length === 0, 3000);
  await ctx.until(() => load.stats().refused >= 5, 3000);
  keepStats(ctx, name, await load.stop());
  ctx.log({ en: `${label.en}: ${loadText(ctx, ctx.vars.stats[name])}`, zh: `${label.zh}：${loadText(ctx, ctx.vars.stats[name])}` });
}

/** Generation 1, still the main process, exited with code 0, and the stop that followed sent SIGTERM to generation 2. */
export const mainExitStopped = (name: string) => (ctx: LessonContext<UnitVars>): CheckResult => {
  const unit = ctx.vars.units?.[name];
  const first = generation(unit, 1);
  const second = generation(unit, 2);
  const mainExit = unitEvents(unit, 'exit').find((r) => r.subject === first && r.main === true);
  const term = unitEvents(unit, 'kill').find((r) => r.signal === 'SIGTERM');
  const ok = !!mainExit && mainExit.code === 0 && second !== undefined && (term?.pids as number[] | undefined)?.includes(second) === true;
  return { ok, detail: `main ${first ?? '-'} exit ${String(mainExit?.code ?? '-')}; SIGTERM → ${(term?.pids as number[] | undefined)?.join(' ') ?? '-'}` };
};

export const LOAD_REFUSED: Text = { en: 'the load was refused once nothing listened', zh: '没有监听者之后，负载的连接被拒绝' };
/** The unit's load met a port nobody listened on. */
export const loadRefused = (name: string) => (ctx: LessonContext<UnitVars>): CheckResult => ({ ok: (ctx.vars.stats?.[name]?.refused ?? 0) > 0, detail: loadText(ctx, ctx.vars.stats?.[name]) });

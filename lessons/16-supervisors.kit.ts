// Not a lesson: the machinery lesson 16 (16-supervisors.ts) runs on. A launcher puppet starts the stand-in
// service manager (lessons/servers/16-unit-manager.ts: not systemd, not pm2, labelled so), which starts
// lesson 13's handover server (the restart module, as an application uses it) as its service. Each unit
// has a report file of its own, so a process is named after its unit and generation (notify-2).
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { entryUrl } from '../src/demo/entry.js';
import { isAlive } from '../src/demo/marker.js';
import { followReports, hotrestartRunCommand, ReportFile, serverCommand, type ServerReport } from '../src/lesson/demo-servers.js';
import { LOST_AFTER_MS } from '../src/lesson/load.js';
import { formatMixedStats, startMixedLoad, type MixedLoad, type MixedStats } from '../src/lesson/mixed-load.js';
import { asText } from '../src/lesson/i18n.js';
import { LessonActionError, type LessonContext, type Text } from '../src/lesson/types.js';

export const MANAGER = entryUrl('servers/16-unit-manager', import.meta.url);
export const SERVER = entryUrl('servers/13-handover', import.meta.url);
/** What pm2's ProcessContainerFork.js does around an app in fork mode (the pm2 stand-in starts its app in it). */
export const PM2_CONTAINER = entryUrl('servers/16-pm2-container', import.meta.url);
export const ACTIVATE = '/usr/bin/systemd-socket-activate';
/** How long the stand-in waits after SIGTERM before SIGKILL (systemd's default TimeoutStopSec= is 90 s). */
export const TIMEOUT_STOP_MS = 1500;
/** The run marker's variable (src/demo/sweep.mjs): systemd-socket-activate passes on only what -E names. */
const RUN_MARKER = 'HOTRESTART_TUTOR_RUN';

export type UnitType = 'simple' | 'notify' | 'pid';

/** One unit: its stand-in manager, the pids of what it started, its report file. */
export interface Unit {
  /** simple, notify, sa (socket activation), pm2: also the prefix of its processes' names. */
  name: string;
  manager: number;
  reports: ReportFile;
  pump: () => void;
  /** 127.0.0.1 port the service listens on (the socket unit's, when there is one). */
  port: number;
}

/** Why systemd-socket-activate cannot be used here, or null. */
export function activateMissing(): string | null {
  try {
    execFileSync(ACTIVATE, ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${ACTIVATE} is not installed (Debian: apt-get install systemd)`;
  }
}

// ---- what the log says

const stateText: Record<string, Text> = {
  activating: { en: 'activating', zh: '启动中（activating）' },
  active: { en: 'active', zh: '运行中（active）' },
  deactivating: { en: 'deactivating', zh: '停止中（deactivating）' },
  inactive: { en: 'inactive (dead)', zh: '已停止（inactive）' },
  errored: { en: 'errored', zh: '出错（errored）' },
};

/** Why the unit changed state, from the stand-in's key. */
function whyText(report: ServerReport): Text {
  switch (report.why) {
    case 'forked':
      return { en: 'the main process was forked off', zh: '主进程已派生' };
    case 'waiting':
      return { en: 'waiting for READY=1', zh: '等待 READY=1' };
    case 'ready':
      return { en: 'READY=1', zh: 'READY=1' };
    case 'main-exited':
      return { en: 'the main process exited', zh: '主进程退出了' };
    case 'stop':
      return { en: 'stop requested', zh: '收到停止请求' };
    case 'unstable':
      return {
        en: `${String(report.unstableRestarts)} unstable restarts (exits before min_uptime, ${String(report.minUptimeMs)} ms), max_restarts ${String(report.maxRestarts)}`,
        zh: `${String(report.unstableRestarts)} 次不稳定重启（在 min_uptime ${String(report.minUptimeMs)} 毫秒之内退出），max_restarts 为 ${String(report.maxRestarts)}`,
      };
    default:
      return { en: String(report.why), zh: String(report.why) };
  }
}

function describeUnit(report: ServerReport): Text | undefined {
  const subject = String(report.subject ?? '');
  if (report.type === 'pid') return describeTracker(report, subject);
  switch (report.kind) {
    case 'standin':
      return {
        en: `not systemd: a stand-in that follows systemd.service(5)'s rules for Type=${String(report.type)}${report.type === 'notify' ? `, NotifyAccess=${String(report.notifyAccess)} and sd_notify(3)` : ''}`,
        zh: `这不是 systemd：而是一个按照 systemd.service(5) 对 Type=${String(report.type)}${report.type === 'notify' ? `、NotifyAccess=${String(report.notifyAccess)} 的规则和 sd_notify(3) ` : ' 的规则'}行事的替身`,
      };
    case 'socket':
      return { en: `socket unit: bound and listening on 127.0.0.1:${String(report.port)} (fd ${String(report.fd)}), kept open by the manager`, zh: `socket 单元：绑定并监听 127.0.0.1:${String(report.port)}（fd ${String(report.fd)}），由管理器一直持有` };
    case 'started':
      return report.listenFd
        ? { en: `ExecStart= forked off as pid ${subject}, with the listener at fd 3 (LISTEN_FDS=1, LISTEN_PID=${subject})`, zh: `ExecStart= 派生出 pid ${subject}，监听 socket 在 fd 3（LISTEN_FDS=1，LISTEN_PID=${subject}）` }
        : { en: `ExecStart= forked off as pid ${subject}: the main process`, zh: `ExecStart= 派生出 pid ${subject}：主进程` };
    case 'state': {
      const state = stateText[String(report.state)] ?? { en: String(report.state), zh: String(report.state) };
      const why = whyText(report);
      return { en: `unit ${state.en} (${why.en})`, zh: `服务单元${state.zh}（${why.zh}）` };
    }
    case 'notify':
      return { en: `NOTIFY_SOCKET, from pid ${String(report.sender)}: ${String(report.text).replace(/\n/g, ' ')}`, zh: `NOTIFY_SOCKET，来自 pid ${String(report.sender)}：${String(report.text).replace(/\n/g, ' ')}` };
    case 'notify-refused':
      // systemd's own log line, word for word (as in `journalctl -u app`); the Chinese one glosses it.
      return { en: `NotifyAccess=${String(report.access)}: ${String(report.text)}`, zh: `NotifyAccess=${String(report.access)}：${String(report.text)}（消息整条被忽略）` };
    case 'main-pid':
      return { en: `main pid ${String(report.was)} → ${subject} (it belongs to the service)`, zh: `主进程 pid ${String(report.was)} → ${subject}（它属于这个服务）` };
    case 'main-pid-refused':
      return { en: `MAINPID=${subject} refused: not a process of the service`, zh: `拒绝 MAINPID=${subject}：不是这个服务的进程` };
    case 'stopping':
      return { en: 'STOPPING=1: the service is beginning its shutdown', zh: 'STOPPING=1：服务开始关闭' };
    case 'exit': {
      const how = report.signal ? `killed by ${String(report.signal)}` : `exited with code ${String(report.code)}`;
      return report.main
        ? { en: `main process ${subject} ${how}`, zh: `主进程 ${subject} ${report.signal ? `被 ${String(report.signal)} 杀死` : `退出，退出码 ${String(report.code)}`}` }
        : { en: `pid ${subject} ${how} (not the main process)`, zh: `pid ${subject} ${report.signal ? `被 ${String(report.signal)} 杀死` : `退出，退出码 ${String(report.code)}`}（不是主进程）` };
    }
    case 'kill':
      return { en: `kill -${String(report.signal).replace('SIG', '')} ${(report.pids as number[]).join(' ')}`, zh: `kill -${String(report.signal).replace('SIG', '')} ${(report.pids as number[]).join(' ')}` };
    case 'reload':
      return { en: `reload: ExecReload=/bin/kill -USR2 $MAINPID (${subject})`, zh: `reload：ExecReload=/bin/kill -USR2 $MAINPID（${subject}）` };
    default:
      return undefined;
  }
}

/** The pm2 stand-in's reports, in pm2's words (its daemon log, lib/God.js, and `pm2 list`'s status and ↺). */
function describeTracker(report: ServerReport, subject: string): Text | undefined {
  switch (report.kind) {
    case 'standin':
      return {
        en: "not pm2: a stand-in that follows pm2 7's code for an app in fork mode (ProcessContainerFork.js, God.handleExit: autorestart, min_uptime, max_restarts)",
        zh: '这不是 pm2：而是一个按照 pm2 7 对 fork 模式应用的代码（ProcessContainerFork.js、God.handleExit：autorestart、min_uptime、max_restarts）行事的替身',
      };
    case 'started':
      return { en: `App [app:0] starting in -fork mode-: pid ${subject}, the pid it tracks`, zh: `App [app:0] starting in -fork mode-：pid ${subject}，这就是它跟踪的 pid` };
    case 'reload':
      return { en: `kill -USR2 ${subject} (pm2 sendSignal SIGUSR2 app)`, zh: `kill -USR2 ${subject}（pm2 sendSignal SIGUSR2 app）` };
    case 'exit':
      return { en: `the tracked process ${subject} exited (${report.signal ? String(report.signal) : `code ${String(report.code)}`})`, zh: `被跟踪的进程 ${subject} 退出了（${report.signal ? String(report.signal) : `退出码 ${String(report.code)}`}）` };
    case 'restart': {
      const lived = (Number(report.uptimeMs) / 1000).toFixed(1);
      return {
        en: `starting the app again: ↺ ${String(report.count)} (it lived ${lived} s; unstable restarts ${String(report.unstableRestarts)})`,
        zh: `重新启动应用：↺ ${String(report.count)}（它活了 ${lived} 秒；不稳定重启 ${String(report.unstableRestarts)} 次）`,
      };
    }
    case 'state':
      return report.state === 'errored'
        ? { en: `status errored (${whyText(report).en})`, zh: `状态 errored（${whyText(report).zh}）` }
        : { en: `status ${String(report.state)}`, zh: `状态 ${String(report.state)}` };
    default:
      return describeUnit({ ...report, type: 'tracker' });
  }
}

function describe(report: ServerReport): Text | string | undefined {
  switch (report.event) {
    case 'unit':
      return describeUnit(report);
    case 'log':
    case 'error':
      return String(report.text);
    case 'listening':
      return report.inherited
        ? { en: `serving on 127.0.0.1:${String(report.port)}: inherited listener at fd ${String(report.fd)}`, zh: `在 127.0.0.1:${String(report.port)} 上提供服务：监听 socket 是继承来的，位于 fd ${String(report.fd)}` }
        : { en: `listening on 127.0.0.1:${String(report.port)} (fd ${String(report.fd)})`, zh: `在 127.0.0.1:${String(report.port)} 上监听（fd ${String(report.fd)}）` };
    case 'warming-up':
      return { en: 'warming up: ready() not called yet', zh: '正在预热：还没有调用 ready()' };
    default:
      return undefined;
  }
}

// ---- starting a unit

export interface UnitOptions {
  type: UnitType;
  /** Bind this as a socket unit (ListenStream=) and hand it to ExecStart= at fd 3. */
  listen?: string;
  /** Wrap ExecStart= in systemd-socket-activate (which passes the manager's fd 3 on). */
  activate?: boolean;
  /** Run the server under the package's hotrestart-run, which binds 127.0.0.1:0 as `http`. */
  underRun?: boolean;
  /** The name of the process ExecStart= starts (default: NAME-1, generation 1). */
  mainName?: string;
  /** NotifyAccess= of a Type=notify unit (the stand-in's default, as systemd's, is main). */
  notifyAccess?: 'main' | 'all';
  /** Environment of the service (PORT, READY_GATE). */
  env?: Record<string, string>;
}

/** The server's command line, wrapped in systemd-socket-activate when asked; for the pm2 stand-in, the
 *  container's, with the app's script in pm_exec_path and its arguments after, as pm2's ForkMode.js does. */
function execStart(options: UnitOptions): { argv: string[]; env?: Record<string, string> } {
  const server = serverCommand(SERVER);
  const command = options.underRun ? [...hotrestartRunCommand(), '--listen', 'http=127.0.0.1:0', '--', ...server] : server;
  if (options.type === 'pid') {
    const script = options.underRun ? hotrestartRunCommand().at(-1)! : server.at(-1)!;
    return { argv: [...serverCommand(PM2_CONTAINER), ...command.slice(command.indexOf(script) + 1)], env: { pm_exec_path: script } };
  }
  return { argv: execStartArgv(options, command) };
}

function execStartArgv(options: UnitOptions, server: string[]): string[] {
  if (!options.activate) return server;
  // Not `-l 127.0.0.1:0`: systemd-socket-activate refuses port 0 ("Failed to parse socket address"), and a
  // port probed free and closed could be taken before it binds. It passes on the fds it was given
  // (LISTEN_FDS), so the manager binds port 0 and hands it over: no race. It passes on only the
  // variables named with -E (systemd sets NOTIFY_SOCKET for a service itself), so each is named: the
  // environment the service would have had without it (the tutor's, which the stand-in passes on, as
  // systemd gives a service its Environment=), less the puppets' own variables; the run marker included.
  const inherited = Object.keys(process.env).filter((name) => !name.startsWith('HOTRESTART_TUTOR_'));
  const names = [...new Set(['NOTIFY_SOCKET', 'REPORT_FILE', RUN_MARKER, ...Object.keys(options.env ?? {}), ...inherited])];
  return [ACTIVATE, '--fdname=http', ...names.flatMap((name) => ['-E', name]), ...server];
}

/** Starts the stand-in manager through the launcher and waits for its first ExecStart=. */
export async function startUnit(ctx: LessonContext, name: string, options: UnitOptions): Promise<Unit> {
  const reports = new ReportFile(`${name}.jsonl`, ctx.supervisor.dir);
  const exec = execStart(options);
  const env: Record<string, string> = {
    UNIT_TYPE: options.type,
    EXEC_START: JSON.stringify(exec.argv),
    ...exec.env,
    TIMEOUT_STOP_MS: String(TIMEOUT_STOP_MS),
    REPORT_FILE: reports.name,
    ...(options.listen ? { LISTEN_STREAM: options.listen } : {}),
    ...(options.notifyAccess ? { NOTIFY_ACCESS: options.notifyAccess } : {}),
    ...options.env,
  };
  const reply = await ctx.call('launcher', { op: 'spawn', name: `unit-${name}`, command: serverCommand(MANAGER), env });
  const manager = reply.result.pid as number;
  ctx.name(manager, managerName(name));
  const pump = followReports(ctx, reports, {
    describe,
    nameOf: (report) => {
      if (report.pid === manager || typeof report.generation !== 'number') return undefined;
      // A process the manager started again (the pm2 stand-in's restarts) is a generation 1 too.
      const restart = reports.reports.filter((r) => r.event === 'unit' && r.kind === 'started').findIndex((r) => r.subject === report.pid);
      return restart > 0 ? `${name}-r${restart}` : `${name}-${report.generation}`;
    },
  });
  const unit: Unit = { name, manager, reports, pump, port: 0 };
  const started = await waitReport(unit, (r) => r.event === 'unit' && r.kind === 'started', 15_000, { en: 'its ExecStart= process', zh: '它的 ExecStart= 进程' });
  ctx.name(Number(started.subject), options.mainName ?? `${name}-1`);
  const socket = reports.find((r) => r.event === 'unit' && r.kind === 'socket');
  if (socket) unit.port = Number(socket.port);
  pump();
  return unit;
}

/** What the stand-in is called on screen: pm2-standin for the pm2 units, unit-NAME for the systemd ones. */
export const managerName = (name: string) => (name.startsWith('pm2') ? `${name}-standin` : `unit-${name}`);

/** The first report matching `predicate`, waiting up to timeoutMs; throws with `what` when none came. */
export async function waitReport(unit: Unit, predicate: (report: ServerReport) => boolean, timeoutMs: number, what: string | Text): Promise<ServerReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = unit.reports.find(predicate);
    if (found) {
      unit.pump();
      return found;
    }
    if (Date.now() > deadline) {
      const { en, zh } = asText(what);
      throw new LessonActionError({ en: `${managerName(unit.name)}: no sign of ${en} within ${timeoutMs} ms`, zh: `${managerName(unit.name)}：${timeoutMs} 毫秒内没有等到：${zh}` });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The unit's reports of one kind (the manager's), or of one event (the servers'). */
export const unitEvents = (unit: Unit | undefined, kind: string) => unit?.reports.reports.filter((r) => r.event === 'unit' && r.kind === kind) ?? [];
export const serverEvents = (unit: Unit | undefined, event: string) => unit?.reports.reports.filter((r) => r.event === event && r.pid !== unit.manager) ?? [];

/** The pid of generation n of the unit's service, from its `listening` or `warming-up` report. */
export function generation(unit: Unit | undefined, n: number): number | undefined {
  return unit?.reports.reports.find((r) => r.pid !== unit.manager && r.generation === n && (r.event === 'listening' || r.event === 'warming-up'))?.pid;
}

/** The unit's last reported state. */
export const unitState = (unit: Unit | undefined) => unitEvents(unit, 'state').at(-1)?.state as string | undefined;

/** Every pid the unit's service ever had (what the manager started, and the generations they started). */
export function servicePids(unit: Unit | undefined): number[] {
  if (!unit) return [];
  unit.reports.read();
  const pids = new Set<number>([...unitEvents(unit, 'started').map((r) => Number(r.subject)), ...unit.reports.reports.filter((r) => r.pid !== unit.manager).map((r) => r.pid)]);
  return [...pids];
}

export const liveServicePids = (unit: Unit | undefined) => servicePids(unit).filter(isAlive);

/** Signals the manager: SIGHUP is `systemctl reload`, SIGTERM `systemctl stop`. */
export async function tellManager(ctx: LessonContext, unit: Unit, signal: 'SIGHUP' | 'SIGTERM'): Promise<void> {
  await ctx.call('launcher', { op: 'kill', pid: unit.manager, signal });
}

// ---- load and single requests

export function startUnitLoad(ctx: LessonContext, port: number): MixedLoad {
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
    reportEveryMs: 250,
    onTick: (stats) => ctx.log(formatMixedStats(stats, ctx.lang), 'event', 'load'),
  });
}

export const loadText = (ctx: LessonContext, stats: MixedStats | undefined) => (stats ? formatMixedStats(stats, ctx.lang) : 'no load');
export const answeredBy = (stats: MixedStats | undefined, pid: number | undefined) => (pid === undefined ? 0 : (stats?.byHeader[String(pid)] ?? 0));

/** One GET / on a fresh connection: the pid that answered (x-pid), or the error's code. */
export function getOnce(port: number, timeoutMs = 10_000): Promise<{ pid: number } | { error: string }> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve({ pid: Number(response.headers['x-pid']) }));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

/**
 * A port the kernel chose, free a moment ago: bound to 127.0.0.1:0, then closed. Only for the pm2 step,
 * whose app (like any app under pm2) is configured with a fixed port. Another program could take the
 * port between this close and the app's bind; the app then fails with EADDRINUSE and the step says so.
 */
export async function probeFreePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The gate file a successor waits for before it listens and calls ready() (lessons/servers/13-handover.ts). */
export const gatePath = (ctx: LessonContext, unit: string) => join(ctx.supervisor.dir, `${unit}.gate`);

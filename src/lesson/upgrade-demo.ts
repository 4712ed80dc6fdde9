// A server built on the restart module, run through its generations for a lesson: a puppet (the learner's
// shell) starts generation 1 and sends the signals; each generation reports to one file, read through
// demo-servers.ts and logged under the generation's name (gen1, gen2, ...), which also names the processes
// in the fd tables; the knobs the next generation reads at start-up are a JSON file the lesson rewrites.
// The server program is the lesson's (e.g. lessons/servers/11-12-server.ts); it must report `listening`,
// `ready`, `state` {from, to} and `log` {text} lines carrying its `generation`.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { isAlive } from '../demo/marker.js';
import { followReports, launchServer, ReportFile, type ServerReport } from './demo-servers.js';
import { waitedInVain } from './i18n.js';
import { LessonActionError, type LessonContext, type Text } from './types.js';

export interface UpgradeDemoOptions {
  /** The puppet that starts generation 1 and sends signals; started by the demo if not running. */
  shell: string;
  moduleUrl: string;
  /** File names in the private directory; distinct per lesson (default 'upgrade'). */
  prefix?: string;
}

/** The module's own log lines as written (program output, like a syscall line); the rest in both languages. */
function describe(report: ServerReport): Text | string | undefined {
  const [from, to, port, fd] = [report.from, report.to, report.port, report.fd].map(String);
  switch (report.event) {
    case 'log':
      return String(report.text);
    case 'state':
      return { en: `upgrader state: ${from} → ${to}`, zh: `Upgrader 状态：${from} → ${to}` };
    case 'listening':
      return report.inherited
        ? { en: `serving 127.0.0.1:${port} on the inherited fd ${fd}`, zh: `用继承来的 fd ${fd} 在 127.0.0.1:${port} 上提供服务` }
        : { en: `listening on 127.0.0.1:${port} (fd ${fd}, bound afresh)`, zh: `在 127.0.0.1:${port} 上监听（fd ${fd}，新绑定）` };
    default:
      return undefined;
  }
}

export class UpgradeDemo {
  readonly reports: ReportFile;
  /** Logs whatever the generations reported since the last look (it also happens every 50 ms). */
  readonly pump: () => void;
  private readonly knobFile: string;
  private readonly prefix: string;
  port = 0;

  constructor(
    private readonly ctx: LessonContext,
    private readonly options: UpgradeDemoOptions,
  ) {
    const prefix = (this.prefix = options.prefix ?? 'upgrade');
    this.reports = new ReportFile(`${prefix}-reports.jsonl`, ctx.supervisor.dir);
    this.knobFile = join(ctx.supervisor.dir, `${prefix}-knobs.json`);
    this.pump = followReports(ctx, this.reports, { describe, nameOf: (report) => this.nameOf(report) });
  }

  /** What the next generation to start reads (an absolute path: every generation finds the same file). */
  setKnobs(knobs: Record<string, unknown>): void {
    writeFileSync(this.knobFile, JSON.stringify(knobs));
  }

  /** A path in the private directory, e.g. for the holdUntil knob. */
  path(name: string): string {
    return join(this.ctx.supervisor.dir, name);
  }

  /** Starts generation 1 with `knobs`; resolves once it listens. */
  async start(knobs: Record<string, unknown> = {}): Promise<ServerReport> {
    if (!this.ctx.supervisor.puppet(this.options.shell)) await this.ctx.start(this.options.shell);
    this.setKnobs(knobs);
    const listening = await launchServer(this.ctx, {
      launcher: this.options.shell,
      name: 'gen1',
      moduleUrl: this.options.moduleUrl,
      env: { KNOB_FILE: this.knobFile },
      reports: this.reports,
    });
    this.port = Number(listening.port);
    await this.waitForEvent('gen1', 'ready');
    return listening;
  }

  /**
   * A process's name in logs and tables: its label knob when it has one, else gen<generation>. The module
   * numbers a successor after its parent, so a retry after a failed successor has the same generation:
   * give the failing one a label.
   */
  nameOf(report: ServerReport): string {
    return typeof report.label === 'string' ? report.label : `gen${String(report.generation)}`;
  }

  /** A predicate for reports of the process named `name`, of one event (and log text matching `text`). */
  of(name: string, event?: string, text?: RegExp): (report: ServerReport) => boolean {
    return (r) => this.nameOf(r) === name && (event === undefined || r.event === event) && (text === undefined || text.test(String(r.text ?? '')));
  }

  /** The pid of the process named `name`, once it has reported. */
  pidOf(name: string): number | undefined {
    return this.find(this.of(name))?.pid;
  }

  /** Like pidOf, for a process that must exist. */
  pid(name: string): number {
    const pid = this.pidOf(name);
    if (pid === undefined) throw new LessonActionError({ en: `${name} has not started`, zh: `${name} 还没有启动` });
    return pid;
  }

  /** The shell sends `signal` to the process named `name`: kill(2), logged as the shell's call. */
  async signal(name: string, signal: NodeJS.Signals): Promise<void> {
    await this.ctx.call(this.options.shell, { op: 'kill', pid: this.pid(name), signal });
  }

  /** Index of the next report: pass it to waitFor/find to look only at what comes after now. */
  mark(): number {
    this.reports.read();
    return this.reports.reports.length;
  }

  find(predicate: (report: ServerReport) => boolean, from = 0): ServerReport | undefined {
    this.reports.read();
    return this.reports.reports.slice(from).find(predicate);
  }

  /** Waits for a report (logging everything up to it); throws with `what` when none comes in time. */
  async waitFor(predicate: (report: ServerReport) => boolean, what: string | Text, from = 0, timeoutMs = 15_000): Promise<ServerReport> {
    const report = await this.ctx.until(() => {
      this.pump();
      return this.find(predicate, from);
    }, timeoutMs);
    if (!report) throw new LessonActionError(waitedInVain(what, timeoutMs));
    return report;
  }

  /** Waits for an event of the process named `name` (and a log line matching `text`). */
  waitForEvent(name: string, event: string, text?: RegExp, from = 0, timeoutMs?: number): Promise<ServerReport> {
    return this.waitFor(this.of(name, event, text), `${name}: ${text?.source ?? event}`, from, timeoutMs);
  }

  /** Waits for a log line of the process named `name` matching `text`. */
  waitForLog(name: string, text: RegExp, from = 0, timeoutMs?: number): Promise<ServerReport> {
    return this.waitForEvent(name, 'log', text, from, timeoutMs);
  }

  /**
   * Sends `signal` to `from` and waits until its successor `to` has started and is holding in its warm-up
   * (the server's holdUntil knob; it reports `holding`). Until release() is called, `from` keeps serving and
   * `to` holds the listener without serving: the moment to start a load, a slow request, or to look at both.
   * release() ends the warm-up and resolves once `to` is ready.
   */
  async beginUpgrade(from: string, to: string, knobs: Record<string, unknown> = {}, signal: NodeJS.Signals = 'SIGUSR2'): Promise<{ mark: number; release: () => Promise<ServerReport> }> {
    const gate = this.path(`${this.prefix}-${to}-may-start`);
    this.setKnobs({ ...knobs, holdUntil: gate });
    const mark = this.mark();
    await this.signal(from, signal);
    await this.waitForEvent(to, 'holding', undefined, mark);
    return {
      mark,
      release: async () => {
        writeFileSync(gate, '');
        return this.waitForEvent(to, 'ready', undefined, mark);
      },
    };
  }

  /** Waits until the process has exited (a zombie counts as gone). */
  async waitGone(pid: number, timeoutMs = 15_000): Promise<void> {
    if (!(await this.ctx.until(() => !isAlive(pid), timeoutMs))) throw new LessonActionError({ en: `pid ${pid} is still running after ${timeoutMs} ms`, zh: `${timeoutMs} 毫秒后 pid ${pid} 仍在运行` });
    this.pump();
  }
}

export interface Answer {
  /** The pid that answered (x-pid), or null when the request failed. */
  pid: number | null;
  /** The error code when it failed (ECONNRESET, ECONNREFUSED, ...), or 'timeout'. */
  error: string | null;
  ms: number;
}

/** One GET on a fresh connection to 127.0.0.1:port; never rejects. */
export function askOnce(port: number, path = '/', timeoutMs = 5000): Promise<Answer> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const done = (pid: number | null, error: string | null) => resolve({ pid, error, ms: Date.now() - startedAt });
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      response.resume();
      response.on('end', () => done(Number(response.headers['x-pid']) || null, response.complete ? null : 'ECONNRESET'));
      response.on('error', (error: NodeJS.ErrnoException) => done(null, error.code ?? error.message));
    });
    request.setTimeout(timeoutMs, () => {
      done(null, 'timeout');
      request.destroy();
    });
    request.on('error', (error: NodeJS.ErrnoException) => done(null, error.code ?? error.message));
  });
}

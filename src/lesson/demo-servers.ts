// Demo servers that are programs of their own rather than puppets: a lesson's HTTP servers, and the
// successors a hot-restart module starts for them. A puppet starts each one with its spawn op, so it is a
// real child, runs in the run's private directory with stdout and stderr on /dev/null, and inherits the
// run marker: the supervisor's cleanup ends every generation, re-parented successors included.
// The servers tell the lesson what they do by appending JSON lines to a report file in that directory
// (pid, port, listening fd, their log lines); this module reads the file, logs it, and waits on it.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nodeCommand } from '../demo/entry.js';
import { LessonActionError, type LessonContext, type Text } from './types.js';

export interface ServerReport {
  event: string;
  pid: number;
  /** Date.now() in the server when it wrote the line. */
  at: number;
  [field: string]: unknown;
}

/** The command for the spawn op: this Node, and tsx when the module is TypeScript (from source), so the
 *  same lesson runs from lessons/ and from dist/. */
export function serverCommand(moduleUrl: string): string[] {
  const { file, args } = nodeCommand(moduleUrl);
  return [file, ...args];
}

/** The command that runs the restart package's hotrestart-run: from the package's sources when the tutor
 *  runs from sources (through tsx), else the package's own bin (dist/esm/run.js). */
export function hotrestartRunCommand(): string[] {
  if (import.meta.url.endsWith('.ts')) return serverCommand(new URL('../../packages/restart/src/run.ts', import.meta.url).href);
  const packageDir = dirname(createRequire(import.meta.url).resolve('@hotrestart-tutor/restart/package.json'));
  const bin = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['hotrestart-run'];
  return [process.execPath, join(packageDir, bin)];
}

/** A report file, read incrementally. `name` is relative to the run's private directory (the servers' cwd). */
export class ReportFile {
  readonly reports: ServerReport[] = [];
  private offset = 0;
  private partial = '';

  constructor(readonly name: string, private readonly dir: string) {}

  /** Reads what was appended since the last read; returns the new reports. */
  read(): ServerReport[] {
    let fd: number;
    try {
      fd = openSync(join(this.dir, this.name), 'r');
    } catch {
      return []; // nothing written yet
    }
    const chunks: Buffer[] = [];
    try {
      const buffer = Buffer.alloc(65536);
      let n;
      while ((n = readSync(fd, buffer, 0, buffer.length, this.offset)) > 0) {
        chunks.push(Buffer.from(buffer.subarray(0, n)));
        this.offset += n;
      }
    } finally {
      closeSync(fd);
    }
    const lines = (this.partial + Buffer.concat(chunks).toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    const fresh = lines.flatMap((line) => {
      try {
        return line.startsWith('{') ? [JSON.parse(line) as ServerReport] : [];
      } catch {
        return []; // not a report: a server must not be able to break the tutor with a bad line
      }
    });
    this.reports.push(...fresh);
    return fresh;
  }

  find(predicate: (report: ServerReport) => boolean): ServerReport | undefined {
    this.read();
    return this.reports.find(predicate);
  }
}

export interface FollowOptions {
  /** What to log for a report (undefined: nothing). */
  describe: (report: ServerReport) => Text | string | undefined;
  /** A name for a pid the lesson has not named yet (a successor the module started), or undefined. */
  nameOf?: (report: ServerReport) => string | undefined;
}

/**
 * Logs new reports as they arrive (every 50 ms, until the lesson ends), each under its process's name.
 * Returns a function that does it at once, for a step that wants its log complete before it checks.
 */
export function followReports(ctx: LessonContext, file: ReportFile, { describe, nameOf }: FollowOptions): () => void {
  let logged = 0;
  const pump = () => {
    file.read();
    // By index, not by what read() returned: a waiter may have read the file first.
    for (const report of file.reports.slice(logged)) {
      logged++;
      const names = ctx.names();
      if (!names.has(report.pid)) {
        const name = nameOf?.(report);
        if (name) ctx.name(report.pid, name);
      }
      const text = describe(report);
      if (text !== undefined) ctx.log(text, report.event === 'error' ? 'error' : 'event', ctx.names().get(report.pid) ?? `pid ${report.pid}`);
    }
  };
  const timer = setInterval(pump, 50);
  timer.unref();
  ctx.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  return pump;
}

export interface LaunchOptions {
  /** The puppet that starts the server (it plays the service manager). */
  launcher: string;
  /** The name the server gets in logs and tables. */
  name: string;
  moduleUrl: string;
  env?: Record<string, string>;
  reports: ReportFile;
  timeoutMs?: number;
}

/** Starts a server through the launcher's spawn op and waits for its `listening` report. */
export async function launchServer(ctx: LessonContext, options: LaunchOptions): Promise<ServerReport> {
  const { launcher, name, moduleUrl, env = {}, reports, timeoutMs = 15_000 } = options;
  const reply = await ctx.call(launcher, { op: 'spawn', name, command: serverCommand(moduleUrl), env: { ...env, REPORT_FILE: reports.name } });
  const pid = reply.result.pid as number;
  ctx.name(pid, name);
  const report = await ctx.until(() => reports.find((r) => r.pid === pid && (r.event === 'listening' || r.event === 'error')), timeoutMs);
  if (!report) throw new LessonActionError({ en: `${name} (pid ${pid}) did not start listening within ${timeoutMs} ms`, zh: `${name}（pid ${pid}）在 ${timeoutMs} 毫秒内没有开始监听` });
  if (report.event === 'error') throw new LessonActionError({ en: `${name} (pid ${pid}) failed: ${String(report.text)}`, zh: `${name}（pid ${pid}）失败了：${String(report.text)}` });
  return report;
}

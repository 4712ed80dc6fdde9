// A program a lesson runs as one more process (a Go server, a Node script, a C demo): it writes its events
// to a log file in the run's private directory, one line each, `<unix ms> <what>`; the lesson waits for
// lines, logs them as they come (without the time), and orders events by their times. The program is
// started by a launcher puppet, so the tutor's clean-up covers it.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LessonActionError, type LessonContext } from './types.js';

/** Starts the puppet `name` unless this run already has one by that name. */
export async function startOnce(ctx: LessonContext, name: string): Promise<void> {
  if (![...ctx.names().values()].includes(name)) await ctx.start(name);
}

export class ProgramLog {
  /** Lines already shown in the lesson's log. */
  private logged = 0;

  /** `file` in the run's directory; `source` names the program in the lesson's log. */
  constructor(
    private readonly ctx: LessonContext,
    readonly file: string,
    private readonly source: string,
  ) {}

  /** A log to be written from scratch: a file left by an earlier run of the step is removed. */
  static fresh(ctx: LessonContext, file: string, source: string): ProgramLog {
    const log = new ProgramLog(ctx, file, source);
    rmSync(log.path, { force: true });
    return log;
  }

  get path(): string {
    return join(this.ctx.supervisor.dir, this.file);
  }

  /** The lines so far, each as [unix ms, text]. */
  entries(): Array<[number, string]> {
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [, at, rest] = /^(\d+) (.*)$/.exec(line) ?? [, '0', line];
        return [Number(at), rest ?? line];
      });
  }

  /** The time (unix ms) of the first line matching `pattern`, or undefined. */
  at(pattern: RegExp): number | undefined {
    return this.entries().find(([, text]) => pattern.test(text))?.[0];
  }

  /** Waits for a line matching `pattern`; logs the lines not logged yet; returns the line. */
  async wait(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const found = await this.ctx.until(() => this.entries().find(([, text]) => pattern.test(text))?.[1], timeoutMs, 10);
    const entries = this.entries();
    for (const [, text] of entries.slice(this.logged)) this.ctx.log(text, 'event', this.source);
    this.logged = entries.length;
    if (!found) throw new LessonActionError({ en: `${this.source} did not log ${pattern} within ${timeoutMs} ms`, zh: `${this.source} 在 ${timeoutMs} 毫秒内没有输出 ${pattern}` });
    return found;
  }
}

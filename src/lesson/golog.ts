// What the lessons that run a real Go program share: the program writes its progress to a log file in the
// run's private directory; the lesson waits for a line there and logs the new lines as events; its checks
// are skipped, saying why, on a machine without Go.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FdRow } from '../fdtable/model.js';
import { buildGo, NO_GO } from './gobuild.js';
import { LessonActionError, type CheckResult, type Expectation, type LessonContext } from './types.js';

/** The part of a lesson's variables these helpers keep. */
export interface GoRunVars {
  /** No go on PATH: the steps show the code and skip their checks. */
  noGo: boolean;
  /** Lines of the program's log already logged. */
  goLogged: number;
}

/** The program's log so far ('' before it exists). */
export function logText(ctx: LessonContext, file: string): string {
  try {
    return readFileSync(join(ctx.supervisor.dir, file), 'utf8');
  } catch {
    return '';
  }
}

/** Waits for a line of the log; logs the lines not logged yet; returns the match. */
export async function waitLogLine<V extends GoRunVars>(ctx: LessonContext<V>, file: string, pattern: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
  const found = await ctx.until(() => pattern.exec(logText(ctx, file)) ?? undefined, timeoutMs, 20);
  const lines = logText(ctx, file).trim().split('\n').filter(Boolean);
  for (const line of lines.slice(ctx.vars.goLogged ?? 0)) ctx.log(line, 'event', file);
  ctx.vars.goLogged = lines.length;
  if (!found) throw new LessonActionError({ en: `the Go program did not log ${pattern} in ${file} within ${timeoutMs} ms`, zh: `Go 程序在 ${timeoutMs} 毫秒内没有在 ${file} 中记下 ${pattern}` });
  return found;
}

/** A check that needs the Go program: skipped, saying why, on a machine without Go. */
export function withGo<V extends Pick<GoRunVars, 'noGo'>>(text: Expectation<V>['text'], check: (ctx: LessonContext<V>) => CheckResult): Expectation<V> {
  return { text, check: (ctx) => (ctx.vars.noGo ? { ok: false, skipped: true, detail: ctx.t({ en: 'no go on PATH', zh: 'PATH 上没有 go' }) } : check(ctx)) };
}

/** `fd 7: rw,nonblock · cloexec`, or '-' for a missing row. */
export const fdFlagsText = (row: FdRow | undefined) =>
  row ? `fd ${row.fd}: ${[row.access, row.nonblock ? 'nonblock' : ''].filter(Boolean).join(',')}${row.cloexec ? ' · cloexec' : ''}` : '-';

/** Builds the lesson's Go program (lessons/assets/code/<file>, cached); without go it notes that in the
 *  run (the checks are then skipped), says so in one line, and answers undefined. */
export async function buildOrSayNoGo<V extends Pick<GoRunVars, 'noGo'>>(ctx: LessonContext<V>, file: string): Promise<string | undefined> {
  const binary = await buildGo(file, ctx);
  if (!binary) {
    ctx.vars.noGo = true;
    ctx.log(NO_GO, 'error');
  }
  return binary;
}

// Who answers on a port: a short, bounded burst of HTTP requests (src/lesson/load.ts) tallied by the
// X-Puppet header every puppet's HTTP server sends ("<name> <pid>"). The responses themselves say which
// process accepted the connections, so a lesson can check "served by the child" without trusting its
// own script.
import { startLoad, type LoadStats } from './load.js';
import type { CheckResult, LessonContext } from './types.js';

export interface Answers {
  port: number;
  stats: LoadStats;
  /** ok responses by the pid named in X-Puppet. */
  byPid: Map<number, number>;
}

/** `requests` HTTP requests to 127.0.0.1:port, two at a time; ends by itself within 5 s. Logs one line. */
export async function askPort(ctx: LessonContext, port: number, requests = 20): Promise<Answers> {
  const load = startLoad({ port, maxRequests: requests, maxDurationMs: 5000, concurrency: 2, pauseMs: 0, countHeader: 'X-Puppet', signal: ctx.signal });
  const stats = await load.done;
  const byPid = new Map<number, number>();
  for (const [tag, count] of Object.entries(stats.byHeader)) {
    const pid = Number(tag.split(' ').pop());
    byPid.set(pid, (byPid.get(pid) ?? 0) + count);
  }
  const failed = stats.sent - stats.ok;
  ctx.log({
    en: `${stats.sent} HTTP requests to 127.0.0.1:${port}: ${stats.ok} answered${failed ? `, ${failed} failed` : ''}; X-Puppet: ${whoText(ctx, byPid)}`,
    zh: `向 127.0.0.1:${port} 发出 ${stats.sent} 个 HTTP 请求：${stats.ok} 个得到响应${failed ? `，${failed} 个失败` : ''}；X-Puppet：${whoText(ctx, byPid)}`,
  });
  return { port, stats, byPid };
}

/** `alpha-child (pid 4242) ×20, ...`: who answered, by the names the lesson gave its processes. */
function whoText(ctx: LessonContext, byPid: Map<number, number>): string {
  if (byPid.size === 0) return '-';
  const names = ctx.names();
  return [...byPid].map(([pid, count]) => `${names.get(pid) ?? '?'} (pid ${pid}) ×${count}`).join(', ');
}

/** Every request answered, and every answer from `pid`. */
export function answeredOnlyBy(answers: Answers | undefined, pid: number): CheckResult {
  if (!answers) return { ok: false, detail: 'no requests made' };
  const { stats, byPid } = answers;
  const tally = [...byPid].map(([who, count]) => `pid ${who}: ${count}`).join(', ') || 'none';
  const ok = stats.sent > 0 && stats.ok === stats.sent && byPid.size === 1 && byPid.get(pid) === stats.ok;
  return { ok, detail: `${stats.ok}/${stats.sent} ok; ${tally}` };
}

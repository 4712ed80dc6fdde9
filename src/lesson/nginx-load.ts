// The loopback load lessons 14 and 15 run while they signal nginx: one connection per request, a few
// clients, bounded in count and time (src/lesson/load.ts). Answers are tallied by the x-pid header nginx
// adds ($pid: the worker that answered), so a check can say which processes served, and that none failed.
import type { Nginx } from './nginx.js';
import { formatLoadStats, LOST_AFTER_MS, startLoad, type Load, type LoadStats } from './load.js';
import type { LessonContext } from './types.js';

export function startNginxLoad(ctx: LessonContext, port: number): Load {
  return startLoad({
    port,
    concurrency: 3,
    pauseMs: 5,
    requestTimeoutMs: LOST_AFTER_MS,
    maxRequests: 20_000,
    maxDurationMs: 20_000,
    tickMs: 500,
    countHeader: 'x-pid',
    signal: ctx.signal,
  });
}

/** Waits until the load has `more` answers beyond those it had (3 s at most). */
export async function moreAnswers(ctx: LessonContext, load: Load, more = 20): Promise<void> {
  const target = load.stats().ok + more;
  await ctx.until(() => load.stats().ok >= target, 3000, 10);
}

/** Runs `action` under the load (some answers before and after it), then stops the load and logs its counts. */
export async function underLoad(ctx: LessonContext, nginx: Nginx, action: (load: Load) => Promise<void>): Promise<LoadStats> {
  const load = startNginxLoad(ctx, nginx.port);
  try {
    await moreAnswers(ctx, load);
    await action(load);
    await moreAnswers(ctx, load);
  } finally {
    await load.stop();
  }
  const stats = await load.done;
  ctx.log(`${formatLoadStats(stats, ctx.lang)} — ${answeredBy(nginx, stats)}`, 'event', 'load');
  return stats;
}

/** `worker1.1: 40, worker2.1: 31`: answers by the name of the process that gave them. */
export function answeredBy(nginx: Nginx, stats: LoadStats): string {
  return Object.entries(stats.byHeader).map(([pid, n]) => `${nginx.nameOf(Number(pid))}: ${n}`).join(', ');
}

/** How many answers came from these pids. */
export function answersFrom(stats: LoadStats | undefined, pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (stats?.byHeader[String(pid)] ?? 0), 0);
}

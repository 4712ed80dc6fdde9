// What the lessons on nginx (14, 15) check with: the lesson's nginx, or why a check cannot run; and
// whether a set of processes (masters and workers, which are not puppets and are named by pid) hold one
// listening socket at the same fd.
import { findNginx, Nginx, noNginx } from './nginx.js';
import type { CheckResult, LessonContext } from './types.js';

/** The lesson's nginx; a skipped outcome when neither nginx nor the stand-in is here, a failed one before it started. */
export function nginxOf(ctx: LessonContext<{ nginx: Nginx }>): Nginx | CheckResult {
  if (!findNginx()) return noNginx(ctx);
  return ctx.vars.nginx ?? { ok: false, detail: ctx.t({ en: 'nginx was not started', zh: 'nginx 没有启动' }) };
}

/** A check about the running nginx: skipped without nginx, failed before it started. */
export function withNginx<V extends { nginx: Nginx }, R extends CheckResult | Promise<CheckResult>>(check: (ctx: LessonContext<V>, nginx: Nginx) => R): (ctx: LessonContext<V>) => R | CheckResult {
  return (ctx) => {
    const nginx = nginxOf(ctx);
    return nginx instanceof Nginx ? check(ctx, nginx) : nginx;
  };
}

/** True when every pid holds a LISTEN socket at fd, all of them one open file description (one DESC
 *  letter in the lesson's own snapshot, the letters the table on screen shows) and one inode. */
export function sharedListener(ctx: LessonContext, pids: Array<number | undefined>, fd: number): CheckResult {
  if (pids.length === 0 || pids.some((pid) => pid === undefined)) return { ok: false, detail: 'process not started' };
  const rows = ctx.snapshot().rows;
  const found = pids.map((pid) => rows.find((row) => row.pid === pid && row.fd === fd));
  const names = ctx.names();
  const where = pids.map((pid, i) => `${names.get(pid!) ?? pid}:${fd}${found[i] ? ` ${found[i]!.description}` : ' (not open)'}`).join(' ');
  const letters = new Set(found.map((row) => row?.description));
  const inodes = new Set(found.map((row) => row?.inode));
  const ok = found.every((row) => row?.socket?.state === 'LISTEN' && row.description !== '?') && letters.size === 1 && inodes.size === 1;
  return { ok, detail: `${where} → inode ${[...inodes].join(' ')}` };
}

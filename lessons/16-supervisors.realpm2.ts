// Lesson 16, the real pm2: the step after the pm2 stand-in's runs the same app under the real pm2 7 where
// one is installed (16-supervisors.realpm2.kit.ts finds it and keeps it in a home of its own), and checks
// the stand-in's account on it, from what pm2 says (pm2 jlist, its logs) and what the kernel says (who
// holds the listening socket). Without pm2 it is skipped with ○ and one line saying how to get it.
import { isAlive } from '../src/demo/marker.js';
import { snapshot } from '../src/fdtable/index.js';
import { parentOf } from '../src/lesson/procview.js';
import { LessonActionError, type CheckResult, type LessonContext, type Step, type Text } from '../src/lesson/types.js';
import { answeredBy, getOnce, loadText, probeFreePort, startUnitLoad } from './16-supervisors.kit.js';
import { addrInUse, APP, exitCodes, Pm2Home, realPm2, starts, type Pm2App } from './16-supervisors.realpm2.kit.js';
import { isListener, isTcp, keepStats, type UnitVars } from './16-supervisors.units.js';

/** What the real pm2 showed, read while it ran. */
export interface RealPm2Seen {
  label: string;
  port: number;
  daemon: number;
  first: number;
  successor: number;
  /** pm2 jlist once restart_time reached 2. */
  app: Pm2App;
  /** Exit codes in pm2's log, and the EADDRINUSE errors in the app's error log, at that moment. */
  exits: number[];
  addrInUse: number;
  /** From the kernel at that moment: the LISTEN rows of the pid pm2 tracks, and who holds 127.0.0.1:port. */
  trackedListeners: number;
  holders: number[];
  /** The successor's parent then (not pm2's daemon: the successor's own parent, app-1, exited). */
  successorParent: number | undefined;
  /** After `pm2 delete app` and `pm2 kill`: one GET /. */
  afterKill: { pid: number } | { error: string };
}

export interface RealPm2Vars extends UnitVars {
  /** Why the real pm2 is not run here; undefined when it ran. */
  noPm2: string;
  realPm2: RealPm2Seen;
}

/** Polls `probe` every 100 ms until it holds, or throws with `what` after timeoutMs. */
async function waitUntil(ctx: LessonContext, probe: () => boolean | Promise<boolean>, timeoutMs: number, what: Text): Promise<void> {
  if (!(await ctx.until(probe, timeoutMs, 100))) throw new LessonActionError({ en: `real pm2: no sign of ${what.en} within ${timeoutMs / 1000} s`, zh: `真正的 pm2：${timeoutMs / 1000} 秒内没有等到：${what.zh}` });
}

/** Pids whose LISTEN socket is 127.0.0.1:port, from the fd tables of every process of the run. */
function holdersOf(ctx: LessonContext, port: number): number[] {
  return [...new Set(snapshot(ctx.supervisor.pids()).rows.filter((row) => isListener(row) && row.name.startsWith(`127.0.0.1:${port} `)).map((row) => row.pid))];
}

/** `app-2 (pid 1234)` for each pid, or `-`. */
const named = (ctx: LessonContext, pids: number[]) => pids.map((pid) => ctx.t({ en: `${ctx.names().get(pid) ?? '?'} (pid ${pid})`, zh: `${ctx.names().get(pid) ?? '?'}（pid ${pid}）` })).join(', ') || '-';

/** Logs the daemon's new log lines about the app as pm2 wrote them, with their time of day (how long a
 *  copy lived shows there), not its start-up banner; returns the whole log as read. */
function follow(ctx: LessonContext, pm2: Pm2Home): () => string[] {
  let logged = 0;
  return () => {
    const lines = pm2.daemonLog();
    for (const line of lines.slice(logged)) {
      const match = /^\S*T(\d\d:\d\d:\d\d)\S* PM2 log: (.*)$/.exec(line);
      if (match && /^(App \[|Stopping |pid=\d+ |PM2 successfully stopped)/.test(match[2])) ctx.log(`${match[1]} ${match[2]}`, 'event', 'pm2.log');
    }
    logged = lines.length;
    return lines;
  };
}

/** Starts the app under pm2 and waits until it listens; names pm2's daemon and the app. */
async function startApp(ctx: LessonContext, pm2: Pm2Home, port: number): Promise<{ daemon: number; first: number }> {
  await pm2.start(port);
  const daemon = pm2.daemon;
  ctx.name(daemon, 'pm2-daemon');
  let first = 0;
  await waitUntil(ctx, async () => ((first = (await pm2.app(true))?.pid ?? 0), first > 0 && holdersOf(ctx, port).includes(first)), 10_000, { en: 'the app listening', zh: '应用在监听' });
  ctx.name(first, 'app-1');
  return { daemon, first };
}

type Restarted = Pick<RealPm2Seen, 'successor' | 'app' | 'exits' | 'addrInUse' | 'trackedListeners' | 'holders' | 'successorParent'>;

/** Under a load, `pm2 sendSignal SIGUSR2 app`; once pm2 has restarted the app twice, what pm2 and the
 *  kernel say. The load's counters are kept however it ends. */
async function restartUnderLoad(ctx: LessonContext<RealPm2Vars>, pm2: Pm2Home, port: number, first: number, pump: () => string[]): Promise<Restarted> {
  const load = startUnitLoad(ctx, port);
  try {
    await ctx.until(() => load.stats().ok >= 20, 3000);
    await pm2.run(['sendSignal', 'SIGUSR2', APP]);
    let successor = 0;
    await waitUntil(ctx, () => ((successor = holdersOf(ctx, port).find((pid) => pid !== first) ?? 0), successor > 0), 10_000, { en: 'a successor listening', zh: '后继进程在监听' });
    ctx.name(successor, 'app-2');
    // ↺ 1 follows app-1's exit, ↺ 2 the exit of the first copy pm2 started (pm2-io lets it go ~3 s later).
    await waitUntil(ctx, () => starts(pump()) >= 3, 12_000, { en: 'a second restart in pm2.log', zh: 'pm2.log 中的第二次重启' });
    let app: Pm2App | undefined;
    await waitUntil(ctx, async () => ((app = await pm2.app(true)), app?.status === 'online' && app.restartTime >= 2), 5000, { en: 'restart_time 2 and status online in pm2 jlist', zh: 'pm2 jlist 中的 restart_time 2 和 status online' });
    const seen = app!;
    ctx.name(seen.pid, 'app-tracked');
    const trackedListeners = snapshot([seen.pid]).rows.filter(isListener).length;
    const holders = holdersOf(ctx, port);
    const errors = addrInUse(pm2.errorLog());
    if (errors[0]) ctx.log(errors[0], 'error', `${APP}-error.log`);
    ctx.log('pm2 jlist', 'syscall', 'pm2');
    ctx.log(`pm2 jlist: status ${seen.status}, pid ${seen.pid}, restart_time ${seen.restartTime}, unstable_restarts ${seen.unstableRestarts}`, 'event', 'pm2');
    ctx.log({
      en: `kernel: 127.0.0.1:${port} LISTEN held by ${named(ctx, holders)}; pm2's pid ${seen.pid} (app-tracked) holds ${trackedListeners} listening socket${trackedListeners === 1 ? '' : 's'}`,
      zh: `内核：127.0.0.1:${port} 的监听 socket 由 ${named(ctx, holders)} 持有；pm2 跟踪的 pid ${seen.pid}（app-tracked）持有 ${trackedListeners} 个监听 socket`,
    });
    return { successor, app: seen, exits: exitCodes(pm2.daemonLog()), addrInUse: errors.length, trackedListeners, holders, successorParent: parentOf(successor) };
  } finally {
    keepStats(ctx, 'pm2real', await load.stop());
    ctx.log({ en: `real pm2: ${loadText(ctx, ctx.vars.stats.pm2real)}`, zh: `真正的 pm2：${loadText(ctx, ctx.vars.stats.pm2real)}` });
  }
}

async function play(ctx: LessonContext<RealPm2Vars>, pm2: Pm2Home, label: string): Promise<RealPm2Seen> {
  const port = await probeFreePort();
  const pump = follow(ctx, pm2);
  const { daemon, first } = await startApp(ctx, pm2, port);
  pump();
  const restarted = await restartUnderLoad(ctx, pm2, port, first, pump);
  await pm2.run(['delete', APP]);
  await pm2.kill();
  pump();
  // A SIGKILL to the daemon's group (after `pm2 kill`) takes effect when the kernel next runs it.
  await ctx.until(() => !isAlive(daemon), 3000, 10);
  const afterKill = await getOnce(port, 3000);
  ctx.log({
    en: `after pm2 kill: GET / answered by ${'pid' in afterKill ? `pid ${afterKill.pid}` : afterKill.error}`,
    zh: `pm2 kill 之后：GET / 由 ${'pid' in afterKill ? `pid ${afterKill.pid}` : afterKill.error} 应答`,
  });
  return { label, port, daemon, first, ...restarted, afterKill };
}

/** A check on what the real pm2 showed: ○ with the reason where it did not run. */
function withPm2(check: (seen: RealPm2Seen | undefined, ctx: LessonContext<RealPm2Vars>) => CheckResult) {
  return (ctx: LessonContext<RealPm2Vars>): CheckResult => (ctx.vars.noPm2 ? { ok: false, skipped: true, detail: ctx.vars.noPm2 } : check(ctx.vars.realPm2, ctx));
}

export const realPm2Step: Step<RealPm2Vars> = {
  id: 'real-pm2',
  title: { en: 'The same, under the real pm2 (where installed)', zh: '同样的事，在真正的 pm2 下（如果装了）' },
  text: {
    en: "Where pm2 is installed (on PATH or in node_modules/.bin, or named by HOTRESTART_TUTOR_PM2), this step runs the real pm2 7 and confirms the stand-in's account above on it. It runs in a home of its own, a 0700 directory in the run's private directory set as PM2_HOME: your own pm2 (~/.pm2) is never touched. The app is the same, lesson 13's handover server in fork mode on a fixed 127.0.0.1 port, under a loopback load.\n\n`pm2 sendSignal SIGUSR2 app` hands over to app-2; app-1 exits with code 0; pm2 starts the app again, and each copy's bind meets app-2's socket: EADDRINUSE, in the app's error log that pm2 keeps. The copy idles until pm2-io lets it exit, code 0, some 3 s later, and pm2 starts another. (pm2's log says \"via signal [SIGINT]\" even so: its text when no signal ended the process.) The checks read what pm2 says (`pm2 jlist`: status, pid, restart_time, unstable_restarts; its log) and what the kernel says: who holds the listening socket.\n\nLast, `pm2 delete app` and `pm2 kill`: pm2 and the copy it tracked are gone, and app-2, the successor, still answers, unmanaged, until the tutor ends it with the lesson, by its run marker. Without pm2 the step is skipped (○); `npm install -g pm2` installs it.",
    zh: '如果装了 pm2（在 PATH 上或 node_modules/.bin 里，或由 HOTRESTART_TUTOR_PM2 指定），这一步运行真正的 pm2 7，在它身上验证上面替身所讲的一切。它有自己的主目录：运行私有目录里的一个 0700 目录，设为 PM2_HOME，你自己的 pm2（~/.pm2）绝不会被碰到。应用还是同一个：第 13 课的交接服务，以 fork 模式运行在一个固定的 127.0.0.1 端口上，承受回环负载。\n\n`pm2 sendSignal SIGUSR2 app` 把服务交接给 app-2；app-1 以退出码 0 退出；pm2 重新启动应用，每个副本的 bind 都撞上 app-2 的 socket：EADDRINUSE，写在 pm2 为应用保存的错误日志里。副本一直闲着，大约 3 秒后 pm2-io 才让它退出（退出码 0），然后 pm2 再启动一个。（pm2 的日志照样写着「via signal [SIGINT]」：这是没有信号结束进程时它的默认文字。）检查读取的是 pm2 自己的说法（`pm2 jlist`：status、pid、restart_time、unstable_restarts；以及它的日志）和内核的说法：谁持有监听 socket。\n\n最后执行 `pm2 delete app` 和 `pm2 kill`：pm2 和它跟踪的副本都不在了，而后继进程 app-2 仍在应答，无人管理，直到课程结束时教程凭运行标记结束它。没有 pm2 时这一步会被跳过（○）；`npm install -g pm2` 即可安装。',
  },
  code: {
    other: {
      label: 'shell',
      code: "export PM2_HOME=\"$(mktemp -d)\"   # a home of its own, never ~/.pm2\npm2 start app.json   # { \"apps\": [{ \"name\": \"app\", \"script\": \"server.js\", \"env\": { \"PORT\": \"8080\" } }] }\npm2 sendSignal SIGUSR2 app\npm2 jlist            # status, pid, restart_time, unstable_restarts\npm2 delete app && pm2 kill",
    },
  },
  async run(ctx) {
    const found = realPm2();
    if ('skipped' in found) {
      ctx.vars.noPm2 = ctx.t(found.reason);
      ctx.log({ en: `skipped: ${found.skipped.en}`, zh: `跳过：${found.skipped.zh}` });
      return;
    }
    ctx.log({ en: `This runs the real pm2 ${found.version} (${found.pm2}).`, zh: `这里运行的是真正的 pm2 ${found.version}（${found.pm2}）。` });
    const pm2 = new Pm2Home(ctx, found.pm2);
    ctx.log(`PM2_HOME=${pm2.home}`, 'event', 'pm2');
    try {
      ctx.vars.realPm2 = await play(ctx, pm2, `pm2 ${found.version}`);
    } finally {
      await pm2.kill();
    }
  },
  show: { processes: ['pm2-daemon', 'app-1', 'app-tracked', 'app-2'], focus: isListener, only: isTcp },
  expect: [
    {
      text: { en: 'pm2 jlist: the app is online, with unstable_restarts 0', zh: 'pm2 jlist：应用状态 online，unstable_restarts 为 0' },
      check: withPm2((seen) => ({ ok: seen?.app.status === 'online' && seen.app.unstableRestarts === 0, detail: seen ? `${seen.label}: status ${seen.app.status}, unstable_restarts ${seen.app.unstableRestarts}` : 'pm2 did not run' })),
    },
    {
      text: { en: 'restart_time ≥ 2: each copy failed with EADDRINUSE and exited 0', zh: 'restart_time ≥ 2：每个副本都以 EADDRINUSE 失败，退出码 0' },
      check: withPm2((seen) => {
        // Exit 1 is app-1's (after its handover); each later one is a copy's, which printed EADDRINUSE first.
        const copies = Math.max(0, (seen?.exits.length ?? 0) - 1);
        const ok = !!seen && seen.app.restartTime >= 2 && copies >= 1 && seen.exits.every((code) => code === 0) && seen.addrInUse >= copies;
        return { ok, detail: seen ? `restart_time ${seen.app.restartTime}; pm2.log: exit codes ${seen.exits.join(', ') || '-'}; ${seen.addrInUse} EADDRINUSE in ${APP}-error.log` : 'pm2 did not run' };
      }),
    },
    {
      text: { en: 'the pid pm2 tracks holds no listening socket', zh: 'pm2 跟踪的 pid 没有持有任何监听 socket' },
      check: withPm2((seen) => {
        const ok = !!seen && seen.app.pid > 0 && seen.app.pid !== seen.successor && seen.trackedListeners === 0 && !seen.holders.includes(seen.app.pid);
        return { ok, detail: seen ? `pm2 pid ${seen.app.pid}: ${seen.trackedListeners} LISTEN` : 'pm2 did not run' };
      }),
    },
    {
      text: { en: "app-2, not pm2's child, holds the listener and answered the load", zh: 'app-2 不是 pm2 的子进程，它持有监听 socket 并应答了负载' },
      check: withPm2((seen, ctx) => {
        const stats = ctx.vars.stats?.pm2real;
        const ok = !!seen && seen.holders.length === 1 && seen.holders[0] === seen.successor && seen.successorParent !== seen.daemon && seen.successorParent !== seen.first && answeredBy(stats, seen.successor) > 0 && answeredBy(stats, seen.app.pid) === 0;
        return { ok, detail: seen ? `LISTEN: pid ${seen.holders.join(' ') || '-'}; app-2 ${seen.successor}, PPid ${seen.successorParent ?? '-'} (pm2 daemon ${seen.daemon}); ${loadText(ctx, stats)}` : 'pm2 did not run' };
      }),
    },
    {
      text: { en: 'after pm2 delete and kill: pm2 is gone, app-2 still answers', zh: 'pm2 delete 和 kill 之后：pm2 不在了，app-2 仍在应答' },
      check: withPm2((seen) => {
        const after = seen?.afterKill;
        const ok = !!seen && !isAlive(seen.daemon) && !isAlive(seen.app.pid) && !!after && 'pid' in after && after.pid === seen.successor;
        return { ok, detail: seen ? `pm2 daemon ${isAlive(seen.daemon) ? 'alive' : 'gone'}; GET /: ${after && 'pid' in after ? `x-pid ${after.pid}` : (after?.error ?? '-')}` : 'pm2 did not run' };
      }),
    },
  ],
};

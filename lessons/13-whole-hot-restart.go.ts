// Lesson 13, the real Go: lessons/assets/code/go/hot-restart.go, built with the machine's Go, hands its
// listener to a second generation of itself under the lesson's load, the stdlib way tableflip and endless
// wrap: ExtraFiles (fd 3) and a readiness pipe (fd 4); the successor warms up, then FileListener, then
// READY; the old one stops accepting, answers its last requests with Connection: close and exits. The
// tutor holds the successor in its warm-up to read both fd tables. Without go on PATH the step says so in
// one line and its checks are skipped.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../src/demo/marker.js';
import type { FdRow } from '../src/fdtable/model.js';
import { excerpt, joinText } from '../src/lesson/excerpt.js';
import { buildOrSayNoGo, fdFlagsText, waitLogLine, withGo, type GoRunVars } from '../src/lesson/golog.js';
import { listenersOn } from '../src/lesson/kit.js';
import { formatMixedStats, type MixedStats } from '../src/lesson/mixed-load.js';
import { rowsOf, rowsTogether } from '../src/lesson/procview.js';
import type { LessonContext, Step } from '../src/lesson/types.js';
import { answeredBy, isTcp, SEEN_FROM_NEW, startLessonLoad, type KitVars } from './13-whole-hot-restart.kit.js';

/** What the Go step carries; lesson 13's Vars extends it. */
export interface GoVars extends GoRunVars {
  goPort: number;
  /** go-1's listening fd, and the flags it read right after cmd.Start and after putting O_NONBLOCK back. */
  goListenFd: number;
  goFlags: { afterStart: number; restored: number };
  /** go-1's listener and go-2's fd 3, from one snapshot taken while go-2 warms up. */
  goWarm: { one?: FdRow; two?: FdRow };
  /** Answers during the warm-up, and how many of them go-2 gave. */
  goWarmAnswers: { two: number; during: number };
  /** go-2's listening row once go-1 has left, and the load's final counters. */
  goAfter: FdRow | undefined;
  goStats: MixedStats;
}
type GoContext = LessonContext<KitVars & GoVars>;

const SOURCE = 'go/hot-restart.go';
const LOG = 'hot-restart-go.log';
const GATE = 'go-2.warm';
const O_NONBLOCK = 0o4000;
/** Answers the load must get while go-2 warms up, every one from go-1. */
const WARM_LOAD_ANSWERS = 20;

const waitLine = (ctx: GoContext, pattern: RegExp, timeoutMs?: number) => waitLogLine(ctx, LOG, pattern, timeoutMs);

const flagText = fdFlagsText;
const octal = (flags: number | undefined) => (flags === undefined || Number.isNaN(flags) ? '-' : `0${flags.toString(8)}`);
const goPid = (ctx: GoContext, name: string) => {
  try {
    return ctx.pid(name);
  } catch {
    return undefined;
  }
};

export const goStep: Step<KitVars & GoVars> = {
  id: 'go-handover',
  title: { en: 'The same handover in real Go', zh: '用真正的 Go 做同样的交接' },
  text: {
    en: "Now real Go, standard library only: lessons/assets/code/go/hot-restart.go, built with this machine's go. The launcher starts go-1; the load runs against it; the launcher sends SIGUSR2. go-1 does what tableflip and endless wrap: ln.File() (a close-on-exec dup), a pipe for readiness, exec.Command of its own binary with ExtraFiles = {f, w} — the child's fd 3 and fd 4 — and cmd.Start. cmd.Start calls Fd() on every file it passes, which makes the listener's description blocking (go-1 reads its flags right then), so go-1 puts O_NONBLOCK back at once, through SyscallConn.\n\ngo-2 warms up holding fd 3; the tutor holds it there to read both tables: one description, one inode. Go marks nothing it inherited close-on-exec (Node does), so go-2's fd 3 has no cloexec until go-2 closes it. Then go-2 calls net.FileListener (a dup that sets O_NONBLOCK on the shared description), serves, and writes READY to fd 4. go-1 reads it, closes its own fd (the socket and its queue stay with go-2), answers its last requests with Connection: close so that its keep-alive clients reconnect — to go-2 — and calls srv.Shutdown for whatever is left.",
    zh: '现在是真正的 Go，只用标准库：lessons/assets/code/go/hot-restart.go，用本机的 go 编译。launcher 启动 go-1；负载打到它上面；launcher 发送 SIGUSR2。go-1 做的正是 tableflip 和 endless 封装起来的事：ln.File()（一个带 close-on-exec 的 dup）、一个用于就绪通知的管道、对自己的程序执行 exec.Command，设 ExtraFiles = {f, w}——也就是子进程的 fd 3 和 fd 4——然后 cmd.Start。cmd.Start 会对它传递的每个文件调用 Fd()，这会把监听 socket 的打开文件描述改成阻塞的（go-1 就在那一刻读出它的标志），所以 go-1 立刻通过 SyscallConn 把 O_NONBLOCK 设回去。\n\ngo-2 持有 fd 3 进行预热；教程让它停在那里，好读出两边的 fd 表：一个打开文件描述，一个 inode。Go 不会给继承来的 fd 设 close-on-exec（Node 会），所以在 go-2 关掉它之前，它的 fd 3 没有 cloexec。然后 go-2 调用 net.FileListener（一个 dup，会在共享的打开文件描述上设置 O_NONBLOCK），开始服务，并往 fd 4 写 READY。go-1 读到后关闭自己的 fd（socket 和它的队列留在 go-2 那里），给最后几个请求的响应带上 Connection: close，让它的 keep-alive 客户端重新连接——连到 go-2——再对剩下的调用 srv.Shutdown。',
  },
  code: {
    go: joinText(excerpt(SOURCE, 'handler'), { en: '// in the old process, once the pipe says READY:', zh: '// 旧进程里，等管道里读到 READY：' }, excerpt(SOURCE, 'leave')),
    node: excerpt('node/successor.mjs', 'then'),
    note: {
      en: 'Unlike this project\'s module, the Go program hands over no connection: its keep-alive clients reconnect after a Connection: close response. A client that sends nothing during the 2 s drain has its idle connection closed by Shutdown, and a request it sends at that very moment fails.',
      zh: '和本项目的模块不同，这个 Go 程序不交接任何连接：它的 keep-alive 客户端在收到带 Connection: close 的响应后重新连接。在 2 秒的排空期间什么都没发的客户端，其空闲连接会被 Shutdown 关闭，恰好在那一刻发出的请求就会失败。',
    },
  },
  async run(ctx) {
    const binary = await buildOrSayNoGo(ctx, SOURCE);
    if (!binary) return;
    const dir = ctx.supervisor.dir;
    const spawned = await ctx.call('launcher', { op: 'spawn', name: 'go-1', command: [binary, join(dir, LOG)], env: { WARM_GATE: join(dir, GATE) } });
    ctx.name(spawned.result.pid as number, 'go-1');
    const listening = await waitLine(ctx, /^gen 1 pid \d+: listening on fd (\d+) port (\d+)/m);
    ctx.vars.goListenFd = Number(listening[1]);
    ctx.vars.goPort = Number(listening[2]);
    const load = startLessonLoad(ctx, ctx.vars.goPort);
    try {
      await ctx.until(() => load.stats().ok >= 40, 3000);
      await ctx.call('launcher', { op: 'kill', pid: ctx.pid('go-1'), signal: 'SIGUSR2' });
      const started = await waitLine(ctx, /^gen 1 pid \d+: started gen 2 pid (\d+); listener flags after cmd.Start (\d+), restored (\d+)/m);
      ctx.name(Number(started[1]), 'go-2');
      ctx.vars.goFlags = { afterStart: parseInt(started[2], 8), restored: parseInt(started[3], 8) };
      await waitLine(ctx, /^gen 2 pid \d+: holds the listener at fd 3/m);
      // go-2 warms up until the gate file exists: both tables from one snapshot, then a stretch of load.
      const [one, two] = rowsTogether(ctx, [['go-1', ctx.vars.goListenFd], ['go-2', 3]]);
      ctx.vars.goWarm = { one, two };
      const before = load.stats().ok;
      await ctx.until(() => load.stats().ok >= before + WARM_LOAD_ANSWERS || load.stats().finished, 10_000);
      ctx.vars.goWarmAnswers = { two: answeredBy(load.stats(), ctx.pid('go-2')), during: load.stats().ok - before };
      writeFileSync(join(dir, GATE), '');
      await waitLine(ctx, /^gen 1 pid \d+: exit \(handed over\)/m, 8000);
      await ctx.until(() => !isAlive(ctx.pid('go-1')), 5000);
      const fromTwo = answeredBy(load.stats(), ctx.pid('go-2'));
      await ctx.until(() => answeredBy(load.stats(), ctx.pid('go-2')) >= fromTwo + SEEN_FROM_NEW || load.stats().finished, 5000);
    } finally {
      ctx.vars.goStats = await load.stop();
    }
    await waitLine(ctx, /^gen 2 pid \d+: serving on fd \d+/m);
    ctx.vars.goAfter = rowsOf(ctx, 'go-2').find((row) => row.socket?.state === 'LISTEN');
    ctx.log({ en: `Go handover: ${formatMixedStats(ctx.vars.goStats, 'en')}`, zh: `Go 交接：${formatMixedStats(ctx.vars.goStats, 'zh')}` });
  },
  show: {
    processes: ['go-2'],
    only: isTcp,
    focus: (row) => row.socket?.state === 'LISTEN',
    caption: { en: 'go-2 alone, on its FileListener dup of the socket go-1 bound', zh: '只剩 go-2，用 FileListener dup 出来的 fd 守着 go-1 绑定的那个 socket' },
  },
  expect: [
    withGo({ en: "while go-2 warmed up, its fd 3 was go-1's listener: the same DESC and inode, without close-on-exec", zh: 'go-2 预热时，它的 fd 3 就是 go-1 的监听 socket：DESC 和 inode 都相同，没有 close-on-exec' }, (ctx) => {
      const { one, two } = ctx.vars.goWarm ?? {};
      const ok = two?.fd === 3 && !!one?.inode && one.inode === two.inode && one.description !== '?' && one.description === two.description && two.cloexec === false;
      return { ok, detail: `go-1 ${flagText(one)} inode ${one?.inode ?? '-'} / go-2 ${flagText(two)} inode ${two?.inode ?? '-'}` };
    }),
    withGo({ en: 'cmd.Start made the description blocking (go-1 read it right after); go-1 put O_NONBLOCK back at once', zh: 'cmd.Start 把打开文件描述改成了阻塞的（go-1 紧接着读到了）；go-1 立刻把 O_NONBLOCK 设了回去' }, (ctx) => {
      const { afterStart, restored } = ctx.vars.goFlags ?? { afterStart: NaN, restored: NaN };
      const ok = !Number.isNaN(afterStart) && (afterStart & O_NONBLOCK) === 0 && (restored & O_NONBLOCK) !== 0 && ctx.vars.goWarm?.two?.nonblock === true;
      return { ok, detail: `flags ${octal(afterStart)} → ${octal(restored)}; go-2 ${flagText(ctx.vars.goWarm?.two)}` };
    }),
    withGo({ en: 'go-2 answered nothing while it warmed up: go-1 answered every request', zh: 'go-2 预热期间一个请求都没应答：所有请求都由 go-1 应答' }, (ctx) => {
      const { two, during } = ctx.vars.goWarmAnswers ?? { two: -1, during: 0 };
      return { ok: during >= WARM_LOAD_ANSWERS && two === 0, detail: ctx.t({ en: `${during} answers during the warm-up, go-2 ${two}`, zh: `预热期间 ${during} 个应答，go-2 ${two}` }) };
    }),
    withGo({ en: "go-2 now listens alone, non-blocking, on the socket go-1 bound (same inode); go-1 has exited", zh: '现在只有 go-2 在监听，非阻塞，用的是 go-1 绑定的那个 socket（inode 相同）；go-1 已经退出' }, (ctx) => {
      const after = ctx.vars.goAfter;
      const one = goPid(ctx, 'go-1');
      const ok = !!after?.inode && after.inode === ctx.vars.goWarm?.one?.inode && after.nonblock === true && listenersOn(ctx.vars.goPort).length === 1 && one !== undefined && !isAlive(one);
      return { ok, detail: `go-2 ${flagText(after)} inode ${after?.inode ?? '-'}` };
    }),
    withGo({ en: 'not one request failed across the Go handover', zh: '整个 Go 交接过程中没有一个请求失败' }, (ctx) => {
      const stats = ctx.vars.goStats;
      const two = goPid(ctx, 'go-2');
      const ok = !!stats && stats.ok > 0 && stats.failed === 0 && two !== undefined && answeredBy(stats, two) > 0;
      return { ok, detail: stats ? formatMixedStats(stats, ctx.lang) : 'no load' };
    }),
  ],
  hint: {
    en: 'Run it by hand: go build -o /tmp/hot-restart lessons/assets/code/go/hot-restart.go; /tmp/hot-restart /tmp/hr.log & then kill -USR2 %1 and read /tmp/hr.log (each generation logs its pid, fds and flags).',
    zh: '自己动手运行：go build -o /tmp/hot-restart lessons/assets/code/go/hot-restart.go；/tmp/hot-restart /tmp/hr.log &，然后 kill -USR2 %1，再看 /tmp/hr.log（每一代都会记下自己的 pid、fd 和标志）。',
  },
};

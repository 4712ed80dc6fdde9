// Lesson 11: signals and readiness. A signal starts the upgrade (SIGUSR2, SIGHUP); SIGKILL and SIGSTOP
// cannot be caught, and a stopped server leaves its clients in the accept queue; the successor says "ready"
// through an inherited pipe, after which the old process drains; a second trigger during an upgrade is
// refused; a successor that crashes in start-up takes nobody down; and the endless order (tell the parent
// to go before serving) against the module's (go once the successor is ready), measured under load.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { entryUrl } from '../src/demo/entry.js';
import { isAlive } from '../src/demo/marker.js';
import type { FdRow } from '../src/fdtable/model.js';
import { listenersOn, queueText } from '../src/lesson/kit.js';
import { formatLoadStats, startLoad, type Load, type LoadStats } from '../src/lesson/load.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { rowsOf } from '../src/lesson/procview.js';
import { processState, signalSet } from '../src/lesson/signals.js';
import type { CheckResult, Lesson, LessonContext } from '../src/lesson/types.js';
import { askOnce, type Answer, UpgradeDemo } from '../src/lesson/upgrade-demo.js';
import { excerpt, joinText } from '../src/lesson/excerpt.js';
import type { ServerReport } from '../src/lesson/demo-servers.js';
import { dStateStep, tstpStep, type StopVars } from './11-signals-readiness.stops.js';

const SERVER = entryUrl('servers/11-12-server', import.meta.url);
/** The successor's warm-up in the last step: the time the two orders differ by. */
const WARM_UP_MS = 1000;
/** The clients of the last step give up after this long. */
const CLIENT_PATIENCE_MS = 500;
/** Fresh connections made while the successor warms up: none may reach it. */
const WARM_PROBES = 10;
/** Handlers stubborn installs: the upgrade and stop signals, SIGTSTP (endless-style "parent, stop"), and
 *  SIGABRT, which the tRPC article wrongly says cannot be caught. */
const TRAPPED = ['SIGTERM', 'SIGHUP', 'SIGUSR2', 'SIGTSTP', 'SIGABRT'] as const;
const UNCATCHABLE = ['SIGKILL', 'SIGSTOP'] as const;
/** Load workers while stubborn is stopped: each has one request waiting. */
const STOPPED_CLIENTS = 6;

const demoOf = (ctx: LessonContext<Vars>): UpgradeDemo => (ctx.vars.demo ??= new UpgradeDemo(ctx, { shell: 'shell', moduleUrl: SERVER, prefix: 'l11' }));
const isTcp = (row: FdRow) => row.type === 'TCP';
const isListener = (row: FdRow) => row.socket?.state === 'LISTEN';

/** A bounded loopback load; `x-pid` / `x-puppet` tells which process answered. */
function lessonLoad(ctx: LessonContext, port: number, options: { concurrency: number; timeoutMs: number; header: string }): Load {
  return startLoad({
    port,
    concurrency: options.concurrency,
    pauseMs: 10,
    requestTimeoutMs: options.timeoutMs,
    maxRequests: 5000,
    maxDurationMs: 15_000,
    tickMs: 500,
    countHeader: options.header,
    signal: ctx.signal,
    onTick: (stats) => ctx.log(formatLoadStats(stats, ctx.lang), 'event', 'load'),
  });
}

/** Stops the load and logs its final counts, with who answered. */
async function finishLoad(ctx: LessonContext, load: Load): Promise<LoadStats> {
  const stats = await load.stop();
  const answered = pidText(ctx, stats.byHeader);
  ctx.log(`${formatLoadStats(stats, ctx.lang)}${answered ? ` — ${answered}` : ''}`, 'event', 'load');
  return stats;
}

/** Waits until the load has `more` answers beyond what it had. */
async function answersGrow(ctx: LessonContext, load: Load, more: number): Promise<void> {
  const target = load.stats().ok + more;
  await ctx.until(() => load.stats().ok >= target, 5000, 10);
}

/** Answers by who gave them: `gen3: 83, gen4: 13` (x-pid values are pids; names where the lesson has one). */
function pidText(ctx: LessonContext, byHeader: Record<string, number>): string {
  return Object.entries(byHeader).map(([who, n]) => `${ctx.names().get(Number(who)) ?? who}: ${n}`).join(', ');
}

/** /proc/PID/cmdline with spaces between the arguments; undefined once the process is gone. */
function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** `unshare --pid --fork`: a shell that is PID 1 of a new PID namespace sends itself SIGKILL and carries on.
 *  Needs unshare(1) and the right to make a namespace (root, or user namespaces); otherwise skipped. */
async function pid1IgnoresKill(ctx: LessonContext): Promise<CheckResult> {
  const script = 'kill -KILL 1; echo "PID 1 ($$) still running after kill -KILL 1"';
  try {
    const { stdout } = await promisify(execFile)('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', script], { timeout: 5000, signal: ctx.signal });
    ctx.log(`unshare --pid --fork sh -c '${script}': ${stdout.trim()}`, 'event', 'shell');
    return { ok: stdout.includes('still running'), detail: stdout.trim() };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no unshare(1)' : String((error as { stderr?: string }).stderr ?? error).trim().split('\n')[0];
    return { ok: false, skipped: true, detail: ctx.t({ en: `cannot make a PID namespace here: ${reason}`, zh: `这里无法创建 PID 命名空间：${reason}` }) };
  }
}

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars extends StopVars {
  /** Signals stubborn catches right after start-up (SigCgt), before it trapped anything. */
  startupCaught: string[];
  /** Whether PID 1 of a fresh PID namespace survived kill -KILL 1 from inside it. */
  pid1: CheckResult;
  /** Answers to fresh connections while gen3 warms up: every one must come from gen2. */
  warmAnswers: Answer[];
  /** The process that traps SIGTERM (stubborn): its listener, and what it trapped and caught. */
  stubbornFd: number;
  stubbornPort: number;
  refused: Record<string, string>;
  caught: string[];
  stubbornLoad: Load;
  caughtAfterCont: string[];
  contStats: LoadStats;
  afterKill: Answer;
  /** The upgrade demo (generations gen1, gen2, ...), made by the first step that needs it. */
  demo: UpgradeDemo;
  port: number;
  listenerInode: number | null | undefined;
  answer: Answer;
  /** The file gen3 waits for before it may finish starting, and the report mark before it began. */
  gate: string;
  readinessMark: number;
  pipeInode: number | null | undefined;
  channelInodes: Array<number | null | undefined>;
  failure: ServerReport;
  crashStats: LoadStats;
  peakQueue: number;
  endless: LoadStats;
  moduleOrder: LoadStats;
}

export const lesson: Lesson<Vars> = {
  id: 'signals-readiness',
  number: 11,
  chapter: { en: 'Chapter 2 · Handing over the listener', zh: '第二章 · 交接监听 socket' },
  title: { en: 'Signals and readiness', zh: '信号与就绪' },
  summary: {
    en: 'A hot restart starts with a signal and ends with a promise kept: the old process leaves only once its successor can really serve. This lesson sends the signals (including the two no process can catch), watches the successor report "ready" through a pipe it inherited, refuses a second upgrade in the middle of one, survives a successor that crashes, and measures what happens when the old process is told to go too early.',
    zh: '热重启以一个信号开始，以一个兑现的承诺结束：只有当后继进程真的能提供服务时，旧进程才离开。本课会发送这些信号（包括任何进程都捕获不了的两个），观察后继进程通过继承来的管道（pipe）报告「就绪」，在升级进行中拒绝第二次升级，挺过一个崩溃的后继进程，并且量一量：旧进程被过早地叫走时会发生什么。',
  },
  recap: [
    { en: "Only SIGKILL and SIGSTOP cannot be caught (SIGABRT and SIGTSTP can; an untrapped SIGTSTP stops a process, except in an orphaned process group). A namespace's PID 1 ignores SIGKILL from inside; state D delays it only when the wait is not killable (vfork's is).", zh: '只有 SIGKILL 和 SIGSTOP 不能捕获（SIGABRT 和 SIGTSTP 都可以；没被捕获的 SIGTSTP 会停住进程，孤儿进程组里的除外）。命名空间里的 1 号进程会忽略来自内部的 SIGKILL；状态 D 只有在等待不可杀时才会推迟 SIGKILL（vfork 的等待是可杀的）。' },
    { en: 'A stopped or hung server cannot start its own upgrade: its signals stay pending.', zh: '被停住或卡死的服务没法自己启动升级：发给它的信号只能挂着。' },
    { en: 'The successor warms up, then listens, then says ready through an inherited pipe, whose end-of-file also reports a crash.', zh: '后继进程先预热，再 listen，最后通过继承来的管道报告就绪；管道的 EOF 同时也能报告崩溃。' },
    { en: 'One upgrade at a time, and a successor that crashes never takes the old process down.', zh: '一次只做一个升级；崩溃的后继进程绝不能拖垮旧进程。' },
    { en: 'Signal the pid from the PID file, never by process name: during an upgrade two processes share the name.', zh: '按 PID 文件里的 pid 发信号，别按进程名：升级期间有两个进程同名。' },
  ],
  steps: [
    {
      id: 'catchable',
      title: { en: 'Signals a process can catch — and two it cannot', zh: '进程能捕获的信号——以及捕获不了的两个' },
      text: {
        en: `Process stubborn is an HTTP server (listen-node). It installs handlers for ${TRAPPED.join(', ')} the way a Node server does (process.on), and tries the same for ${UNCATCHABLE.join(' and ')}. Each handler is one sigaction(2) call by libuv. Then the shell sends it SIGTERM, the polite "please stop": the handler runs — and stubborn simply goes on.\n\nThe kernel keeps, per process, the set of signals that have a handler: SigCgt in /proc/PID/status. SIGKILL and SIGSTOP can never be in it: sigaction refuses them with EINVAL. The tRPC article adds SIGABRT to the uncatchable ones; it is wrong: SIGABRT is caught here like any other (abort(3) still ends the process, after the handler). SIGTSTP, the terminal's Ctrl-Z, is catchable too: an endless-style child sends it to its parent to mean "stop serving, leave" (a parent without the handler would not end: it would be stopped, state T, or, run as a daemon, not even that — the next step shows both).\n\nNode itself already catches a few at start-up: SIGINT and SIGTERM, to restore the terminal before it dies of them, and SIGUSR1 for its inspector — which is why a Node server cannot use SIGUSR1 the way Go programs do for \"reload the configuration\" (signal.Notify(ch, syscall.SIGUSR1)); it takes SIGHUP or an admin endpoint instead.`,
        zh: `进程 stubborn 是一个 HTTP 服务（listen-node）。它像 Node 服务那样（process.on）为 ${TRAPPED.join('、')} 安装处理函数，并且也试着为 ${UNCATCHABLE.join(' 和 ')} 这样做。每个处理函数就是 libuv 调用一次 sigaction(2)。然后 shell 给它发送 SIGTERM，也就是礼貌的「请停下」：处理函数运行了——而 stubborn 照样活着。\n\n内核为每个进程记录哪些信号装了处理函数：/proc/PID/status 里的 SigCgt。SIGKILL 和 SIGSTOP 永远不会出现在里面：sigaction 会以 EINVAL 拒绝它们。tRPC 的文章把 SIGABRT 也算作不能捕获的信号；这是错的：SIGABRT 在这里和别的信号一样被捕获了（abort(3) 仍会在处理函数之后结束进程）。SIGTSTP（终端里的 Ctrl-Z）也能捕获：endless 风格的子进程把它发给父进程，意思是「停止服务，离开」（没有处理函数的父进程不会结束：它会被停住，状态 T；如果作为守护进程运行，连停住都不会——下一步把两种情况都演示出来）。\n\nNode 自己在启动时就已经捕获了几个：SIGINT 和 SIGTERM，好在因它们而退出之前恢复终端状态；还有 SIGUSR1，用于它的调试器（inspector）——所以 Node 服务不能像 Go 程序那样用 SIGUSR1 表示「重新加载配置」（signal.Notify(ch, syscall.SIGUSR1)），而要改用 SIGHUP 或一个管理接口。`,
      },
      code: {
        go: excerpt('go/signals.go', 'notify'),
        node: excerpt('node/signals.mjs', 'trap'),
      },
      async run(ctx) {
        await ctx.start('stubborn');
        // Before the lesson traps anything: what Node catches by itself.
        ctx.vars.startupCaught = signalSet(ctx.pid('stubborn'), 'SigCgt') ?? [];
        const listening = await ctx.call('stubborn', { op: 'listen-node' });
        ctx.vars.stubbornFd = listening.result.fd;
        ctx.vars.stubbornPort = listening.result.port;
        const trap = await ctx.call('stubborn', { op: 'trap', signals: [...TRAPPED, ...UNCATCHABLE] });
        ctx.vars.refused = trap.result.refused;
        await ctx.start('shell');
        const pid = ctx.pid('stubborn');
        await ctx.call('shell', { op: 'kill', pid, signal: 'SIGTERM' });
        const caught = await ctx.call('stubborn', { op: 'caught', timeoutMs: 3000 });
        ctx.vars.caught = caught.result.signals;
        ctx.log(`/proc/${pid}/status SigCgt: ${(signalSet(pid, 'SigCgt') ?? []).join(' ')}`);
        ctx.vars.pid1 = await pid1IgnoresKill(ctx);
      },
      show: { processes: ['stubborn'], focus: isListener },
      expect: [
        {
          text: { en: 'the SIGTERM handler ran, and stubborn is still running', zh: 'SIGTERM 处理函数运行了，stubborn 仍在运行' },
          check: (ctx) => {
            const pid = ctx.pid('stubborn');
            return { ok: (ctx.vars.caught as string[]).includes('SIGTERM') && isAlive(pid), detail: `caught ${(ctx.vars.caught as string[]).join(' ') || '-'}; ${processState(pid) ?? 'gone'}` };
          },
        },
        {
          text: { en: `SigCgt lists ${TRAPPED.join(', ')} — and neither SIGKILL nor SIGSTOP`, zh: `SigCgt 里有 ${TRAPPED.join('、')}——没有 SIGKILL，也没有 SIGSTOP` },
          check: (ctx) => {
            const caught = signalSet(ctx.pid('stubborn'), 'SigCgt') ?? [];
            return { ok: TRAPPED.every((s) => caught.includes(s)) && !UNCATCHABLE.some((s) => caught.includes(s)), detail: caught.join(' ') };
          },
        },
        {
          text: { en: "SIGKILL's exception: a PID namespace's PID 1 survives kill -KILL 1 sent from inside", zh: 'SIGKILL 的例外：PID 命名空间里的 1 号进程，挨了来自命名空间内部的 kill -KILL 1 仍然活着' },
          check: (ctx) => ctx.vars.pid1 as CheckResult,
        },
        {
          text: { en: 'before any process.on, Node already caught SIGUSR1 (its inspector)', zh: '还没有调用任何 process.on 时，Node 就已经捕获了 SIGUSR1（它的调试器）' },
          check: (ctx) => ({ ok: (ctx.vars.startupCaught as string[]).includes('SIGUSR1'), detail: (ctx.vars.startupCaught as string[]).join(' ') }),
        },
        {
          text: { en: 'installing a handler for SIGKILL or SIGSTOP fails with EINVAL', zh: '为 SIGKILL 或 SIGSTOP 安装处理函数会以 EINVAL 失败' },
          check: (ctx) => {
            const refused = ctx.vars.refused as Record<string, string>;
            return { ok: UNCATCHABLE.every((s) => refused[s] === 'EINVAL'), detail: Object.entries(refused).map(([s, e]) => `${s} ${e}`).join(', ') };
          },
        },
      ],
      quiz: {
        question: { en: 'An orchestrator must end a server that ignores SIGTERM. What does the process itself have no say in?', zh: '编排系统要结束一个忽略 SIGTERM 的服务。什么信号是进程自己无权过问的？' },
        choices: [
          { en: 'SIGKILL: no handler can be installed for it, the kernel ends the process', zh: 'SIGKILL：它根本装不了处理函数，由内核直接结束进程' },
          { en: 'SIGTERM sent twice', zh: '连发两次 SIGTERM' },
          { en: 'SIGHUP, because the handler is for SIGTERM only', zh: 'SIGHUP，因为处理函数只管 SIGTERM' },
        ],
        answer: 0,
        explanation: {
          en: 'SIGKILL and SIGSTOP are carried out by the kernel itself; the process gets no say and runs no code. Two cases still delay or block it: a process in a truly uninterruptible wait (e.g. I/O on a dead, hard-mounted NFS server) dies only when that wait ends — not every state D is one: step 3 shows a D that SIGKILL ends at once — and the PID 1 of a PID namespace (a container\'s first process) ignores even SIGKILL sent from inside its namespace. That is also why a graceful drain must hang on SIGTERM (or your own trigger): after SIGKILL there is no "after".',
          zh: 'SIGKILL 和 SIGSTOP 由内核亲自执行；进程没有发言权，也不会运行任何代码。但有两种情况会推迟或挡住它：处于真正不可中断等待中的进程（比如对一台已经挂掉、以 hard 方式挂载的 NFS 服务器做 I/O），要等那次等待结束才会死——并不是所有状态 D 都是这样：第 3 步演示了一个 SIGKILL 能立刻结束的 D；PID 命名空间里的 1 号进程（容器的第一个进程）连从命名空间内部发来的 SIGKILL 都会忽略。这也是为什么优雅退出只能挂在 SIGTERM（或你自己的触发信号）上：SIGKILL 之后没有「之后」。',
        },
      },
    },
    tstpStep,
    dStateStep,
    {
      id: 'stopped',
      title: { en: 'SIGSTOP: frozen, while clients queue up', zh: 'SIGSTOP：进程被冻结，客户端在排队' },
      text: {
        en: `stubborn answers a GET /. The shell sends SIGSTOP: the kernel stops every thread; /proc/PID/status shows state T. Then a load of ${STOPPED_CLIENTS} clients comes (loopback, bounded, patient: 10 s per request). Each one still connects — the kernel completes the handshake by itself and parks the connection in the accept queue (QUEUE: all ${STOPPED_CLIENTS}) — but nobody accepts and nothing is answered.\n\nThe shell also sends SIGUSR2, the upgrade trigger. A stopped process runs no handler: the signal waits as pending (ShdPnd). A hung or stopped server cannot start its own upgrade.`,
        zh: `stubborn 能响应 GET /。shell 发送 SIGSTOP：内核停住它的所有线程；/proc/PID/status 显示状态 T。接着来了一组 ${STOPPED_CLIENTS} 个客户端的负载（回环地址、有上限、很有耐心：每个请求等 10 秒）。每个客户端照样能连上——握手由内核自己完成，连接被放进 accept 队列（QUEUE：全部 ${STOPPED_CLIENTS} 个）——但没有人 accept，也没有任何回应。\n\nshell 还发送了 SIGUSR2，也就是升级的触发信号。被停住的进程不会运行任何处理函数：信号作为待处理信号（pending，ShdPnd）等着。一个卡死或被停住的服务，没法自己启动升级。`,
      },
      code: {
        other: { label: 'shell', code: "kill -STOP $PID\ngrep -E '^(State|ShdPnd)' /proc/$PID/status\nss -ltn 'sport = :PORT'   # Recv-Q: the accept queue" },
      },
      async run(ctx) {
        const pid = ctx.pid('stubborn');
        const before = await askOnce(ctx.vars.stubbornPort, '/', 5000);
        ctx.log(`GET / → ${before.error ?? ctx.t({ en: `answered in ${before.ms} ms`, zh: `${before.ms} 毫秒内得到回应` })}`, 'event', 'load');
        await ctx.call('shell', { op: 'kill', pid, signal: 'SIGSTOP' });
        await ctx.until(() => processState(pid)?.startsWith('T'), 3000, 5);
        // The load starts once stubborn is stopped, so every client's connection waits in the queue (a load
        // running across the stop would leave some connections accepted and waiting inside stubborn instead,
        // as many as a slow machine happened to accept).
        const load = lessonLoad(ctx, ctx.vars.stubbornPort, { concurrency: STOPPED_CLIENTS, timeoutMs: 10_000, header: 'x-puppet' });
        ctx.vars.stubbornLoad = load;
        let shown = -1;
        await ctx.until(() => {
          const row = ctx.row('stubborn', ctx.vars.stubbornFd);
          const queued = row?.socket?.acceptQueue ?? 0;
          if (queued !== shown) ctx.log(`QUEUE ${queueText(row)}`, 'event', 'stubborn');
          shown = queued;
          return queued >= STOPPED_CLIENTS;
        }, 10_000, 20);
        await ctx.call('shell', { op: 'kill', pid, signal: 'SIGUSR2' });
      },
      show: { processes: ['stubborn'], focus: isListener },
      expect: [
        {
          text: { en: 'stubborn is stopped: state T', zh: 'stubborn 已被停住：状态 T' },
          check: (ctx) => {
            const state = processState(ctx.pid('stubborn'));
            return { ok: state?.startsWith('T') === true, detail: state ?? 'gone' };
          },
        },
        {
          text: { en: 'clients wait in the accept queue, and none is answered', zh: '客户端在 accept 队列里等待，没有一个得到回应' },
          check: async (ctx) => {
            await ctx.sleep(200); // a stopped process answers nothing, however long one waits
            const row = ctx.row('stubborn', ctx.vars.stubbornFd);
            const ok = row?.socket?.acceptQueue === STOPPED_CLIENTS && ctx.vars.stubbornLoad.stats().ok === 0;
            return { ok, detail: `QUEUE ${queueText(row)}; ok ${ctx.vars.stubbornLoad.stats().ok}` };
          },
        },
        {
          text: { en: 'SIGUSR2 is pending: no handler runs in a stopped process', zh: 'SIGUSR2 处于待处理状态：被停住的进程不运行处理函数' },
          check: async (ctx) => {
            const pid = ctx.pid('stubborn');
            const pending = await ctx.until(() => (signalSet(pid, 'ShdPnd')?.includes('SIGUSR2') ? signalSet(pid, 'ShdPnd') : undefined), 1000, 10);
            return { ok: pending !== undefined, detail: `ShdPnd: ${(signalSet(pid, 'ShdPnd') ?? []).join(' ') || '-'}` };
          },
        },
      ],
      hint: {
        en: 'Ctrl-Z in a terminal sends SIGTSTP, the catchable cousin of SIGSTOP; `fg` sends SIGCONT.',
        zh: '在终端里按 Ctrl-Z 发送的是 SIGTSTP，它是 SIGSTOP 可被捕获的「表亲」；`fg` 发送 SIGCONT。',
      },
    },
    {
      id: 'continued-killed',
      title: { en: 'SIGCONT, then SIGKILL', zh: '先 SIGCONT，再 SIGKILL' },
      text: {
        en: 'SIGCONT resumes stubborn where it stopped: it accepts the queued connections and answers them, late but whole, and only now runs the SIGUSR2 handler. Then the shell sends SIGKILL. No handler, no drain, no exit hook: the kernel ends the process, closes its fds, and the port is gone. Whatever a server has to do before it exits, it cannot do it on SIGKILL — which is why a supervisor sends SIGTERM first and SIGKILL only after a grace period.',
        zh: 'SIGCONT 让 stubborn 从停下的地方继续：它 accept 排队的连接并一一回应，虽然晚了，但一个不少；直到这时，SIGUSR2 的处理函数才运行。然后 shell 发送 SIGKILL。没有处理函数，没有排空（drain），没有退出钩子：内核结束进程，关闭它的 fd，端口也随之消失。服务在退出前必须做的事，收到 SIGKILL 就做不成了——所以进程管理器总是先发 SIGTERM，宽限期过后才发 SIGKILL。',
      },
      code: {
        other: { label: 'shell', code: 'kill -CONT $PID\nkill -KILL $PID   # systemd: SIGTERM, then SIGKILL after TimeoutStopSec' },
      },
      async run(ctx) {
        const pid = ctx.pid('stubborn');
        await ctx.call('shell', { op: 'kill', pid, signal: 'SIGCONT' });
        const caught = await ctx.call('stubborn', { op: 'caught', timeoutMs: 3000 });
        ctx.vars.caughtAfterCont = caught.result.signals;
        await answersGrow(ctx, ctx.vars.stubbornLoad, STOPPED_CLIENTS + 10);
        ctx.vars.contStats = await finishLoad(ctx, ctx.vars.stubbornLoad);
        await ctx.call('shell', { op: 'kill', pid, signal: 'SIGKILL' });
        // The main thread turns zombie first; the fd table goes with the last thread: wait for the port itself.
        await ctx.until(() => !isAlive(pid) && listenersOn(ctx.vars.stubbornPort).length === 0, 3000, 5);
        ctx.vars.afterKill = await askOnce(ctx.vars.stubbornPort, '/', 1000);
        ctx.log(`GET / → ${ctx.vars.afterKill.error ?? `pid ${ctx.vars.afterKill.pid}`}`, 'event', 'load');
      },
      expect: [
        {
          text: { en: 'after SIGCONT every queued request was answered: 0 failed', zh: 'SIGCONT 之后，排队的请求全部得到回应：失败 0 个' },
          check: (ctx) => {
            const stats = ctx.vars.contStats as LoadStats;
            return { ok: stats.failed === 0 && stats.ok >= STOPPED_CLIENTS, detail: formatLoadStats(stats, ctx.lang) };
          },
        },
        {
          text: { en: 'the pending SIGUSR2 was handled only after SIGCONT', zh: '待处理的 SIGUSR2 直到 SIGCONT 之后才被处理' },
          check: (ctx) => ({ ok: (ctx.vars.caughtAfterCont as string[]).includes('SIGUSR2'), detail: (ctx.vars.caughtAfterCont as string[]).join(' ') || '-' }),
        },
        {
          text: { en: 'SIGKILL ended stubborn despite its handlers: the process is gone and the port refuses', zh: '尽管装了处理函数，SIGKILL 还是结束了 stubborn：进程没了，端口拒绝连接' },
          check: (ctx) => ({
            ok: !isAlive(ctx.pid('stubborn')) && listenersOn(ctx.vars.stubbornPort).length === 0 && ctx.vars.afterKill.error === 'ECONNREFUSED',
            detail: `pid ${ctx.pid('stubborn')} ${ctx.t(isAlive(ctx.pid('stubborn')) ? { en: 'running', zh: '仍在运行' } : { en: 'gone', zh: '已不存在' })}; GET / → ${ctx.vars.afterKill.error ?? 'answered'}`,
          }),
        },
      ],
    },
    {
      id: 'trigger',
      title: { en: 'SIGUSR2 starts the upgrade', zh: 'SIGUSR2 启动升级' },
      text: {
        en: 'Now a real server: gen1, an HTTP server built on this project\'s restart module (lessons/servers/11-12-server.ts), started by the shell. The shell sends SIGUSR2, the module\'s trigger (nginx uses USR2 for its binary upgrade too; endless and many tableflip programs use SIGHUP). The module starts the same program again: gen2, with the listener at fd 3. gen2 calls ready(), gen1 drains and exits.\n\nThe log shows each generation\'s own lines, including every change of the upgrader\'s state: starting → ready, ready → upgrading, upgrading → draining, draining → exited.',
        zh: '现在换成真正的服务：gen1，一个基于本项目热重启模块的 HTTP 服务（lessons/servers/11-12-server.ts），由 shell 启动。shell 发送 SIGUSR2，也就是模块的触发信号（nginx 的二进制升级也用 USR2；endless 和很多 tableflip 程序用 SIGHUP）。模块把同一个程序再启动一次：gen2，监听 socket 位于它的 fd 3。gen2 调用 ready()，gen1 排空后退出。\n\n日志里是每一代进程自己打印的内容，包括 Upgrader 状态的每次变化：starting → ready、ready → upgrading、upgrading → draining、draining → exited。',
      },
      code: {
        go: excerpt('go/tableflip.go', 'trigger'),
        node: joinText(excerpt('node/successor.mjs', 'create'), excerpt('node/successor.mjs', 'order')),
      },
      async run(ctx) {
        const demo = demoOf(ctx);
        const listening = await demo.start();
        ctx.vars.port = demo.port;
        ctx.vars.listenerInode = ctx.row('gen1', Number(listening.fd))?.inode;
        ctx.log({ en: `gen1's listener: fd ${String(listening.fd)}, inode ${ctx.vars.listenerInode}`, zh: `gen1 的监听 socket：fd ${String(listening.fd)}，inode ${ctx.vars.listenerInode}` });
        const mark = demo.mark();
        await demo.signal('gen1', 'SIGUSR2');
        await demo.waitForEvent('gen2', 'ready', undefined, mark);
        await demo.waitGone(demo.pid('gen1'));
        ctx.vars.answer = await askOnce(demo.port);
      },
      show: { processes: ['gen1', 'gen2'], only: isTcp, focus: isListener, caption: { en: 'gen1 has exited; gen2 holds the listener', zh: 'gen1 已经退出；监听 socket 在 gen2 手里' } },
      expect: [
        {
          text: { en: 'gen2 listens on the port through its fd 3', zh: 'gen2 通过它的 fd 3 在这个端口上监听' },
          check: (ctx) => {
            const row = ctx.row('gen2', 3);
            return { ok: row?.socket?.state === 'LISTEN' && row.socket.local === `127.0.0.1:${ctx.vars.port}`, detail: row?.name ?? 'no fd 3' };
          },
        },
        {
          text: { en: 'it is the socket gen1 listened on: the same inode', zh: '这正是 gen1 监听过的那个 socket：inode 相同' },
          check: (ctx) => {
            const inode = ctx.row('gen2', 3)?.inode;
            return { ok: inode !== undefined && inode === ctx.vars.listenerInode, detail: `gen1 ${ctx.vars.listenerInode} / gen2 ${inode ?? '-'}` };
          },
        },
        {
          text: { en: 'gen1 has exited, and gen2 answers', zh: 'gen1 已经退出，由 gen2 回应请求' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            return { ok: !isAlive(demo.pid('gen1')) && ctx.vars.answer.pid === demo.pid('gen2'), detail: `GET / → ${ctx.vars.answer.pid ? `x-pid ${ctx.vars.answer.pid}` : ctx.vars.answer.error}` };
          },
        },
      ],
    },
    {
      id: 'readiness-pipe',
      title: { en: 'Who tells whom: the readiness pipe', zh: '谁告诉谁：就绪管道' },
      text: {
        en: 'This time the shell sends SIGHUP, which this application wires to the same upgrade() (any signal, or an admin endpoint, can). gen3 starts and warms up — here until the tutor lets it go, so the tables can be read at leisure. It holds the listener at fd 3 but does not listen on it before it is warm, so it takes nothing from the shared accept queue: the tutor makes fresh connections meanwhile, and gen2 answers every one.\n\nBesides the listener at fd 3, gen3 inherited fd 4: the write end of a pipe whose read end gen2 holds (same NODE). gen3 will write "READY" into it and close it; gen2 waits on the read end. Why a pipe and not a signal to the parent? Because its end-of-file is news too: if gen3 dies, the kernel closes its end, and gen2 learns of the crash at once. fd 5 is the handoff channel, a unix socketpair, for the next lesson.\n\nMeanwhile the shell sends SIGUSR2 to both. gen2 is upgrading and refuses a second upgrade; gen3 is not ready and refuses too. One upgrade at a time.\n\nNote that the shell names each by its pid. The two run the very same command line now, so a restart script that signals by name (pkill -f, killall, kill $(ps -ef | grep app | ...), as one of the articles does) hits both — and, in other moments, a stale or a foreign process. Signal the pid the server wrote to its PID file: kill -USR2 $(cat /run/app/app.pid).',
        zh: '这一次 shell 发送 SIGHUP，这个应用把它也接到了同一个 upgrade() 上（任何信号、或者一个管理接口都可以）。gen3 启动并开始预热——这里一直预热到教程放行为止，好让你慢慢看 fd 表。它在 fd 3 上持有监听 socket，但预热完成之前不在上面 listen，所以不会从共享的 accept 队列里取走任何连接：其间教程发起若干新连接，全部由 gen2 应答。\n\n除了 fd 3 上的监听 socket，gen3 还继承了 fd 4：一个管道的写端，读端在 gen2 手里（NODE 相同）。gen3 会往里写「READY」然后关闭它；gen2 在读端上等待。为什么用管道，而不是给父进程发个信号？因为管道的 EOF 本身也是消息：如果 gen3 死了，内核会关闭它那一端，gen2 立刻就知道它崩溃了。fd 5 是交接通道（handoff channel），一个 unix socketpair，留到下一课再讲。\n\n与此同时，shell 给两个进程都发送 SIGUSR2。gen2 正在升级中，拒绝第二次升级；gen3 还没有就绪，也拒绝。一次只进行一个升级。\n\n注意 shell 是按 pid 逐个指名的。这两个进程此刻的命令行一模一样，所以按名字发信号的重启脚本（pkill -f、killall、kill $(ps -ef | grep app | ...)，其中一篇文章就是这么做的）会同时打中两个——换个时刻，还可能打中一个早该退出的或毫不相干的进程。应该给服务写进 PID 文件的那个 pid 发信号：kill -USR2 $(cat /run/app/app.pid)。',
      },
      code: {
        go: joinText({ en: '// tableflip, new process: once it can really serve', zh: '// tableflip，新进程：等它真能提供服务时' }, excerpt('go/tableflip.go', 'ready'), { en: '// old process: Upgrade() returns once the child is ready, or fails', zh: '// 旧进程：子进程就绪或失败后，Upgrade() 才返回' }),
        node: excerpt('node/successor.mjs', 'order'),
      },
      async run(ctx) {
        const demo = demoOf(ctx);
        ctx.vars.gate = demo.path('l11-gen3-may-start');
        demo.setKnobs({ holdUntil: ctx.vars.gate });
        const mark = demo.mark();
        ctx.vars.readinessMark = mark;
        await demo.signal('gen2', 'SIGHUP');
        // The trigger handler exists once the upgrader does; before that SIGUSR2 would kill gen3.
        await demo.waitForLog('gen3', /warming up until/, mark);
        await demo.signal('gen2', 'SIGUSR2');
        await demo.waitForLog('gen2', /upgrade refused/, mark);
        await demo.signal('gen3', 'SIGUSR2');
        await demo.waitForLog('gen3', /upgrade refused/, mark);
        // While gen3 warms up, fresh connections (one each) must all be answered by gen2: gen3 holds fd 3
        // but has not called listen on it, so it takes nothing from the shared accept queue yet.
        ctx.vars.warmAnswers = [];
        for (let i = 0; i < WARM_PROBES; i += 1) ctx.vars.warmAnswers.push(await askOnce(demo.port));
        const gen3 = rowsOf(ctx, 'gen3');
        ctx.vars.pipeInode = gen3.find((row) => row.fd === 4 && row.type === 'FIFO')?.inode;
        const handoff = gen3.find((row) => row.fd === 5 && row.type === 'UNIX');
        ctx.vars.channelInodes = [handoff?.inode, handoff?.socket?.peerInode].filter((inode) => inode);
      },
      show: {
        processes: ['gen2', 'gen3'],
        only: (row, ctx) => isListener(row) || row.inode === ctx.vars.pipeInode || (ctx.vars.channelInodes as number[]).includes(row.inode ?? -1),
        focus: (row, ctx) => row.inode === ctx.vars.pipeInode,
        caption: { en: 'gen3 is warming up: fd 3 listener, fd 4 readiness pipe, fd 5 handoff channel', zh: 'gen3 正在预热：fd 3 监听 socket，fd 4 就绪管道，fd 5 交接通道' },
      },
      expect: [
        {
          text: { en: 'gen3, not ready yet, holds the listener at fd 3 and the write end of a pipe at fd 4', zh: '还没有就绪的 gen3 在 fd 3 上持有监听 socket，在 fd 4 上持有管道的写端' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const [listener, pipe] = [ctx.row('gen3', 3), ctx.row('gen3', 4)];
            const notReady = !demo.find(demo.of('gen3', 'ready'));
            return { ok: listener?.socket?.state === 'LISTEN' && pipe?.type === 'FIFO' && pipe.access === 'w' && notReady, detail: `fd 3 ${listener?.name ?? '-'}; fd 4 ${pipe?.name ?? '-'} ${pipe?.access ?? ''}` };
          },
        },
        {
          text: { en: `gen3 does not answer while it warms up: ${WARM_PROBES} fresh connections, all answered by gen2`, zh: `gen3 预热期间不应答：${WARM_PROBES} 条新连接全部由 gen2 应答` },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const answers = ctx.vars.warmAnswers;
            const byGen2 = answers.filter((a) => a.pid === demo.pid('gen2')).length;
            const byGen3 = answers.filter((a) => a.pid === demo.pid('gen3')).length;
            return { ok: answers.length === WARM_PROBES && byGen2 === WARM_PROBES && byGen3 === 0, detail: `gen2 ${byGen2} · gen3 ${byGen3} · ${ctx.t({ en: 'failed', zh: '失败' })} ${answers.length - byGen2 - byGen3}` };
          },
        },
        {
          text: { en: 'gen2 and gen3 run the same command line: a signal by name would reach both', zh: 'gen2 和 gen3 的命令行完全相同：按名字发信号会同时打中两个' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const [a, b] = ['gen2', 'gen3'].map((name) => cmdlineOf(demo.pid(name)));
            return { ok: a !== undefined && a === b, detail: a ? a.split(' ').map((arg) => arg.split('/').pop()).join(' ') : '-' };
          },
        },
        {
          text: { en: 'gen2 holds the read end of the same pipe', zh: 'gen2 持有同一个管道的读端' },
          check: (ctx) => {
            const end = rowsOf(ctx, 'gen2').find((row) => row.type === 'FIFO' && row.inode === ctx.vars.pipeInode);
            return { ok: end?.access === 'r', detail: end ? `gen2 fd ${end.fd}: ${end.name}` : `no fd of gen2 on pipe ${ctx.vars.pipeInode}` };
          },
        },
        {
          text: { en: 'a second upgrade is refused by both, and no gen4 starts', zh: '第二次升级被两个进程都拒绝了，也没有启动 gen4' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const refusals = ['gen2', 'gen3'].map((name) => demo.find(demo.of(name, 'log', /upgrade refused/), ctx.vars.readinessMark));
            return { ok: refusals.every(Boolean) && demo.pidOf('gen4') === undefined, detail: refusals.map((r) => (r ? `${demo.nameOf(r)}: ${String(r.text)}` : '-')).join(' · ') };
          },
        },
      ],
      quiz: {
        question: { en: 'Why does the successor report readiness through an inherited pipe rather than by signalling its parent?', zh: '为什么后继进程通过继承来的管道报告就绪，而不是给父进程发信号？' },
        choices: [
          { en: 'If the successor dies, the kernel closes its end: the parent reads end-of-file and knows at once', zh: '后继进程一死，内核就关闭它那一端：父进程读到 EOF，立刻就知道' },
          { en: 'Signals cannot be sent to a parent process', zh: '信号不能发给父进程' },
          { en: 'A pipe is faster than a signal', zh: '管道比信号快' },
        ],
        answer: 0,
        explanation: {
          en: 'A signal only says something when it is sent; a crashed successor sends nothing. The pipe reports both outcomes: READY, or end-of-file from the kernel. (Its write end must not leak into other processes, or the end-of-file would never come — hence close-on-exec on every other fd.)',
          zh: '信号只有被发出时才传达信息；崩溃的后继进程什么也发不出来。管道能报告两种结果：READY，或者内核给出的 EOF。（写端不能泄漏到别的进程里，否则 EOF 永远不会到来——所以其他 fd 都要设置 close-on-exec。）',
        },
      },
    },
    {
      id: 'ready',
      title: { en: 'READY: the pipe closes, the old process goes', zh: 'READY：管道关闭，旧进程离开' },
      text: {
        en: 'The tutor lets gen3 finish its warm-up. Only now does gen3 listen on fd 3 (server.listen({ fd: 3 })) and call ready(): one line into fd 4, then close(4). gen2 reads it, stops accepting, hands over, runs its exit hook and exits. The pipe has done its one job: no fd refers to it any more.',
        zh: '教程让 gen3 结束预热。直到这时 gen3 才在 fd 3 上 listen（server.listen({ fd: 3 })），并调用 ready()：往 fd 4 写一行，然后 close(4)。gen2 读到它，停止 accept，完成交接，运行退出钩子，然后退出。管道完成了它唯一的任务：再也没有 fd 指向它了。',
      },
      async run(ctx) {
        const demo = demoOf(ctx);
        const mark = demo.mark();
        writeFileSync(ctx.vars.gate, '');
        await demo.waitForEvent('gen3', 'ready', undefined, mark);
        await demo.waitGone(demo.pid('gen2'));
      },
      show: {
        processes: ['gen2', 'gen3'],
        only: (row, ctx) => isListener(row) || row.inode === ctx.vars.pipeInode,
        focus: isListener,
        caption: { en: 'gen3 after ready(): the listener, and no pipe', zh: 'ready() 之后的 gen3：只有监听 socket，没有管道' },
      },
      expect: [
        {
          text: { en: 'no fd of gen3 refers to the readiness pipe any more', zh: 'gen3 不再有任何 fd 指向就绪管道' },
          check: (ctx) => {
            const left = rowsOf(ctx, 'gen3').filter((row) => row.inode === ctx.vars.pipeInode);
            return { ok: ctx.vars.pipeInode !== undefined && left.length === 0, detail: left.length ? `still fd ${left.map((r) => r.fd).join(', ')}` : `pipe:[${ctx.vars.pipeInode}] gone` };
          },
        },
        {
          text: { en: 'gen2 saw READY, drained and exited', zh: 'gen2 看到了 READY，排空后退出' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const saw = demo.find(demo.of('gen2', 'log', /is ready after/));
            return { ok: saw !== undefined && !isAlive(demo.pid('gen2')), detail: String(saw?.text ?? 'no ready line from gen2') };
          },
        },
      ],
    },
    {
      id: 'failed-successor',
      title: { en: 'A successor that crashes takes nobody down', zh: '崩溃的后继进程不会拖垮任何人' },
      text: {
        en: 'The next successor, called broken here, exits with code 1 during start-up, before ready(). gen3 sees its end of the pipe close and the exit, logs the failure, and goes back to ready — still serving, as if nothing happened. A load runs all along to prove it: every request answered, all by gen3. (The module numbers a successor after its parent, so the next attempt is generation 4 again.)',
        zh: '下一个后继进程（这里叫 broken）会在启动过程中、调用 ready() 之前以退出码 1 退出。gen3 看到管道那一端关闭、看到它退出，记下失败，然后回到 ready 状态——继续提供服务，就像什么都没发生过。整个过程中一直有负载在跑，用来证明这一点：每个请求都得到了回应，而且都来自 gen3。（模块按父进程的代数给后继进程编号，所以下一次尝试仍然是第 4 代。）',
      },
      code: {
        go: excerpt('go/tableflip.go', 'upgrade'),
        node: excerpt('node/upgrade.mjs', 'outcome'),
      },
      async run(ctx) {
        const demo = demoOf(ctx);
        demo.setKnobs({ crash: true, label: 'broken' });
        const load = lessonLoad(ctx, demo.port, { concurrency: 2, timeoutMs: 2000, header: 'x-pid' });
        await answersGrow(ctx, load, 10);
        const mark = demo.mark();
        await demo.signal('gen3', 'SIGUSR2');
        ctx.vars.failure = await demo.waitForLog('gen3', /upgrade failed/, mark);
        await answersGrow(ctx, load, 10);
        ctx.vars.crashStats = await finishLoad(ctx, load);
      },
      show: { processes: ['gen3', 'broken'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: 'broken exited during start-up and is gone', zh: 'broken 在启动过程中退出，已经不在了' },
          check: (ctx) => {
            const pid = demoOf(ctx).pidOf('broken');
            return { ok: pid !== undefined && !isAlive(pid) && /exited with code 1/.test(String(ctx.vars.failure.text)), detail: String(ctx.vars.failure.text) };
          },
        },
        {
          text: { en: 'gen3 goes on: back to ready, still holding the listener', zh: 'gen3 照常运行：回到 ready 状态，仍然持有监听 socket' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const states = demo.reports.reports.filter(demo.of('gen3', 'state'));
            const now = states.at(-1)?.to;
            return { ok: now === 'ready' && ctx.row('gen3', 3)?.socket?.state === 'LISTEN', detail: `state ${String(now)}; fd 3 ${ctx.row('gen3', 3)?.name ?? '-'}` };
          },
        },
        {
          text: { en: 'the load saw nothing: 0 failed, every answer from gen3', zh: '负载毫无察觉：失败 0 个，每个回应都来自 gen3' },
          check: (ctx) => {
            const stats = ctx.vars.crashStats as LoadStats;
            const who = Object.keys(stats.byHeader);
            return { ok: stats.failed === 0 && who.length === 1 && who[0] === String(demoOf(ctx).pid('gen3')), detail: `${formatLoadStats(stats, ctx.lang)}; ${pidText(ctx, stats.byHeader)}` };
          },
        },
      ],
    },
    {
      id: 'order',
      title: { en: 'Told to go too early: endless\'s order against the module\'s', zh: '过早被叫走：endless 的顺序与本模块的顺序' },
      text: {
        en: `endless (github.com/fvbock/endless) has the child send SIGTERM to its parent as soon as it holds the listener — in ListenAndServe, before Serve. Whatever the child still does after that moment (hooks, lazy initialisation, or a crash) is time in which nobody accepts. Here the successor, gen4, needs ${WARM_UP_MS} ms after that point: the tutor injects that delay (the server's startDelayMs knob), standing for the start-up work a real server does after it has the listener — configuration, caches, connections to a database. A bare endless server's own gap is far shorter, only the code between the kill and Serve; the injected ${WARM_UP_MS} ms makes the gap long enough to measure on a busy machine, and shows what a slow start-up costs under endless's order. A load of clients that give up after ${CLIENT_PATIENCE_MS} ms runs through the upgrade: connections pile up in the accept queue, clients time out.\n\nThen the same warm-up with the module's order, from gen4 to gen5: the old process drains only when the successor has said READY. It serves all through the warm-up.`,
        zh: `endless（github.com/fvbock/endless）让子进程一拿到监听 socket 就向父进程发送 SIGTERM——在 ListenAndServe 里，Serve 之前。子进程在那之后还要做的任何事（钩子、延迟初始化，或者崩溃）都意味着这段时间里没人 accept。这里的后继进程 gen4 在那之后还需要 ${WARM_UP_MS} 毫秒：这段延迟是教程注入的（服务的 startDelayMs 参数），代表真实服务拿到监听 socket 之后还要做的启动工作——加载配置、填充缓存、连接数据库。一个什么都不做的 endless 服务，自身的空档要短得多，只是 kill 和 Serve 之间的那几行代码；注入的 ${WARM_UP_MS} 毫秒让空档长到在繁忙的机器上也能量出来，也展示了启动慢时 endless 的顺序要付出的代价。升级期间一直跑着负载，客户端等 ${CLIENT_PATIENCE_MS} 毫秒就放弃：连接在 accept 队列里越积越多，客户端纷纷超时。\n\n然后用本模块的顺序、从 gen4 升级到 gen5，做同样的预热：只有后继进程说了 READY，旧进程才开始排空。整个预热期间它都在提供服务。`,
      },
      code: {
        go: excerpt('go/endless.go', 'order'),
        node: joinText({ en: '// the module: the old process stops accepting only after the successor calls ready()', zh: '// 本模块：后继进程调用 ready() 之后，旧进程才停止 accept' }, excerpt('node/successor.mjs', 'order')),
      },
      async run(ctx) {
        const demo = demoOf(ctx);
        // endless's order: gen4 kills gen3 first, then warms up.
        demo.setKnobs({ order: 'endless', startDelayMs: WARM_UP_MS });
        let load = lessonLoad(ctx, demo.port, { concurrency: 4, timeoutMs: CLIENT_PATIENCE_MS, header: 'x-pid' });
        await answersGrow(ctx, load, 10);
        let mark = demo.mark();
        await demo.signal('gen3', 'SIGUSR2');
        let peak = 0;
        await ctx.until(() => {
          peak = Math.max(peak, listenersOn(demo.port)[0]?.rqueue ?? 0);
          demo.pump();
          return demo.find(demo.of('gen4', 'ready'), mark);
        }, 15_000, 10);
        ctx.vars.peakQueue = peak;
        ctx.log({ en: `accept queue peak while nobody accepted: ${peak}`, zh: `没人 accept 期间 accept 队列的峰值：${peak}` });
        await demo.waitGone(demo.pid('gen3'));
        await answersGrow(ctx, load, 10);
        ctx.vars.endless = await finishLoad(ctx, load);
        // The module's order: gen5 warms up while gen4 serves.
        demo.setKnobs({ startDelayMs: WARM_UP_MS });
        load = lessonLoad(ctx, demo.port, { concurrency: 4, timeoutMs: CLIENT_PATIENCE_MS, header: 'x-pid' });
        await answersGrow(ctx, load, 10);
        mark = demo.mark();
        await demo.signal('gen4', 'SIGUSR2');
        await demo.waitForEvent('gen5', 'ready', undefined, mark);
        await demo.waitGone(demo.pid('gen4'));
        await answersGrow(ctx, load, 10);
        ctx.vars.moduleOrder = await finishLoad(ctx, load);
      },
      show: { processes: ['gen4', 'gen5'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: `endless's order: gen3 was told to go ${WARM_UP_MS} ms before gen4 could serve`, zh: `endless 的顺序：gen3 被叫走时，距离 gen4 能提供服务还有 ${WARM_UP_MS} 毫秒` },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const told = demo.find(demo.of('gen3', 'log', /SIGTERM received/));
            const ready = demo.find(demo.of('gen4', 'ready'));
            const gap = told && ready ? ready.at - told.at : NaN;
            return { ok: gap >= WARM_UP_MS * 0.9, detail: ctx.t({ en: `gen3 SIGTERM → gen4 ready: ${gap} ms`, zh: `gen3 收到 SIGTERM → gen4 就绪：${gap} 毫秒` }) };
          },
        },
        {
          text: { en: 'meanwhile connections piled up in the accept queue and clients gave up', zh: '这期间连接在 accept 队列里越积越多，客户端纷纷放弃' },
          check: (ctx) => {
            const stats = ctx.vars.endless as LoadStats;
            return { ok: ctx.vars.peakQueue >= 1 && stats.timeout > 0, detail: `QUEUE ≤ ${ctx.vars.peakQueue}; ${formatLoadStats(stats, ctx.lang)}` };
          },
        },
        {
          text: { en: "the module's order: 0 failed — gen4 answered until gen5 was ready", zh: '本模块的顺序：失败 0 个——gen4 一直回应到 gen5 就绪' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const stats = ctx.vars.moduleOrder as LoadStats;
            const both = ['gen4', 'gen5'].every((name) => (stats.byHeader[String(demo.pid(name))] ?? 0) > 0);
            return { ok: stats.failed === 0 && both, detail: `${formatLoadStats(stats, ctx.lang)}; ${pidText(ctx, stats.byHeader)}` };
          },
        },
      ],
      quiz: {
        question: { en: 'When may the old process stop accepting?', zh: '旧进程什么时候可以停止 accept？' },
        choices: [
          { en: 'When the successor has said it can serve (ready), not merely when it holds the listener', zh: '当后继进程表示它能提供服务（ready）时，而不仅仅是它拿到了监听 socket 时' },
          { en: 'As soon as the successor process exists', zh: '后继进程一存在就可以' },
          { en: 'Never: both must accept for ever', zh: '永远不能：两个进程都要一直 accept' },
        ],
        answer: 0,
        explanation: {
          en: 'Holding the fd is not serving. Until the successor accepts, connections only queue (and time out, or are reset if it crashes). tableflip and this module wait for Ready(); endless signals the parent before the child calls Serve.',
          zh: '持有 fd 不等于提供服务。在后继进程开始 accept 之前，连接只会排队（然后超时，或在它崩溃时被重置）。tableflip 和本模块等待 Ready()；endless 则在子进程调用 Serve 之前就通知父进程退出。',
        },
      },
      hint: {
        en: 'Watch the "load" lines during the endless upgrade: the request rate collapses for about a second, and then the timeouts appear.',
        zh: '注意 endless 升级期间的「load」行：每秒请求数骤降，持续大约一秒，随后出现超时。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

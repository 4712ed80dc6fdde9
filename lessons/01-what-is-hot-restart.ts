// Lesson 1: what hot restart is, shown by its absence. A small HTTP server under a light loopback load
// is restarted the naive way (stop, then start on the same port); the load's counters show every
// request of the gap refused, and the kernel's own TCP counters agree.
import * as sys from '../src/sys/index.js';
import { isAlive } from '../src/demo/marker.js';
import type { Lesson, LessonContext } from '../src/lesson/types.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { listenersOn, queueText } from '../src/lesson/kit.js';
import { formatLoadStats, LOST_AFTER_MS, startLoad, type Load, type LoadStats } from '../src/lesson/load.js';
import { tcpCounters, timeWaitOn } from '../src/lesson/proc.js';
import { excerpt } from '../src/lesson/excerpt.js';

const CLIENTS = 4;
const SEEN_REFUSED = 60;
const SEEN_FROM_V2 = 20;

/** The lesson's load: 4 loopback clients, a new connection per request, counters logged 4 times a second. */
function startLessonLoad(ctx: LessonContext<Vars>, maxDurationMs: number): Load {
  return startLoad({
    port: ctx.vars.port,
    concurrency: CLIENTS,
    pauseMs: 10,
    requestTimeoutMs: LOST_AFTER_MS,
    maxRequests: 20_000,
    maxDurationMs,
    countHeader: 'x-puppet',
    signal: ctx.signal,
    onTick: (stats) => ctx.log(formatLoadStats(stats, ctx.lang), 'event', 'load'),
  });
}

const loadOf = (ctx: LessonContext<Vars>): Load | undefined => ctx.vars.load;
const statsOf = (ctx: LessonContext<Vars>): LoadStats | undefined => ctx.vars.finalStats ?? loadOf(ctx)?.stats();

/** Is the port held by the named puppet's listener, and by nothing else? */
function soleListener(ctx: LessonContext<Vars>, name: string, fd: number) {
  const row = ctx.row(name, fd);
  const listeners = listenersOn(ctx.vars.port);
  const ok = row?.socket?.state === 'LISTEN' && row.socket.local === `127.0.0.1:${ctx.vars.port}` && listeners.length === 1;
  return { ok, row, detail: `${listeners.length} listener(s) on 127.0.0.1:${ctx.vars.port}; ${name} fd ${fd}: ${row?.name ?? 'gone'}` };
}

/** A bind with no SO_REUSEADDR or SO_REUSEPORT, made by the tutor in the gap and closed at once:
 *  the kernel's answer (errno name, or "0" if it succeeded). */
function plainBindAnswer(port: number): string {
  const fd = sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC, 0);
  try {
    sys.bind(fd, { family: 'inet', address: '127.0.0.1', port });
    return '0';
  } catch (error) {
    return error instanceof sys.SysError ? error.code : String(error);
  } finally {
    sys.close(fd);
  }
}

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars {
  port: number;
  v1Fd: number;
  v1Pid: number;
  v1Inode: number | null | undefined;
  steady: LoadStats;
  /** The load of steps 2 and 3: started afresh when the learner goes on after it ended. */
  load: Load;
  finalStats: LoadStats | undefined;
  countersBefore: Record<string, number>;
  refusedBefore: number;
  timeWait: number;
  plainBind: string;
  v2Fd: number;
}

export const lesson: Lesson<Vars> = {
  id: 'what-is-hot-restart',
  number: 1,
  chapter: { en: 'Chapter 1 · Foundations and pitfalls', zh: '第一章 · 基础与陷阱' },
  title: { en: 'What hot restart is', zh: '什么是热重启' },
  summary: {
    en: 'Restart a server the obvious way — stop the old process, start the new one — and for a moment nothing listens on its port: every client that arrives then is refused. Hot restart means replacing the process without that moment. This lesson measures the gap with a real load.',
    zh: '用最直接的方式重启服务——先停掉旧进程，再启动新进程——端口上会有一段时间没有任何 socket 在监听：这期间到达的客户端全部被拒绝。热重启，就是在替换进程的同时不出现这段空档。本课用真实的负载把这段空档量出来。',
  },
  recap: [
    { en: 'Stop-then-start leaves a moment when nothing listens on the port: clients that arrive then are refused.', zh: '先停后启会留下一段空档，端口上没有任何监听：这时到来的客户端都被拒绝。' },
    { en: 'The gap is measured, not guessed: a loopback load counts every refused request.', zh: '空档是量出来的，不是猜出来的：回环负载统计了每一个被拒绝的请求。' },
    { en: 'Hot restart replaces the process without that moment: the listening socket must outlive the old process.', zh: '热重启在替换进程时没有这段空档：监听 socket 必须比旧进程活得更久。' },
    { en: 'A draining load balancer moves the problem, it does not remove it: someone still has to restart without a gap.', zh: '负载均衡器的摘流只是把问题挪了个地方，并没有消除它：总得有人做到无空档重启。' },
  ],
  steps: [
    {
      id: 'serve',
      title: { en: 'A server under light load', zh: '一个轻负载下的服务' },
      text: {
        en: `Process v1 is a small HTTP server on 127.0.0.1; the kernel picked the port. A load generator in the tutor — loopback only, bounded in count and time, it stops by itself — runs ${CLIENTS} clients, each opening a new connection per request, and logs its counters four times a second: ok, refused (ECONNREFUSED), reset (ECONNRESET), timeout, and requests per second.\n\nThis first load runs for one second. In steady state every request should succeed.`,
        zh: `进程 v1 是一个小型 HTTP 服务，监听 127.0.0.1，端口由内核分配。教程里的负载生成器——只走回环地址（loopback），请求数和时长都有上限，会自己停下——开 ${CLIENTS} 个客户端，每个请求都新建一个连接，并且每秒 4 次打印计数：ok（成功）、refused（ECONNREFUSED，被拒绝）、reset（ECONNRESET，被重置）、timeout（超时），以及每秒请求数。\n\n第一轮负载持续 1 秒。稳定状态下，每个请求都应该成功。`,
      },
      code: {
        go: excerpt('go/naive.go', 'serve'),
        node: excerpt('node/naive.mjs', 'serve'),
        note: {
          en: 'The demo binds port 0 (the kernel chooses) instead of 8080, so two tutors on one machine never collide.',
          zh: '演示绑定的是 0 号端口（由内核选择），而不是 8080，这样同一台机器上的两个教程不会冲突。',
        },
      },
      async run(ctx) {
        await ctx.start('v1');
        const reply = await ctx.call('v1', { op: 'listen', reusePort: true, serve: 'http' });
        ctx.vars.v1Fd = reply.result.fd;
        ctx.vars.port = reply.result.port;
        ctx.vars.v1Pid = ctx.pid('v1');
        ctx.vars.v1Inode = ctx.row('v1', ctx.vars.v1Fd)?.inode;
        const steady = startLessonLoad(ctx, 1000);
        ctx.vars.steady = await steady.done;
        ctx.log({ en: `steady load in total: ${formatLoadStats(ctx.vars.steady, 'en')}`, zh: `稳定负载合计：${formatLoadStats(ctx.vars.steady, 'zh')}` });
      },
      show: {
        processes: ['v1'],
        focus: (row, ctx) => row.fd === ctx.vars.v1Fd,
        caption: { en: 'v1 and its listening socket', zh: 'v1 和它的监听 socket' },
      },
      expect: [
        {
          text: { en: "v1's socket is the only listener on the port", zh: 'v1 的 socket 是这个端口上唯一的监听者' },
          check: (ctx) => {
            const { ok, row, detail } = soleListener(ctx, 'v1', ctx.vars.v1Fd);
            return { ok, detail: `${detail}, QUEUE ${queueText(row)}` };
          },
        },
        {
          text: { en: 'steady state: requests succeed and none fails', zh: '稳定状态：请求全部成功，没有失败' },
          check: (ctx) => {
            const stats: LoadStats = ctx.vars.steady;
            return { ok: stats.ok > 0 && stats.failed === 0, detail: formatLoadStats(stats, ctx.lang) };
          },
        },
      ],
      hint: {
        en: 'The same counters from outside: curl -s -o /dev/null -w "%{http_code}\\n" http://127.0.0.1:PORT/ in a loop.',
        zh: '从外面看同样的计数：在循环里运行 curl -s -o /dev/null -w "%{http_code}\\n" http://127.0.0.1:PORT/。',
      },
    },
    {
      id: 'stop',
      title: { en: 'Restart the naive way: stop…', zh: '最朴素的重启：先停……' },
      text: {
        en: 'The obvious restart is stop, then start: systemctl restart, kill then run, a container replaced by a new one. The load starts again, and v1 exits. The kernel closes all of its fds; with the last reference to the listening socket gone, the socket is destroyed.\n\nFrom this moment nothing listens on the port. The kernel answers each new SYN with a RST, and the client\'s connect() fails with ECONNREFUSED. If v1 had accepted a request but not yet answered it, that request died with v1 and counts as reset. Watch the refused counter climb. (The tutor also tries a plain bind of the port now; step 3 explains the answer.)',
        zh: '最直接的重启就是「先停、再启动」：systemctl restart、先 kill 再运行、用新容器替换旧容器。负载重新开始，然后 v1 退出。内核关闭它的所有 fd（文件描述符）；指向监听 socket 的最后一个引用没了，这个 socket 随之被销毁。\n\n从这一刻起，端口上没有任何监听者。内核对每个新来的 SYN 回一个 RST，客户端的 connect() 以 ECONNREFUSED 失败。如果有请求已被 v1 accept 却还没来得及回应，它会随 v1 一起消失，记为 reset。注意 refused 计数不断上涨。（教程此时还试着用一个普通 socket 去 bind 这个端口；第 3 步解释结果。）',
      },
      code: {
        title: { en: 'Even a graceful stop closes the listener first', zh: '即使是「优雅」停止，也是先关闭监听 socket' },
        go: excerpt('go/naive.go', 'shutdown'),
        node: excerpt('node/naive.mjs', 'shutdown'),
      },
      async run(ctx) {
        ctx.vars.finalStats = undefined;
        ctx.vars.load = startLessonLoad(ctx, 10_000);
        await ctx.until(() => (loadOf(ctx)?.stats().ok ?? 0) >= CLIENTS * 5, 3000);
        ctx.vars.countersBefore = tcpCounters();
        ctx.vars.refusedBefore = loadOf(ctx)!.stats().refused;
        const v1 = ctx.supervisor.puppet('v1');
        await ctx.call('v1', { op: 'exit' });
        await v1?.exited;
        // Probed now, while v1's closed connections are fresh in TIME_WAIT (they last 60 s); step 3 explains it.
        ctx.vars.timeWait = timeWaitOn(ctx.vars.port);
        ctx.vars.plainBind = plainBindAnswer(ctx.vars.port);
        const call = `bind(127.0.0.1:${ctx.vars.port}) = ${ctx.vars.plainBind === '0' ? '0' : `-1 ${ctx.vars.plainBind}`}`;
        ctx.log({ en: `a plain socket, neither SO_REUSEADDR nor SO_REUSEPORT: ${call}`, zh: `一个不带 SO_REUSEADDR 和 SO_REUSEPORT 的普通 socket：${call}` });
        await ctx.until(() => (loadOf(ctx)?.stats().refused ?? 0) >= SEEN_REFUSED, 3000);
        ctx.log(formatLoadStats(loadOf(ctx)!.stats(), ctx.lang), 'event', 'load');
      },
      expect: [
        {
          text: { en: 'v1 is gone', zh: 'v1 已经退出' },
          check: (ctx) => ({ ok: !isAlive(ctx.vars.v1Pid), detail: `pid ${ctx.vars.v1Pid}` }),
        },
        {
          text: { en: 'nothing listens on the port', zh: '端口上没有任何监听者' },
          check: (ctx) => ({ ok: listenersOn(ctx.vars.port).length === 0, detail: `127.0.0.1:${ctx.vars.port}` }),
        },
        {
          text: { en: 'clients are refused (ECONNREFUSED)', zh: '客户端被拒绝（ECONNREFUSED）' },
          check: (ctx) => {
            const stats = statsOf(ctx);
            return { ok: (stats?.refused ?? 0) > 0, detail: stats ? formatLoadStats(stats, ctx.lang) : 'no load' };
          },
        },
        {
          text: {
            en: "the kernel counted every refusal too (Tcp AttemptFails in /proc/net/snmp rose at least as much)",
            zh: '内核自己也记下了每一次拒绝（/proc/net/snmp 中 Tcp 的 AttemptFails 至少涨了同样多）',
          },
          check: (ctx) => {
            // Load first, counter second: the counter can only have moved further by then.
            const refused = (statsOf(ctx)?.refused ?? 0) - ctx.vars.refusedBefore;
            const rose = (tcpCounters().AttemptFails ?? NaN) - ctx.vars.countersBefore.AttemptFails;
            return { ok: refused > 0 && rose >= refused, detail: `refused ${refused}, AttemptFails +${rose}` };
          },
        },
      ],
      quiz: {
        question: { en: 'Why are the clients refused at once instead of waiting for the new server?', zh: '为什么客户端立刻被拒绝，而不是等新服务起来？' },
        choices: [
          { en: 'No socket listens on the port, so the kernel answers the SYN with a RST', zh: '端口上没有监听 socket，内核直接用 RST 回应 SYN' },
          { en: 'v1 sent a refusal to every client before it exited', zh: 'v1 在退出前给每个客户端发送了拒绝' },
          { en: 'The HTTP client gives up after its timeout', zh: 'HTTP 客户端等到超时后放弃了' },
        ],
        answer: 0,
        explanation: {
          en: 'A connection attempt needs a listening socket to queue in. With none on the port, the kernel refuses on the spot — no process is involved, and nothing remembers the client for later.',
          zh: '连接请求需要有一个监听 socket 才能进入队列排队。端口上一个都没有时，内核当场拒绝——这个过程不涉及任何进程，也没有谁会记住这个客户端、稍后再处理。',
        },
      },
      hint: {
        en: 'nstat -az TcpAttemptFails (or the Tcp: lines of /proc/net/snmp) shows the same counter system-wide.',
        zh: 'nstat -az TcpAttemptFails（或 /proc/net/snmp 里 Tcp: 那两行）能看到同一个全系统计数器。',
      },
    },
    {
      id: 'start',
      title: { en: '…then start on the same port', zh: '……再在同一个端口上启动' },
      text: {
        en: 'Now the new version starts. A fresh process (v2) has to load its runtime and code before it can bind — here the start-up of a Node process; in production also configuration, caches, database connections. Every request in the meantime is refused.\n\nThen v2 binds the same port. The connections v1 closed still occupy the port in TIME_WAIT, and a bind without options fails with EADDRINUSE while they last — as the tutor\'s attempt in step 2 did. Go and Node set SO_REUSEADDR on every listener so that a restart can bind anyway; the demo\'s hand-made listener uses SO_REUSEPORT for the same purpose, and only one listener exists at a time. As soon as v2 listens, requests succeed again.',
        zh: '现在启动新版本。新进程（v2）要先加载运行时和代码才能 bind——这里是一个 Node 进程的启动时间；在生产环境中还有读配置、预热缓存、连接数据库。这段时间里的每个请求都被拒绝。\n\n然后 v2 绑定同一个端口。v1 关闭的那些连接仍以 TIME_WAIT 状态占着这个端口，在它们消失之前，不带任何选项的 bind 会以 EADDRINUSE 失败——第 2 步里教程的那次尝试就是如此。Go 和 Node 都会给每个监听 socket 设置 SO_REUSEADDR，好让重启后照样能 bind；演示里手工创建的监听 socket 用的是 SO_REUSEPORT，作用相同，而且任一时刻只有一个监听者。v2 一开始监听，请求就又成功了。',
      },
      code: {
        go: excerpt('go/naive.go', 'relisten'),
        node: excerpt('node/naive.mjs', 'relisten'),
      },
      async run(ctx) {
        // The load of step 2 may have ended by itself if the learner lingered; the gap goes on regardless.
        if (!loadOf(ctx) || loadOf(ctx)!.stats().finished) ctx.vars.load = startLessonLoad(ctx, 10_000);
        await ctx.start('v2');
        const reply = await ctx.call('v2', { op: 'listen', port: ctx.vars.port, reusePort: true, serve: 'http' });
        ctx.vars.v2Fd = reply.result.fd;
        const fromV2 = () => Object.entries(loadOf(ctx)!.stats().byHeader).find(([tag]) => tag.startsWith('v2 '))?.[1] ?? 0;
        await ctx.until(() => fromV2() >= SEEN_FROM_V2, 5000);
        ctx.vars.finalStats = await loadOf(ctx)!.stop();
        const stats: LoadStats = ctx.vars.finalStats;
        const window = stats.firstFailureMs === null ? 0 : stats.lastFailureMs! - stats.firstFailureMs;
        ctx.log({ en: `restart load in total: ${formatLoadStats(stats, 'en')}; failures for ${window} ms`, zh: `本轮负载合计：${formatLoadStats(stats, 'zh')}；失败持续 ${window} 毫秒` });
      },
      show: {
        processes: ['v2'],
        focus: (row, ctx) => row.fd === ctx.vars.v2Fd,
        caption: { en: 'v2: a new process, a new socket, the same port', zh: 'v2：新进程、新 socket、同一个端口' },
      },
      expect: [
        {
          text: { en: 'v2 now holds the only listener on the port — a new socket', zh: '现在由 v2 持有端口上唯一的监听者——一个新的 socket' },
          check: (ctx) => {
            const { ok, row, detail } = soleListener(ctx, 'v2', ctx.vars.v2Fd);
            return { ok: ok && row?.inode !== ctx.vars.v1Inode, detail: `${detail}, inode ${ctx.vars.v1Inode} -> ${row?.inode}` };
          },
        },
        {
          text: { en: "v1's connections sat in TIME_WAIT on the port, and a plain bind got EADDRINUSE", zh: 'v1 的连接以 TIME_WAIT 占着端口，不带选项的 bind 得到 EADDRINUSE' },
          check: (ctx) => ({ ok: ctx.vars.timeWait > 0 && ctx.vars.plainBind === 'EADDRINUSE', detail: `${ctx.vars.timeWait} in TIME_WAIT, bind: ${ctx.vars.plainBind}` }),
        },
        {
          text: { en: 'requests succeed again, answered by v2', zh: '请求重新成功，由 v2 应答' },
          check: (ctx) => {
            const answered = Object.entries(statsOf(ctx)?.byHeader ?? {}).map(([tag, n]) => `${tag.split(' ')[0]}: ${n}`);
            return { ok: answered.some((entry) => entry.startsWith('v2:')), detail: answered.join(', ') };
          },
        },
        {
          text: { en: 'the naive restart lost requests', zh: '朴素重启丢失了请求' },
          check: (ctx) => {
            const stats = statsOf(ctx);
            return { ok: (stats?.failed ?? 0) > 0, detail: stats ? formatLoadStats(stats, ctx.lang) : 'no load' };
          },
        },
      ],
      quiz: {
        question: { en: 'What decided how long clients were refused?', zh: '客户端被拒绝的时长由什么决定？' },
        choices: [
          { en: "The time from v1's listener closing until v2's listener existed — mostly v2's start-up", zh: '从 v1 的监听 socket 关闭到 v2 的监听 socket 出现之间的时间——主要是 v2 的启动耗时' },
          { en: 'TCP\'s retransmission timeout', zh: 'TCP 的重传超时' },
          { en: 'How long the TIME_WAIT connections last', zh: 'TIME_WAIT 连接持续的时间' },
        ],
        answer: 0,
        explanation: {
          en: 'Refusals happen exactly while no socket listens on the port. A faster start-up shrinks the gap but cannot close it: only a listener that never closes can.',
          zh: '只要端口上没有 socket 在监听，就会出现拒绝。启动得更快可以缩短空档，却无法消除它：只有一个从不关闭的监听 socket 才能做到。',
        },
      },
    },
    {
      id: 'load-balancer',
      title: { en: "Isn't a draining load balancer enough?", zh: '有负载均衡摘流量，还不够吗？' },
      text: {
        en: 'Often it is. With many machines behind a load balancer you restart one machine at a time: take it out of the pool, let its connections drain, restart it the naive way, put it back. The gap you just measured then never reaches a client.\n\nIt is not enough when:\n• there are only one or two machines: taking one out halves the capacity, or leaves nothing to serve;\n• you build a framework or library (tRPC-Go, a Node module) that cannot assume its platform — with or without a load balancer, under systemd, in a container, on a bare server;\n• connections live long (WebSocket, gRPC streams, long polling, MQTT): draining takes hours or never ends, and every forced reconnect costs the clients;\n• the process to restart is the load balancer itself (nginx, HAProxy, Envoy).\n\nThen the server must restart without ever closing its listening socket. The new process gets the very same socket — inherited across fork and exec, or passed over a unix socket with SCM_RIGHTS — or joins the port with SO_REUSEPORT before the old one leaves; the old process stops accepting and finishes what it has. That is hot restart, and the following lessons build it from the kernel up.',
        zh: '很多时候够了。负载均衡后面有很多台机器时，可以一次重启一台：把它从池子里摘掉，等它的连接排空（drain），用朴素的方式重启，再放回去。刚才量出来的那段空档根本到不了客户端。\n\n下面这些情况就不够了：\n• 只有一两台机器：摘掉一台，容量减半，甚至没有机器可用；\n• 你写的是框架或库（tRPC-Go、一个 Node 模块），不能假设它运行在什么平台上——有没有负载均衡、是否在 systemd 下、在容器里还是裸机上；\n• 连接是长连接（WebSocket、gRPC 流、长轮询、MQTT）：排空要几个小时甚至永远结束不了，而每一次被迫重连都要由客户端买单；\n• 要重启的进程本身就是负载均衡器（nginx、HAProxy、Envoy）。\n\n这时，服务必须在重启时始终不关闭它的监听 socket。新进程拿到的是同一个 socket——通过 fork 和 exec 继承，或者通过 unix socket 用 SCM_RIGHTS 传递——或者在旧进程离开之前用 SO_REUSEPORT 加入同一个端口；旧进程停止 accept，处理完手头的请求再退出。这就是热重启，后面的课程将从内核层面一步步把它搭起来。',
      },
      code: {
        title: { en: 'Where the course is going', zh: '课程的方向' },
        go: excerpt('go/naive.go', 'successor'),
        node: excerpt('node/naive.mjs', 'successor'),
      },
      quiz: {
        question: { en: 'Which service can simply rely on a draining load balancer instead of a hot restart?', zh: '下面哪个服务可以直接依赖负载均衡摘流量，而不需要热重启？' },
        choices: [
          { en: 'A stateless HTTP API on twenty machines behind a load balancer', zh: '部署在负载均衡后面 20 台机器上的无状态 HTTP API' },
          { en: 'A WebSocket chat server whose connections last for days', zh: '连接一连保持好几天的 WebSocket 聊天服务' },
          { en: 'The single nginx in front of everything', zh: '挡在所有服务前面的那唯一一台 nginx' },
        ],
        answer: 0,
        explanation: {
          en: 'Short requests drain in seconds and nineteen machines carry the load meanwhile. Day-long connections never drain, and the lone nginx has no one to drain to — nginx itself does a hot restart (USR2 starts a new master that inherits the listeners).',
          zh: '短请求几秒钟就能排空，期间由其余 19 台机器承担流量。而持续好几天的连接永远排不空，唯一的 nginx 也没有别的机器可以把流量转过去——nginx 自己就做热重启（USR2 信号启动一个继承监听 socket 的新 master）。',
        },
      },
      hint: {
        en: 'Try it yourself: run this lesson again and look at how long the failures lasted in step 3 — that is the gap a client sees on every naive restart.',
        zh: '自己试试：再运行一次本课，看看第 3 步里失败持续了多久——每次朴素重启，客户端都会遇到这样一段空档。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

// Lesson 13: the whole hot restart. One real HTTP server under a live loopback load (keep-alive and
// Connection: close clients), restarted three ways: naive stop-and-start (refused while nothing listens),
// SO_REUSEPORT re-bind (connections queued at the old socket are reset when it closes), and fd handover
// with the project's restart module (one socket for both generations, idle keep-alive connections passed
// on: nothing lost). The counters, pids and fd tables of each are compared at the end.
// The machinery (servers, loads, the busy old process, the summary) is in 13-whole-hot-restart.kit.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../src/demo/marker.js';
import { listenersOn } from '../src/lesson/kit.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { formatMixedStats, type MixedStats } from '../src/lesson/mixed-load.js';
import { environOf, parentOf, rowsOf, rowsTogether } from '../src/lesson/procview.js';
import { ENV as RESTART_ENV } from '@hotrestart-tutor/restart';
import { LessonActionError, type Lesson } from '../src/lesson/types.js';
import { excerpt, joinText } from '../src/lesson/excerpt.js';
import { goStep, type GoVars } from './13-whole-hot-restart.go.js';
import {
  answeredBy,
  BUSY_AT_LEAST_MS,
  CLOSE,
  countsOf,
  countsText,
  ensureLoad,
  FILES,
  finishLoad,
  isListener,
  isRestartRow,
  isTcp,
  type KitVars,
  KEEP_ALIVE,
  launch,
  leaveWhileBusy,
  listenerRow,
  pidOf,
  prepare,
  pumpReports,
  remember,
  reportsOf,
  reuseResetCheck,
  SEEN_FROM_NEW,
  SERVERS,
  signal,
  startLessonLoad,
  summaryLines,
  waitAnswers,
  waitGone,
} from './13-whole-hot-restart.kit.js';

/** The programs most code excerpts come from (lessons/assets/code); the Node handover is node/successor.mjs. */
const GO = 'go/hot-restart.go';
const NODE = 'node/restart-ways.mjs';

/** Answers the load must get while hot-2 warms up, every one from hot-1. */
const WARM_LOAD_ANSWERS = 20;

/** What the steps carry from one to the next (ctx.vars), besides what the kit keeps: a misspelt name does not compile. */
interface Vars extends KitVars, GoVars {
  steady: MixedStats;
  /** Each strategy's listener inode before the restart (hotInodeNow: after the whole handover). */
  naiveInode: number | null | undefined;
  hotInode: number | null | undefined;
  hotInodeNow: number | undefined;
  /** While hot-2 warms up: answers the load got in all (during), and how many of them hot-2 gave. */
  warmAnswers: { hot2: number; during: number };
  /** Clients' addresses of hot-1's keep-alive connections that stayed open, and of hot-2's. */
  hot1KeptOpen: string[];
  hot2Peers: string[];
}

export const lesson: Lesson<Vars> = {
  id: 'whole-hot-restart',
  number: 13,
  chapter: { en: 'Chapter 2 · Handing over the listener', zh: '第二章 · 交接监听 socket' },
  title: { en: 'The whole hot restart', zh: '完整的热重启' },
  summary: {
    en: 'Everything at once: a real HTTP server under a live load of keep-alive and Connection: close clients is restarted three ways — stop-and-start, SO_REUSEPORT re-bind, and fd handover with this project\'s restart module — while you watch the pids, the fd tables and the counters. Only the handover loses nothing, and the tables show why: the listening socket never closes, and idle connections change process instead of being dropped.',
    zh: '把前面学的都串起来：一个真实的 HTTP 服务，承受着 keep-alive 和 Connection: close 两类客户端的实时负载，用三种方式重启——先停后启、SO_REUSEPORT 重新绑定、用本项目的重启模块交接 fd——你可以一边看 pid、fd 表和计数器的变化。只有交接方式一个请求都不丢，fd 表说明了原因：监听 socket 从未关闭，空闲连接换了进程而不是被丢弃。',
  },
  recap: [
    { en: 'Stop-and-start refuses clients; a SO_REUSEPORT re-bind resets the old queue.', zh: '先停后启会拒绝客户端；SO_REUSEPORT 重新绑定会重置旧队列。' },
    { en: 'fd handover keeps one listening socket and one accept queue from start to end: nothing is closed, so nothing is lost.', zh: '交接 fd 从头到尾只有一个监听 socket、一个 accept 队列：什么都没关闭，所以什么都不会丢。' },
    { en: 'The successor warms up before it listens, and the old process leaves only after ready().', zh: '后继进程先预热再 listen，旧进程要等 ready() 之后才离开。' },
    { en: 'Idle keep-alive connections change process over SCM_RIGHTS instead of being closed.', zh: '空闲的 keep-alive 连接通过 SCM_RIGHTS 换到新进程，而不是被关闭。' },
    { en: 'In Go the same handover is ExtraFiles plus a readiness pipe: put O_NONBLOCK back after cmd.Start; the successor warms up, calls FileListener, then says READY.', zh: '在 Go 里，同样的交接就是 ExtraFiles 加一个就绪管道：cmd.Start 之后把 O_NONBLOCK 设回去；后继进程先预热，再调用 FileListener，最后发出 READY。' },
  ],
  steps: [
    {
      id: 'bench',
      title: { en: 'One server, one load', zh: '一个服务，一份负载' },
      text: {
        en: `A puppet called launcher plays the service manager (systemd, a container runtime): it starts each server as its child and later sends it signals. The servers are plain programs (lessons/servers/13-*.ts) that answer "ok <pid>" with their pid in an x-pid header; they report what they do to a file the tutor reads.\n\nThe load runs in the tutor, on loopback only, bounded, for a few seconds at most: ${KEEP_ALIVE} workers each reuse one keep-alive connection, ${CLOSE} open a new connection per request (Connection: close), each pausing 10 ms between requests. Its counters: ok, refused (ECONNREFUSED), reset (ECONNRESET), timeout, requests per second, and the longest gap — the longest time in which not a single request completed, which is what a user feels as an outage.\n\nFirst naive-1 serves alone for a moment: the steady state to compare with.`,
        zh: `一个叫 launcher 的傀儡进程扮演服务管理器（systemd、容器运行时）：它把每个服务作为自己的子进程启动，之后再给它发信号。服务本身是普通程序（lessons/servers/13-*.ts），回答「ok <pid>」，并在 x-pid 响应头里带上自己的 pid；它们把自己做的事写进一个文件，由教程读取。\n\n负载在教程进程里运行，只走回环地址，有上限，最多持续几秒：${KEEP_ALIVE} 个 worker 各自复用一条 keep-alive 连接，${CLOSE} 个 worker 每个请求都新建连接（Connection: close），每个请求之间停 10 毫秒。计数包括：ok、refused（ECONNREFUSED）、reset（ECONNRESET）、timeout、每秒请求数，以及最长空档——一个请求都没有完成的最长时间，也就是用户感受到的「服务中断」。\n\n先让 naive-1 单独服务一小会儿：这是用来对比的稳定状态。`,
      },
      code: {
        go: joinText(excerpt(GO, 'handler'), excerpt(GO, 'listen')),
        node: joinText(excerpt(NODE, 'server'), excerpt(NODE, 'listen')),
        note: { en: 'The demo binds port 0, and each strategy gets a port of its own.', zh: '演示绑定 0 号端口，每种策略各用一个端口。' },
      },
      async run(ctx) {
        await prepare(ctx);
        const report = await launch(ctx, 'naive-1', SERVERS.naive);
        ctx.vars.port = { naive: report.port };
        const steady = startLessonLoad(ctx, report.port);
        await ctx.sleep(700);
        ctx.vars.steady = await steady.stop();
        ctx.log({ en: `steady state: ${formatMixedStats(ctx.vars.steady, 'en')}`, zh: `稳定状态：${formatMixedStats(ctx.vars.steady, 'zh')}` });
      },
      show: { processes: ['naive-1'], focus: isListener, only: isTcp },
      expect: [
        {
          text: { en: "naive-1's socket is the only listener on its port", zh: 'naive-1 的 socket 是这个端口上唯一的监听者' },
          check: (ctx) => {
            const row = listenerRow(ctx, 'naive-1');
            const n = listenersOn(ctx.vars.port.naive).length;
            return { ok: !!row && n === 1, detail: `${n} LISTEN on 127.0.0.1:${ctx.vars.port.naive}; naive-1 fd ${row?.fd ?? '-'} inode ${row?.inode ?? '-'}` };
          },
        },
        {
          text: { en: 'steady state: requests succeed, none fails', zh: '稳定状态：请求全部成功，没有失败' },
          check: (ctx) => {
            const stats: MixedStats = ctx.vars.steady;
            return { ok: stats.ok > 0 && stats.failed === 0, detail: formatMixedStats(stats, ctx.lang) };
          },
        },
      ],
    },
    {
      id: 'naive',
      title: { en: '1 · Naive: stop, then start', zh: '1 · 朴素：先停，再启动' },
      text: {
        en: 'The load starts again, and the launcher sends naive-1 SIGTERM, as systemctl restart does. naive-1 leaves as carefully as a process without a successor can: it closes its listener at once, answers the requests it already has with Connection: close, and exits when its last connection is gone. Only then does the launcher start naive-2 on the same port.\n\nFrom the close of naive-1\'s listener until naive-2 listens, no socket listens on the port: the kernel answers every SYN with a RST and connect() fails with ECONNREFUSED. The keep-alive clients are no better off: naive-1 ended their connections, and their reconnects are refused too. The gap lasts as long as the old process takes to finish plus the new one takes to start. (A connection that was still waiting in naive-1\'s accept queue when it closed is reset: the same loss step 4 looks at closely.)',
        zh: '负载重新开始，launcher 给 naive-1 发送 SIGTERM，就像 systemctl restart 那样。naive-1 以一个没有后继进程的进程所能做到的最谨慎的方式离开：立刻关闭监听 socket，用 Connection: close 答完手头的请求，等最后一个连接结束后退出。之后 launcher 才在同一个端口上启动 naive-2。\n\n从 naive-1 的监听 socket 关闭，到 naive-2 开始监听，这段时间端口上没有任何 socket 在监听：内核对每个 SYN 回一个 RST，connect() 以 ECONNREFUSED 失败。keep-alive 客户端也好不到哪里去：naive-1 结束了它们的连接，它们重新连接时同样被拒绝。空档的长度 = 旧进程收尾的时间 + 新进程启动的时间。（关闭时还在 naive-1 的 accept 队列里等待的连接会被重置：第 4 步会仔细看这种损失。）',
      },
      code: {
        go: excerpt(GO, 'sigterm'),
        node: excerpt(NODE, 'sigterm'),
      },
      async run(ctx) {
        const port = ctx.vars.port.naive;
        ctx.vars.naiveInode = listenerRow(ctx, 'naive-1')?.inode;
        const load = ensureLoad(ctx, 'naive', port);
        await ctx.until(() => load.stats().ok >= 40, 3000);
        await signal(ctx, 'naive-1', 'SIGTERM');
        await waitGone(ctx, 'naive-1');
        await launch(ctx, 'naive-2', SERVERS.naive, { PORT: String(port) });
        await waitAnswers(ctx, 'naive', 'naive-2', SEEN_FROM_NEW);
        await finishLoad(ctx, 'naive');
        ctx.log({ en: `naive restart: ${countsText(ctx, 'naive')}`, zh: `朴素重启：${countsText(ctx, 'naive')}` });
      },
      show: { processes: ['naive-2'], focus: isListener, only: isTcp },
      expect: [
        {
          text: { en: 'while nothing listened, clients were refused (ECONNREFUSED)', zh: '没有监听者的那段时间，客户端被拒绝（ECONNREFUSED）' },
          check: (ctx) => ({ ok: (countsOf(ctx, 'naive')?.refused ?? 0) > 0, detail: countsText(ctx, 'naive') }),
        },
        {
          text: { en: 'naive-2 listens on the same port with a new socket (another inode)', zh: 'naive-2 在同一个端口上用一个新的 socket 监听（inode 不同）' },
          check: (ctx) => {
            const row = listenerRow(ctx, 'naive-2');
            const ok = !!row?.inode && row.inode !== ctx.vars.naiveInode && listenersOn(ctx.vars.port.naive).length === 1;
            return { ok, detail: `inode ${ctx.vars.naiveInode} → ${row?.inode ?? '-'}` };
          },
        },
        {
          text: { en: 'answers came from naive-1, then from naive-2', zh: '先由 naive-1 应答，之后由 naive-2 应答' },
          check: (ctx) => {
            const stats = countsOf(ctx, 'naive');
            const [before, after] = ['naive-1', 'naive-2'].map((name) => answeredBy(stats, pidOf(ctx, name)));
            return { ok: before > 0 && after > 0, detail: `naive-1 ${before} · naive-2 ${after}` };
          },
        },
      ],
      quiz: {
        question: { en: 'The keep-alive clients had open connections. Why did they fail too?', zh: 'keep-alive 客户端本来有打开着的连接，为什么也失败了？' },
        choices: [
          { en: 'naive-1 ended their connections when it left, and their reconnects found no listener', zh: 'naive-1 离开时结束了它们的连接，它们重新连接时找不到监听者' },
          { en: 'Keep-alive connections are refused by the kernel during a restart', zh: '重启期间内核会拒绝 keep-alive 连接' },
          { en: 'They did not fail; only Connection: close clients did', zh: '它们没有失败；失败的只有 Connection: close 的客户端' },
        ],
        answer: 0,
        explanation: {
          en: 'A connection belongs to the process that holds its fd. When that process exits the connection ends, and the client must connect again — into the gap. Only a successor that takes the connection over (step 6) spares the client that.',
          zh: '连接属于持有它 fd 的进程。这个进程退出，连接也就结束了，客户端只能重新连接——正好撞进空档。只有接手这条连接的后继进程（第 6 步）才能让客户端不必重连。',
        },
      },
    },
    {
      id: 'reuseport-join',
      title: { en: '2 · SO_REUSEPORT: the new one binds beside the old', zh: '2 · SO_REUSEPORT：新进程在旧进程旁边绑定' },
      text: {
        en: 'The second way avoids the gap by overlapping the two generations. reuse-1 makes its socket by hand with SO_REUSEPORT, binds a port and serves. Under load, the launcher starts reuse-2, which makes its own socket with SO_REUSEPORT and binds the very same port: the kernel allows it, because both sockets set the option and belong to the same user (lesson 7).\n\nNow two sockets listen: two DESC letters, two inodes, two accept queues. For each new connection the kernel picks one of them by a hash of the addresses and ports. The keep-alive clients stay where they are, on reuse-1; new connections go to both.',
        zh: '第二种方式让两代进程重叠，以此避开空档。reuse-1 手工创建 socket，设置 SO_REUSEPORT，绑定端口并开始服务。在负载之下，launcher 启动 reuse-2，它也创建自己的 socket、设置 SO_REUSEPORT，并绑定同一个端口：内核允许这样做，因为两个 socket 都设置了这个选项，而且属于同一个用户（第 7 课）。\n\n现在有两个 socket 在监听：两个 DESC 字母、两个 inode、两个 accept 队列。对每个新连接，内核根据地址和端口的哈希从中挑一个。keep-alive 客户端留在原处，也就是 reuse-1 上；新连接则两边都有。',
      },
      code: {
        go: excerpt('go/reuseport.go', 'listen'),
        node: excerpt(NODE, 'reuseport'),
      },
      async run(ctx) {
        const { port } = await launch(ctx, 'reuse-1', SERVERS.reuseport, { BUSY_END_FILE: FILES.busyEnd });
        ctx.vars.port.reuseport = port;
        const load = ensureLoad(ctx, 'reuseport', port);
        await ctx.until(() => load.stats().ok >= 40, 3000);
        await launch(ctx, 'reuse-2', SERVERS.reuseport, { PORT: String(port) });
        await waitAnswers(ctx, 'reuseport', 'reuse-2', SEEN_FROM_NEW);
        await finishLoad(ctx, 'reuseport');
        ctx.log({ en: `both serving: ${countsText(ctx, 'reuseport')}`, zh: `两者同时服务：${countsText(ctx, 'reuseport')}` });
      },
      show: { processes: ['reuse-1', 'reuse-2'], focus: isListener, only: isTcp },
      expect: [
        {
          text: { en: 'two sockets listen on the same port', zh: '两个 socket 在同一个端口上监听' },
          check: (ctx) => {
            const n = listenersOn(ctx.vars.port.reuseport).length;
            return { ok: n === 2, detail: `127.0.0.1:${ctx.vars.port.reuseport}: ${n} LISTEN` };
          },
        },
        {
          text: { en: 'they are two sockets, not one shared: two descriptions, two inodes', zh: '它们是两个 socket，而不是共享的一个：两个打开文件描述，两个 inode' },
          check: (ctx) => {
            const [a, b] = rowsTogether(ctx, [['reuse-1', ctx.vars.fd['reuse-1']], ['reuse-2', ctx.vars.fd['reuse-2']]]);
            const ok = !!a?.inode && !!b?.inode && a.inode !== b.inode && a.description !== b.description;
            return { ok, detail: `DESC ${a?.description ?? '-'} / ${b?.description ?? '-'}, inode ${a?.inode ?? '-'} / ${b?.inode ?? '-'}` };
          },
        },
        {
          text: { en: 'both processes answered: the kernel gave reuse-2 a share of the new connections', zh: '两个进程都有应答：内核把一部分新连接分给了 reuse-2' },
          check: (ctx) => {
            const stats = countsOf(ctx, 'reuseport');
            const [a, b] = ['reuse-1', 'reuse-2'].map((name) => answeredBy(stats, pidOf(ctx, name)));
            return { ok: a > 0 && b > 0 && (stats?.failed ?? 1) === 0, detail: `reuse-1 ${a} · reuse-2 ${b} · failed ${stats?.failed ?? '-'}` };
          },
        },
      ],
    },
    {
      id: 'reuseport-leave',
      title: { en: '…then the old one closes: its queue is reset', zh: '……然后旧进程关闭：它的队列被重置' },
      text: {
        en: `Now reuse-1 must go. It gets SIGTERM while busy — a slow request, a GC pause, its own shutdown work — so for a moment it calls accept() no more. The kernel does not know that: it goes on putting about half of the new connections into reuse-1's accept queue, where they wait. The demo makes the moment last: reuse-1's event loop is blocked until the tutor has read the queue from the fd table (at least ${BUSY_AT_LEAST_MS} ms), and then, in the same turn, it closes its listener.\n\nClosing a listener does not pass its queue to the other socket of the group. Every connection still waiting there — handshake done, request sent, connect() long since returned — is reset, and its client reads ECONNRESET. (Since Linux 5.14, net.ipv4.tcp_migrate_req = 1 moves them to a sibling instead, as lesson 7 showed. This step needs the default, 0: if the value is 1 and the tutor may change it, it sets 0 for the step and puts the old value back.) Connections reuse-1 had already accepted are finished normally.`,
        zh: `现在 reuse-1 要退出了。它收到 SIGTERM 时正忙——一个慢请求、一次 GC 停顿、它自己的收尾工作——所以有一小段时间不再调用 accept()。内核并不知道这一点：它照样把大约一半的新连接放进 reuse-1 的 accept 队列，让它们在那里等着。演示把这一刻拉长了：reuse-1 的事件循环一直被阻塞，直到教程从 fd 表里读到队列长度（至少 ${BUSY_AT_LEAST_MS} 毫秒），然后它在同一轮事件循环里关闭监听 socket。\n\n关闭监听 socket 并不会把它的队列交给组里的另一个 socket。仍在队列里等待的每个连接——握手已完成、请求已发出、connect() 早已返回——都会被重置，客户端读到 ECONNRESET。（从 Linux 5.14 起，net.ipv4.tcp_migrate_req = 1 会把它们迁移给同组的兄弟 socket，第 7 课演示过。这一步需要默认值 0：如果当前值是 1 且教程有权限修改，它会在这一步里设为 0，结束后写回原值。）reuse-1 已经 accept 的连接则正常处理完。`,
      },
      code: {
        go: excerpt(GO, 'sigterm'),
        node: excerpt(NODE, 'sigterm'),
      },
      run: leaveWhileBusy,
      show: { processes: ['reuse-2'], focus: isListener, only: isTcp },
      expect: [
        {
          text: { en: "just before reuse-1 closed its listener, connections waited in its accept queue (read from its fd table)", zh: 'reuse-1 关闭监听 socket 之前一刻，它的 accept 队列里有连接在等待（从 fd 表读出）' },
          check: (ctx) => ({ ok: ctx.vars.reuseClose.queueAtClose > 0, detail: `QUEUE ${ctx.vars.reuseClose.queueAtClose}` }),
        },
        {
          text: { en: 'every one of them was reset: the load counted at least as many ECONNRESET', zh: '它们全部被重置：负载记录到的 ECONNRESET 至少有这么多' },
          check: (ctx) => reuseResetCheck(ctx),
        },
        {
          text: { en: 'reuse-2 listens alone now; reuse-1 has exited', zh: '现在只剩 reuse-2 在监听；reuse-1 已经退出' },
          check: (ctx) => {
            const n = listenersOn(ctx.vars.port.reuseport).length;
            const row = listenerRow(ctx, 'reuse-2');
            return { ok: n === 1 && !!row && !isAlive(pidOf(ctx, 'reuse-1')), detail: `${n} LISTEN, reuse-2 fd ${row?.fd ?? '-'}` };
          },
        },
      ],
      quiz: {
        question: { en: 'Why were connections lost although a socket listened on the port the whole time?', zh: '端口上始终有 socket 在监听，为什么还是丢了连接？' },
        choices: [
          { en: 'Each SO_REUSEPORT socket has its own accept queue, and closing a socket resets what waits in its queue', zh: '每个 SO_REUSEPORT socket 有自己的 accept 队列，关闭 socket 会重置其队列里等待的连接' },
          { en: 'Two listeners on one port confuse the clients', zh: '一个端口上有两个监听者，把客户端弄糊涂了' },
          { en: 'reuse-2 refused the connections reuse-1 could not take', zh: 'reuse-2 拒绝了 reuse-1 接不下的连接' },
        ],
        answer: 0,
        explanation: {
          en: 'The kernel assigns a connection to one socket of the group when the SYN arrives. If that socket closes before accept(), the connection dies with it (unless tcp_migrate_req = 1). The busier the old process, the longer its queue — and a restart often happens exactly when a process is busy.',
          zh: '内核在 SYN 到达时就把连接分给组里的某一个 socket。如果这个 socket 在 accept() 之前关闭，连接就随之而亡（除非 tcp_migrate_req = 1）。旧进程越忙，它的队列就越长——而重启恰恰常常发生在进程忙碌的时候。',
        },
      },
      hint: {
        en: 'Watch it yourself: ss -ltn "sport = :PORT" shows one line per socket of the group; Recv-Q is its accept queue.',
        zh: '自己观察：ss -ltn "sport = :PORT" 为组里的每个 socket 显示一行；Recv-Q 就是它的 accept 队列。',
      },
    },
    {
      id: 'handover-inherit',
      title: { en: '3 · fd handover: the successor inherits the socket', zh: '3 · 交接 fd：后继进程继承同一个 socket' },
      text: {
        en: "The third way never makes a second socket. hot-1 is written with this project's restart module: Upgrader.create(), up.listen(server, 'http', ...), up.ready(). Under load, the launcher sends it SIGUSR2 (kill -USR2, as for nginx's binary upgrade; tableflip's example uses SIGHUP). The module starts hot-2 with the same command line (through /bin/sh, which sets LISTEN_PID=$$ and execs node, so the pid is hot-2's own) and passes the listener at hot-2's fd 3, with LISTEN_FDS=1, LISTEN_PID and LISTEN_FDNAMES=http in its environment; beside it, the write end of a readiness pipe and one end of a socketpair for the connections to come.\n\nhot-2 is held in its warm-up here, before it listens, so you can look: hot-1's fd and hot-2's fd 3 carry the same DESC letter and the same inode. One socket, one accept queue, two processes. hot-2 only holds it: a successor warms up first (configuration, caches, connections), then calls up.listen() and starts accepting, then up.ready(). Had it listened before it was warm, it would take connections from the shared queue that it cannot serve well yet. So while it warms up, hot-1 answers every request. Nothing can be lost between them, because nothing is closed.",
        zh: '第三种方式根本不创建第二个 socket。hot-1 用本项目的重启模块编写：Upgrader.create()、up.listen(server, \'http\', ...)、up.ready()。在负载之下，launcher 给它发送 SIGUSR2（kill -USR2，和 nginx 升级二进制时一样；tableflip 的示例用的是 SIGHUP）。模块用同样的命令行启动 hot-2（经由 /bin/sh：它设置 LISTEN_PID=$$ 后 exec node，所以这个 pid 就是 hot-2 自己的），把监听 socket 放在 hot-2 的 fd 3 上，并在环境变量里写上 LISTEN_FDS=1、LISTEN_PID 和 LISTEN_FDNAMES=http；旁边还有一个就绪管道（readiness pipe）的写端，以及一个 socketpair 的一端，留给稍后交接的连接。\n\n这里让 hot-2 停在预热阶段、还没有 listen，好让你看清楚：hot-1 的 fd 和 hot-2 的 fd 3 带着相同的 DESC 字母和相同的 inode。一个 socket、一个 accept 队列、两个进程。hot-2 只是持有它：后继进程先预热（配置、缓存、连接），再调用 up.listen() 开始 accept，最后调用 up.ready()。如果它在预热完成之前就 listen，就会从共享队列里取走它还无法好好处理的连接。所以预热期间，每个请求都由 hot-1 应答。两者之间什么都不会丢，因为什么都没有关闭。',
      },
      code: {
        title: { en: 'The stdlib handover tableflip wraps (Go) and this project\'s module (Node): the same shape', zh: 'tableflip 所封装的标准库交接（Go）和本项目的模块（Node）：同样的结构' },
        go: excerpt(GO, 'upgrade'),
        node: joinText(excerpt('node/successor.mjs', 'create'), excerpt('node/successor.mjs', 'order')),
      },
      async run(ctx) {
        const first = await launch(ctx, 'hot-1', SERVERS.handover, { PID_FILE: FILES.pid, READY_GATE: FILES.gate });
        ctx.vars.port.handover = first.port;
        ctx.vars.hotInode = listenerRow(ctx, 'hot-1')?.inode;
        const load = ensureLoad(ctx, 'handover', first.port);
        await ctx.until(() => load.stats().ok >= 40, 3000);
        await signal(ctx, 'hot-1', 'SIGUSR2');
        const warming = await ctx.until(() => reportsOf(ctx).find((r) => r.event === 'warming-up' && r.generation === 2), 15_000);
        if (!warming) throw new LessonActionError({ en: 'hot-2 did not start within 15 s', zh: 'hot-2 在 15 秒内没有启动' });
        pumpReports(ctx);
        // hot-2 has not called listen yet: the module placed the listener at fd 3 (LISTEN_FDS starts there).
        remember(ctx, 'hot-2', { ...warming, port: first.port, fd: 3 });
        // The write end of the readiness pipe, whose number the module put in hot-2's environment.
        const readyFd = Number(environOf(warming.pid).get(RESTART_ENV.readyFd));
        ctx.vars.readinessPipe = rowsOf(ctx, 'hot-2').find((row) => row.fd === readyFd)?.inode;
        // A stretch of load while hot-2 warms up: every answer must come from hot-1.
        const before = load.stats().ok;
        await ctx.until(() => load.stats().ok >= before + WARM_LOAD_ANSWERS || load.stats().finished, 10_000);
        ctx.vars.warmAnswers = { hot2: answeredBy(load.stats(), warming.pid), during: load.stats().ok - before };
      },
      show: {
        processes: ['hot-1', 'hot-2'],
        focus: (row, ctx) => isListener(row) || (row.type === 'FIFO' && row.inode === ctx.vars.readinessPipe),
        only: isRestartRow,
        caption: { en: 'two generations, one listening socket: the same DESC letter and inode', zh: '两代进程，一个监听 socket：DESC 字母和 inode 都相同' },
      },
      expect: [
        {
          text: { en: "hot-1's listener fd and hot-2's fd 3 are one open file description: one socket", zh: 'hot-1 的监听 fd 和 hot-2 的 fd 3 是同一个打开文件描述：同一个 socket' },
          check: (ctx) => {
            const [a, b] = rowsTogether(ctx, [['hot-1', ctx.vars.fd['hot-1']], ['hot-2', ctx.vars.fd['hot-2']]]);
            const ok = b?.fd === 3 && !!a?.inode && a.inode === b.inode && a.description !== '?' && a.description === b.description;
            return { ok, detail: `hot-1 fd ${a?.fd ?? '-'} / hot-2 fd ${b?.fd ?? '-'}: inode ${a?.inode ?? '-'} / ${b?.inode ?? '-'}` };
          },
        },
        {
          text: { en: 'hot-2 answers nothing while it warms up: it holds fd 3 but has not listened on it yet', zh: 'hot-2 预热期间一个请求都不应答：它持有 fd 3，但还没有在上面 listen' },
          check: (ctx) => {
            const { hot2, during } = ctx.vars.warmAnswers;
            const detail = ctx.t({ en: `${during} answers during the warm-up; hot-2 ${hot2} · hot-1 ${answeredBy(countsOf(ctx, 'handover'), pidOf(ctx, 'hot-1'))}`, zh: `预热期间 ${during} 个应答；hot-2 ${hot2} · hot-1 ${answeredBy(countsOf(ctx, 'handover'), pidOf(ctx, 'hot-1'))}` });
            return { ok: during >= WARM_LOAD_ANSWERS && hot2 === 0, detail };
          },
        },
        {
          text: { en: 'the port has one listening socket, so one accept queue', zh: '端口上只有一个监听 socket，也就只有一个 accept 队列' },
          check: (ctx) => {
            const listeners = listenersOn(ctx.vars.port.handover);
            return { ok: listeners.length === 1 && listeners[0].inode === ctx.vars.hotInode, detail: `${listeners.length} LISTEN, inode ${listeners[0]?.inode ?? '-'}` };
          },
        },
        {
          text: { en: "hot-2 is hot-1's child: the module forked and exec'd the same program", zh: 'hot-2 是 hot-1 的子进程：模块 fork 并 exec 了同一个程序' },
          check: (ctx) => {
            const parent = parentOf(pidOf(ctx, 'hot-2'));
            return { ok: parent === pidOf(ctx, 'hot-1'), detail: `PPid ${parent ?? '-'}` };
          },
        },
        {
          text: { en: 'no request has failed so far', zh: '到目前为止没有请求失败' },
          check: (ctx) => ({ ok: countsOf(ctx, 'handover')?.failed === 0, detail: countsText(ctx, 'handover') }),
        },
      ],
      hint: {
        en: 'The variables the module set are still in /proc/PID/environ of hot-2 (the module removed them from process.env only): tr "\\0" "\\n" < /proc/PID/environ | grep -E "LISTEN|HOTRESTART"',
        zh: '模块设置的变量仍然留在 hot-2 的 /proc/PID/environ 里（模块只是把它们从 process.env 中删掉了）：tr "\\0" "\\n" < /proc/PID/environ | grep -E "LISTEN|HOTRESTART"',
      },
    },
    {
      id: 'handover-ready',
      title: { en: '…ready(): the old one hands over and leaves', zh: '……ready()：旧进程交接后离开' },
      text: {
        en: "The warm-up ends; hot-2 calls up.listen(), which serves on the inherited fd 3, then up.ready(): it writes to the readiness pipe. hot-1 reads that as its cue. It stops accepting — it closes its fd of the listener, but hot-2's fd 3 keeps the socket, its queue and everything waiting in it. Then it hands over its connections: each keep-alive connection, as soon as it is idle (no request in flight, no byte of a next one read), is sent to hot-2 over the socketpair with SCM_RIGHTS and closed in hot-1. Closing one of two fds of a connection sends nothing: no FIN, no RST. The client notices nothing, and its next request on the same connection is read by hot-2. Requests in flight finish in hot-1 first. Then hot-1 exits.\n\nThe table shows hot-2 alone: the listener at fd 3 with the inode hot-1 bound at the very start, and the connections it took over, with the clients' same ports.",
        zh: '预热结束；hot-2 调用 up.listen()，在继承来的 fd 3 上提供服务，然后调用 up.ready()：它向就绪管道写入一条消息。hot-1 读到后就知道该让位了。它停止 accept——关闭自己那个监听 fd，但 hot-2 的 fd 3 仍然持有这个 socket、它的队列以及队列里等待的一切。然后它交出自己的连接：每条 keep-alive 连接一旦空闲（没有进行中的请求，也没读到下一个请求的任何字节），就通过 socketpair 用 SCM_RIGHTS 发给 hot-2，并在 hot-1 里关闭。连接有两个 fd 时，关掉其中一个不会发出任何报文：没有 FIN，也没有 RST。客户端毫无察觉，它在同一条连接上的下一个请求由 hot-2 读取。进行中的请求先在 hot-1 里处理完。然后 hot-1 退出。\n\nfd 表里只剩 hot-2：fd 3 上的监听 socket，inode 就是 hot-1 最初绑定的那个；还有它接手的连接，客户端端口和原来一样。',
      },
      code: {
        go: joinText(excerpt(GO, 'ready'), { en: '// in the old process, once the pipe says READY:', zh: '// 旧进程里，等管道里读到 READY：' }, excerpt(GO, 'leave')),
        node: joinText(excerpt('node/successor.mjs', 'order'), excerpt('node/successor.mjs', 'then')),
        note: {
          en: 'tableflip and endless pass only listeners; their old process closes idle keep-alive connections, and a request sent on one at that moment is lost. The Go program above first answers its last requests with Connection: close for up to 2 s (the next step runs it); handing the connection over removes the race altogether.',
          zh: 'tableflip 和 endless 只传递监听 socket；旧进程会关闭空闲的 keep-alive 连接，恰好在这时通过这条连接发出的请求就会丢失。上面的 Go 程序会先在最多 2 秒内给最后几个请求的响应带上 Connection: close（下一步会运行它）；把连接交接出去，则彻底消除了这个竞态。',
        },
      },
      async run(ctx) {
        const load = ensureLoad(ctx, 'handover', ctx.vars.port.handover);
        await ctx.until(() => load.stats().ok >= 40, 3000);
        // hot-1's connections that stay open (keep-alive), seen in two snapshots apart; new-per-request ones come and go.
        const established = (name: string) => rowsOf(ctx, name).filter((row) => row.socket?.state === 'ESTABLISHED').map((row) => row.socket!.remote!);
        const first = established('hot-1');
        await ctx.sleep(100);
        ctx.vars.hot1KeptOpen = established('hot-1').filter((peer) => first.includes(peer));
        writeFileSync(join(ctx.supervisor.dir, FILES.gate), '');
        await waitGone(ctx, 'hot-1');
        await waitAnswers(ctx, 'handover', 'hot-2', SEEN_FROM_NEW);
        ctx.vars.hot2Peers = established('hot-2');
        // The load goes on, quietly, so that the table below shows hot-2 serving the connections it took
        // over; the summary stops it.
        ctx.vars.muted = { ...ctx.vars.muted, handover: true };
      },
      show: {
        processes: ['hot-2'],
        focus: (row, ctx) => isListener(row) || (ctx.vars.hot1KeptOpen as string[]).includes(row.socket?.remote ?? ''),
        only: isTcp,
        caption: { en: 'hot-2 alone: the same listener, and the connections it was handed', zh: '只剩 hot-2：同一个监听 socket，以及交接给它的连接' },
      },
      expect: [
        {
          text: { en: 'hot-2 holds the socket hot-1 bound at the start (same inode), the only listener on the port', zh: 'hot-2 持有 hot-1 最初绑定的那个 socket（inode 相同），它是端口上唯一的监听者' },
          check: (ctx) => {
            const row = listenerRow(ctx, 'hot-2');
            const ok = row?.fd === 3 && row.inode === ctx.vars.hotInode && listenersOn(ctx.vars.port.handover).length === 1;
            return { ok, detail: `inode ${ctx.vars.hotInode} → ${row?.inode ?? '-'} (hot-2 fd ${row?.fd ?? '-'})` };
          },
        },
        {
          text: { en: "hot-1's keep-alive connections are hot-2's now: the same client ports, never closed", zh: 'hot-1 的 keep-alive 连接现在属于 hot-2：客户端端口相同，从未关闭' },
          check: (ctx) => {
            const kept: string[] = ctx.vars.hot1KeptOpen;
            // A fresh load (after a long pause on the previous step) may have put every keep-alive connection on hot-2.
            if (kept.length === 0) return { ok: false, skipped: true, detail: 'hot-1 held no keep-alive connection at that moment' };
            const moved = kept.filter((peer) => (ctx.vars.hot2Peers as string[]).includes(peer));
            return { ok: moved.length === kept.length, detail: `${moved.length}/${kept.length}: ${kept.map((peer) => peer.split(':').pop()).join(', ')}` };
          },
        },
        {
          text: { en: 'hot-1 has exited, and hot-2 answers', zh: 'hot-1 已经退出，由 hot-2 应答' },
          check: (ctx) => {
            const answered = answeredBy(countsOf(ctx, 'handover'), pidOf(ctx, 'hot-2'));
            return { ok: !isAlive(pidOf(ctx, 'hot-1')) && answered > 0, detail: `hot-2 ${answered}` };
          },
        },
        {
          text: { en: 'not one request failed during the whole upgrade', zh: '整个升级过程中没有一个请求失败' },
          check: (ctx) => {
            const stats = countsOf(ctx, 'handover');
            return { ok: !!stats && stats.ok > 0 && stats.failed === 0, detail: countsText(ctx, 'handover') };
          },
        },
      ],
      quiz: {
        question: { en: 'hot-1 closed its listener fd. Why was no connection in the accept queue reset, unlike reuse-1\'s?', zh: 'hot-1 关闭了它的监听 fd。为什么 accept 队列里的连接没有像 reuse-1 那样被重置？' },
        choices: [
          { en: "close() only dropped one reference: hot-2's fd 3 still refers to the same socket, whose queue hot-2 accepts from", zh: 'close() 只去掉了一个引用：hot-2 的 fd 3 仍然指向同一个 socket，hot-2 从它的队列里 accept' },
          { en: 'The module copies the queue to hot-2 before closing', zh: '模块在关闭之前把队列复制给了 hot-2' },
          { en: 'The kernel migrates queues between processes of the same program', zh: '内核会在同一个程序的进程之间迁移队列' },
        ],
        answer: 0,
        explanation: {
          en: 'A socket is destroyed, and its queue reset, only when its last fd closes (lesson 5). With the listener inherited there is one socket and one queue from the first generation to the last; no queue ever needs to move.',
          zh: '只有当最后一个 fd 关闭时，socket 才会被销毁，它的队列才会被重置（第 5 课）。监听 socket 被继承下来，从第一代到最后一代始终只有一个 socket、一个队列，根本不需要迁移任何队列。',
        },
      },
    },
    goStep,
    {
      id: 'summary',
      title: { en: 'Three restarts side by side', zh: '三种重启放在一起比较' },
      text: {
        en: "The load of the handover stops, and the tutor puts the three restarts side by side (the table in the log below; failures are attempts: a refused worker tries again 10 ms later).\n\n• Naive stop-and-start loses every request of the gap, and the gap is as long as the old process takes to leave plus the new one takes to start — here a Node start; in production also configuration, caches and connections.\n• SO_REUSEPORT closes the gap: a socket always listens, nothing is refused. But there are two sockets with two accept queues, and whatever waits in the old one when it closes is reset — a busy old process makes that likelier, not rarer. Its keep-alive clients must reconnect. It is Linux-only, anyone of the same user can join the port (lesson 7), and net.ipv4.tcp_migrate_req = 1 (Linux 5.14+) is needed to save the old queue.\n• fd handover keeps one socket from the first generation to the last, so there is neither a gap nor a second queue, and the module hands idle connections over instead of closing them. The price: the successor must be started by the old process (or receive the fds over a unix socket), and the application must say when it is ready.",
        zh: '交接那一轮的负载停下，教程把三次重启放在一起比较（见下面日志里的表格；失败数按尝试次数计：被拒绝的 worker 10 毫秒后会再试）。\n\n• 朴素的先停后启会丢掉空档里的每一个请求，空档长度等于旧进程退出所需的时间加上新进程启动所需的时间——这里是一个 Node 进程的启动；生产环境里还要加上读配置、预热缓存、建立连接。\n• SO_REUSEPORT 消除了空档：始终有 socket 在监听，没有请求被拒绝。但这是两个 socket、两个 accept 队列，旧 socket 关闭时队列里等待的连接会被重置——旧进程越忙，这种事就越容易发生。它的 keep-alive 客户端必须重新连接。它只适用于 Linux，同一用户的任何进程都能加入这个端口（第 7 课），要保住旧队列还需要 net.ipv4.tcp_migrate_req = 1（Linux 5.14+）。\n• 交接 fd 让同一个 socket 从第一代用到最后一代，既没有空档，也没有第二个队列；模块还把空闲连接交接出去，而不是关掉它们。代价是：后继进程必须由旧进程启动（或者通过 unix socket 接收 fd），而且应用程序必须明确告知自己何时就绪。',
      },
      code: {
        other: { label: 'shell', code: 'npm run bench:restart -- --restarts 20   # the module against stop-and-start, 20 restarts each' },
      },
      async run(ctx) {
        await finishLoad(ctx, 'handover');
        pumpReports(ctx);
        ctx.vars.hotInodeNow = listenersOn(ctx.vars.port.handover)[0]?.inode;
        for (const line of summaryLines(ctx)) ctx.log(line);
      },
      expect: [
        {
          text: { en: 'naive stop-and-start lost requests: refused while nothing listened', zh: '朴素的先停后启丢了请求：没有监听者时被拒绝' },
          check: (ctx) => {
            const naive = countsOf(ctx, 'naive');
            return { ok: !!naive && naive.failed > 0 && naive.refused > 0, detail: `failed ${naive?.failed ?? '-'}, refused ${naive?.refused ?? '-'}, longest gap ${naive?.longestGapMs ?? '-'} ms` };
          },
        },
        {
          text: { en: 'SO_REUSEPORT refused nothing; what it lost was the old queue, reset at the close', zh: 'SO_REUSEPORT 没有拒绝任何请求；它丢掉的是旧队列，在关闭时被重置' },
          check: (ctx) => {
            const stats = countsOf(ctx, 'reuseport');
            const queue = reuseResetCheck(ctx);
            return { ...queue, ok: queue.ok && stats?.refused === 0, detail: `refused ${stats?.refused ?? '-'}; ${queue.detail}` };
          },
        },
        {
          text: { en: 'fd handover lost nothing, and every generation served the same listening socket', zh: '交接 fd 一个请求都没丢，而且每一代进程服务的都是同一个监听 socket' },
          check: (ctx) => {
            const stats = countsOf(ctx, 'handover');
            const ok = !!stats && stats.ok > 0 && stats.failed === 0 && ctx.vars.hotInodeNow === ctx.vars.hotInode;
            return { ok, detail: `failed ${stats?.failed ?? '-'}, inode ${ctx.vars.hotInode} → ${ctx.vars.hotInodeNow ?? '-'}` };
          },
        },
      ],
      hint: {
        en: 'Run the lab for numbers over many restarts: npm run bench:restart. Try it with net.ipv4.tcp_migrate_req=1 in mind: it fixes the queue, not the keep-alive reconnects.',
        zh: '想看多次重启的统计数字，就运行实验台：npm run bench:restart。也想一想 net.ipv4.tcp_migrate_req=1：它解决的是队列问题，而不是 keep-alive 客户端的重连。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

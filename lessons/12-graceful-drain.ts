// Lesson 12: graceful drain. Stop accepting by closing this process's fd (shutdown() would kill the listener
// for the successor too); closing idle keep-alive connections loses the requests already on their way, while
// handing them over (SCM_RIGHTS) keeps the very same TCP connection; an in-flight request finishes on the
// old process, which then runs its exit hooks; a request slower than the drain deadline is cut; and the
// same discipline for message consumers.
import { entryUrl } from '../src/demo/entry.js';
import { isAlive } from '../src/demo/marker.js';
import type { FdRow } from '../src/fdtable/model.js';
import { listenersOn } from '../src/lesson/kit.js';
import { formatLoadStats, LOST_AFTER_MS, startLoad, type Load, type LoadStats } from '../src/lesson/load.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { rowsOf } from '../src/lesson/procview.js';
import type { Lesson, LessonContext } from '../src/lesson/types.js';
import { askOnce, type Answer, UpgradeDemo } from '../src/lesson/upgrade-demo.js';
import { excerpt } from '../src/lesson/excerpt.js';
import { shutRdStep, type ShutRdVars } from './12-graceful-drain.shut-rd.js';
import { goDrainStep, type GoDrainVars } from './12-graceful-drain.go.js';
import { goAwayStep, type GoAwayVars } from './12-graceful-drain.goaway.js';

const SERVER = entryUrl('servers/11-12-server', import.meta.url);
const REQUEST = 'GET / HTTP/1.1\r\nHost: tutor\r\n\r\n';
/** Keep-alive workers of the load: each reuses one connection, with no pause between requests. */
const KEEP_ALIVE_CLIENTS = 8;
const SLOW_MS = 1500;
const DEADLINE_MS = 1000;
const TOO_SLOW_MS = 3000;

const demoOf = (ctx: LessonContext<Vars>): UpgradeDemo => (ctx.vars.demo ??= new UpgradeDemo(ctx, { shell: 'shell', moduleUrl: SERVER, prefix: 'l12' }));
const isTcp = (row: FdRow) => row.type === 'TCP' || row.type === 'TCP6';
const isListener = (row: FdRow) => row.socket?.state === 'LISTEN';
/** The local port of a TCP row (`127.0.0.1:41234` -> 41234). */
const portOf = (address: string | null | undefined) => Number(address?.split(':').pop());
/** The x-pid of a raw HTTP response, or null. */
const answeredBy = (data: unknown) => Number(/x-pid: (\d+)/i.exec(String(data ?? ''))?.[1]) || null;

function keepAliveLoad(ctx: LessonContext, port: number): Load {
  return startLoad({
    port,
    keepAlive: true,
    concurrency: KEEP_ALIVE_CLIENTS,
    pauseMs: 0,
    requestTimeoutMs: LOST_AFTER_MS,
    maxRequests: 50_000,
    maxDurationMs: 10_000,
    tickMs: 500,
    countHeader: 'x-pid',
    signal: ctx.signal,
    onTick: (stats) => ctx.log(formatLoadStats(stats, ctx.lang), 'event', 'load'),
  });
}

/** Waits until the load has `more` answers beyond what it had. */
async function answersGrow(ctx: LessonContext, load: Load, more: number): Promise<void> {
  const target = load.stats().ok + more;
  await ctx.until(() => load.stats().ok >= target, 5000, 10);
}

/**
 * Upgrades generation `from` to the next with the keep-alive load running through the handover: the
 * successor holds in its warm-up until the load is going, so the load is short and sees the moment itself.
 * Returns the load's final counts.
 */
async function upgradeUnderLoad(ctx: LessonContext<Vars>, from: number): Promise<LoadStats> {
  const demo = demoOf(ctx);
  const upgrade = await demo.beginUpgrade(`gen${from}`, `gen${from + 1}`);
  const load = keepAliveLoad(ctx, demo.port);
  await answersGrow(ctx, load, 100);
  await upgrade.release();
  await demo.waitGone(demo.pid(`gen${from}`));
  await answersGrow(ctx, load, 100);
  const stats = await load.stop();
  ctx.log(formatLoadStats(stats, ctx.lang), 'event', 'load');
  return stats;
}

/** One request on the client's own connection, as an HTTP client with it in its pool would send it. */
async function requestOn(ctx: LessonContext, fd: number) {
  const sent = await ctx.call('client', { op: 'send', fd, data: REQUEST }, { allowFail: true });
  if (!sent.ok) return { ok: false, text: sent.error ?? 'send failed', pid: null };
  const reply = await ctx.call('client', { op: 'recv', fd, timeoutMs: 2000 }, { allowFail: true });
  const text = reply.ok ? (reply.result.eof ? 'EOF' : String(reply.result.data).split('\r\n')[0]) : (reply.error ?? 'recv failed');
  return { ok: reply.ok && !reply.result.eof, text, pid: reply.ok ? answeredBy(reply.result.data) : null };
}

/** A new keep-alive connection from the client, with one request answered on it. */
async function openConnection(ctx: LessonContext<Vars>): Promise<{ fd: number; port: number; answer: Awaited<ReturnType<typeof requestOn>> }> {
  const connected = await ctx.call('client', { op: 'connect', port: demoOf(ctx).port });
  const fd = connected.result.fd as number;
  const answer = await requestOn(ctx, fd);
  return { fd, port: portOf(ctx.row('client', fd)?.socket?.local), answer };
}

/** The server end (in `name`) of the connection from the client's local port. */
const serverEnd = (ctx: LessonContext, name: string, clientPort: number) =>
  rowsOf(ctx, name).find((row) => row.socket?.state === 'ESTABLISHED' && portOf(row.socket.remote) === clientPort);

const drainLine = (ctx: LessonContext<Vars>, name: string) => demoOf(ctx).find(demoOf(ctx).of(name, 'log', /^drained in/));

type Reply = Awaited<ReturnType<typeof requestOn>>;
type Connection = Awaited<ReturnType<typeof openConnection>>;

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars extends ShutRdVars, GoDrainVars, GoAwayVars {
  /** The upgrade demo (generations gen1, gen2, ...), made by the first step that needs it. */
  demo: UpgradeDemo;
  /** Two listeners: A served, B closed before anyone connects. */
  fdA: number;
  portA: number;
  fdB: number;
  portB: number;
  answerB: Answer;
  /** The client's keep-alive connection through a naive restart, and through one that keeps it. */
  naive: Connection;
  naiveStats: LoadStats;
  naiveState: string | null | undefined;
  naiveNext: Reply;
  kept: Connection;
  keptInode: number | null | undefined;
  keptStats: LoadStats;
  keptNext: Reply;
  /** A slow request in flight during the drain, and how it ended; cut: the one a deadline ended. */
  slow: Promise<Answer>;
  slowAnswer: Answer;
  cut: Answer;
}

export const lesson: Lesson<Vars> = {
  id: 'graceful-drain',
  number: 12,
  chapter: { en: 'Chapter 2 · Handing over the listener', zh: '第二章 · 交接监听 socket' },
  title: { en: 'Graceful drain', zh: '优雅排空' },
  summary: {
    en: 'Once the successor is ready, the old process must leave without losing anything: stop accepting, let every request it has started finish, give its idle connections a future, run its exit hooks, and give up at a deadline. Each of these has a wrong way that looks right. This lesson shows both, with real connections and counted requests.',
    zh: '后继进程就绪之后，旧进程必须一样不丢地离开：停止 accept，让已经开始的每个请求完成，给空闲连接找个去处，运行退出钩子，到截止时间就放弃。每一步都有一种看起来对、其实错的做法。本课用真实的连接和计数的请求，把两种做法都演示出来。',
  },
  recap: [
    { en: 'Stop accepting by closing your fd, not by shutting the shared socket down.', zh: '停止 accept 的方式是关闭自己的 fd，而不是 shutdown 共享的 socket。' },
    { en: 'Closing idle keep-alive connections loses requests already on their way; handing them over loses none.', zh: '关闭空闲的 keep-alive 连接会丢掉已经在路上的请求；把它们交接出去则一个都不丢。' },
    { en: "Requests in flight finish where they started; exit hooks run after the drain; a deadline cuts what is left. In Go, wait for Shutdown, not for Serve: it returns ErrServerClosed as soon as Shutdown begins.", zh: '进行中的请求在原进程里完成；退出钩子在排空之后运行；截止时间一到，剩下的被切断。在 Go 里要等 Shutdown 返回，而不是等 Serve：Shutdown 一开始，Serve 就返回 ErrServerClosed。' },
    { en: 'shutdown(SHUT_RD) tells the peer nothing on Linux; Connection: close and HTTP/2 GOAWAY do.', zh: '在 Linux 上 shutdown(SHUT_RD) 不会告诉对端任何事；Connection: close 和 HTTP/2 的 GOAWAY 才会。' },
    { en: 'Message consumers drain the same way: stop fetching, finish, acknowledge only when done.', zh: '消息消费者也一样排空：停止拉取，处理完，做完才确认。' },
  ],
  steps: [
    {
      id: 'stop-accepting',
      title: { en: 'Stop accepting: close your fd, never shut the socket down', zh: '停止 accept：关闭自己的 fd，千万别 shutdown 这个 socket' },
      text: {
        en: 'Process old has two listeners, A and B, and starts new with A at fd 3 and B at fd 4, as an upgrade does. Then old stops accepting on each, in two different ways.\n\nA: close(2). It drops old\'s reference only; new\'s fd 3 still refers to the socket, which stays in LISTEN. This is what the module does (the listener\'s close, not http.Server#close(), which would also drop idle connections).\n\nB: shutdown(SHUT_RD). shutdown acts on the socket itself, not on one process\'s fd: the listener leaves LISTEN for every holder, new included, which never made a call. Its queue is reset and new clients are refused. Some servers call shutdown() on their listener, for instance to wake a thread blocked in accept(); during a hot restart that takes the successor\'s listener down too.',
        zh: '进程 old 有两个监听 socket：A 和 B。它像升级那样启动 new，把 A 放在 fd 3、B 放在 fd 4。然后 old 用两种不同的方式分别停止 accept。\n\nA：close(2)。它只去掉 old 自己的引用；new 的 fd 3 仍然指向这个 socket，它保持 LISTEN。本模块就是这么做的（只关闭监听 socket，而不是 http.Server#close()，后者还会关掉空闲连接）。\n\nB：shutdown(SHUT_RD)。shutdown 作用于 socket 本身，而不是某个进程的 fd：这个监听 socket 对所有持有者都退出了 LISTEN，包括什么调用都没做过的 new。它的队列被重置，新的客户端被拒绝。有些服务会对监听 socket 调用 shutdown()，比如用来唤醒阻塞在 accept() 里的线程；在热重启期间，这会连后继进程的监听 socket 一起关掉。',
      },
      code: {
        go: excerpt('go/stop-accepting.go', 'stop'),
        node: excerpt('node/stop-accepting.mjs', 'stop'),
      },
      async run(ctx) {
        await ctx.start('old');
        const a = await ctx.call('old', { op: 'listen' });
        const b = await ctx.call('old', { op: 'listen' });
        Object.assign(ctx.vars, { fdA: a.result.fd, portA: a.result.port, fdB: b.result.fd, portB: b.result.port } satisfies Partial<Vars>);
        await ctx.call('old', { op: 'spawn', name: 'new', fds: { 3: a.result.fd as number, 4: b.result.fd as number } });
        await ctx.waitFor('new');
        await ctx.call('old', { op: 'close', fd: ctx.vars.fdA });
        await ctx.call('old', { op: 'shutdown', fd: ctx.vars.fdB, how: 'rd' });
        ctx.vars.answerB = await askOnce(ctx.vars.portB, '/', 1000);
        ctx.log(`connect(127.0.0.1:${ctx.vars.portB}) → ${ctx.vars.answerB.error ?? 'connected'}`, 'event', 'client');
      },
      show: { processes: ['old', 'new'], only: isTcp, focus: (row) => row.command === 'new' },
      expect: [
        {
          text: { en: 'A: after close() in old, new still listens on it through fd 3', zh: 'A：old 调用 close() 之后，new 仍然通过 fd 3 在上面监听' },
          check: (ctx) => {
            const row = ctx.row('new', 3);
            return { ok: row?.socket?.state === 'LISTEN' && listenersOn(ctx.vars.portA).length === 1, detail: row?.name ?? 'no fd 3' };
          },
        },
        {
          text: { en: "B: after shutdown() in old, nothing listens on it — not even new's fd 4", zh: 'B：old 调用 shutdown() 之后，上面没有任何监听——连 new 的 fd 4 也不再监听' },
          check: (ctx) => {
            const row = ctx.row('new', 4);
            return { ok: row !== undefined && row.socket?.state !== 'LISTEN' && listenersOn(ctx.vars.portB).length === 0, detail: `new fd 4: ${row?.name ?? 'not open'}` };
          },
        },
        {
          text: { en: 'a client of B is refused', zh: '连接 B 的客户端被拒绝' },
          check: (ctx) => ({ ok: ctx.vars.answerB.error === 'ECONNREFUSED', detail: String(ctx.vars.answerB.error ?? 'connected') }),
        },
      ],
      quiz: {
        question: { en: 'Two processes hold one listening socket. One of them calls shutdown(fd, SHUT_RD). What happens to the other?', zh: '两个进程持有同一个监听 socket。其中一个调用 shutdown(fd, SHUT_RD)。另一个会怎样？' },
        choices: [
          { en: 'Its listener stops listening too: shutdown acts on the socket, not on the fd', zh: '它的监听 socket 也不再监听了：shutdown 作用于 socket，而不是 fd' },
          { en: 'Nothing: each process has its own fd', zh: '没有影响：每个进程有自己的 fd' },
          { en: 'It takes over the accept queue', zh: '它接管 accept 队列' },
        ],
        answer: 0,
        explanation: {
          en: 'close() removes one reference to the open file description; the socket lives while any remains. shutdown() changes the socket itself, which every fd on it shares.',
          zh: 'close() 去掉对打开文件描述的一个引用；只要还有引用，socket 就还活着。shutdown() 改变的是 socket 本身，而它被所有指向它的 fd 共享。',
        },
      },
    },
    {
      id: 'closing-idle',
      title: { en: 'Closing idle keep-alive connections loses requests', zh: '关闭空闲的 keep-alive 连接会丢请求' },
      text: {
        en: `gen1 drains the common Node way, not the module's: the module closes its listener, and gen1 calls server.close(), which since Node 19 also closes the idle keep-alive connections, once (closeIdleConnections()). Answers still in flight say Connection: keep-alive, so their clients send again; gen1 calls closeIdleConnections() every 5 ms until no connection is left. That is a plain Node server (http.createServer, Express, Koa) stopped with server.close(); Go's Shutdown polls the same way, but its answers say Connection: close (step 7 runs it). A client process holds one such connection: one request answered, now idle. A load of ${KEEP_ALIVE_CLIENTS} keep-alive clients runs too, each sending its next request as soon as the last one is answered. Then gen1 is upgraded to gen2 (gen2 holds in its warm-up until the load is going, so the load runs through the handover itself).\n\n"Idle" is the server's view: no request read. A request may be on its way, or about to be sent by a client that has not yet seen the FIN. The client process shows it slowly: its end of the connection is in CLOSE_WAIT (the FIN has arrived), and the request it sends now reaches a socket that gen1 has closed: the answer is end-of-file, and an HTTP client reports ECONNRESET ("socket hang up"). The load's counters show the same thing at full speed.\n\nWhat softens it elsewhere: a client may retry an idempotent request (GET, HEAD, PUT, DELETE) on a fresh connection when a reused one fails like this — Go's http.Transport does so for GET, HEAD, OPTIONS and TRACE; Node's http.Agent and this load do not, and nobody retries a POST. A server can also warn before it closes: an answer with Connection: close ends keep-alive on that connection (Go's Shutdown sends it on the answers it still gives), and HTTP/2 has GOAWAY, the protocol's own way to drain, naming the last stream the server will process so that the client can send the rest elsewhere (the last step shows it). A connection idle at that very moment gets neither warning; handing it over (next step) needs none. The module, when it does not hand connections over (handoffConnections: false, HTTPS), warns too: once it drains, its answers say Connection: close, and it closes a connection that stays idle only after idleGraceMs (1 s by default).`,
        zh: `gen1 按 Node 常见的方式排空，而不是用模块的方式：模块关闭它的监听 socket，gen1 调用 server.close()；从 Node 19 起，它还会关闭空闲的 keep-alive 连接，但只关一次（closeIdleConnections()）。仍在进行中的响应带的是 Connection: keep-alive，所以这些客户端还会接着发请求；gen1 每 5 毫秒调用一次 closeIdleConnections()，直到一个连接都不剩。用 server.close() 停止的普通 Node 服务（http.createServer、Express、Koa）就是这样；Go 的 Shutdown 也是这样轮询的，但它的响应带 Connection: close（第 7 步会实际运行它）。一个客户端进程持有这样一个连接：一个请求已经得到回应，现在处于空闲。同时还跑着一组 ${KEEP_ALIVE_CLIENTS} 个 keep-alive 客户端的负载，每个客户端一收到回应就发出下一个请求。然后把 gen1 升级到 gen2（gen2 会停在预热阶段，直到负载跑起来，这样负载正好经历交接的那一刻）。\n\n「空闲」是服务端的视角：没有读到请求。可能有个请求正在路上，或者客户端还没看到 FIN、正要发出请求。客户端进程把这个过程放慢了给你看：它那一端的连接处于 CLOSE_WAIT（FIN 已经到了），它现在发出的请求到达的是一个 gen1 已经关闭的 socket：得到的是 EOF，HTTP 客户端会报告 ECONNRESET（"socket hang up"）。负载的计数器以全速展示了同样的事。\n\n别处是怎么缓解的：当复用的连接这样失败时，客户端可以在新连接上重试幂等请求（GET、HEAD、PUT、DELETE）——Go 的 http.Transport 会对 GET、HEAD、OPTIONS 和 TRACE 这么做；Node 的 http.Agent 和这里的负载都不会，也没有谁会重试 POST。服务端也可以在关闭之前先打招呼：带 Connection: close 的响应会结束这条连接上的 keep-alive（Go 的 Shutdown 在它仍然发出的响应上就带着它）；HTTP/2 则有 GOAWAY，这是协议自带的排空方式：它告诉客户端服务端会处理的最后一个流，其余的客户端可以改发到别处（最后一步会演示）。恰好在那一刻空闲的连接，这两种提醒都收不到；而把它交接出去（下一步）则根本不需要提醒。本模块在不交接连接时（handoffConnections: false，或 HTTPS）也会提醒：一开始排空，它的响应就带 Connection: close，而一个一直空闲的连接要等 idleGraceMs（默认 1 秒）之后才关闭。`,
      },
      code: {
        go: excerpt('go/close-idle.go', 'shutdown'),
        node: excerpt('node/close-idle.mjs', 'close'),
      },
      async run(ctx) {
        const demo = demoOf(ctx);
        await demo.start({ idle: 'close' }); // gen1 only: gen2 onwards read the knobs below
        demo.setKnobs({});
        await ctx.start('client');
        const connection = await openConnection(ctx);
        ctx.vars.naive = connection;
        ctx.vars.naiveStats = await upgradeUnderLoad(ctx, 1);
        const row = ctx.row('client', connection.fd);
        ctx.vars.naiveState = row?.socket?.state;
        ctx.log({ en: `client fd ${connection.fd}: ${row?.name ?? 'gone'}`, zh: `client 的 fd ${connection.fd}：${row?.name ?? '已关闭'}` }, 'event', 'client');
        ctx.vars.naiveNext = await requestOn(ctx, connection.fd);
      },
      show: { processes: ['client', 'gen2'], only: isTcp, focus: (row, ctx) => row.command === 'client' && row.fd === ctx.vars.naive.fd },
      expect: [
        {
          text: { en: "gen1 closed the idle connection while draining: the client's end was in CLOSE_WAIT", zh: 'gen1 在排空时关闭了这个空闲连接：客户端那一端处于 CLOSE_WAIT' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const drained = demo.find(demo.of('gen1', 'log', /^server\.close\(\) drain/));
            return { ok: ctx.vars.naiveState === 'CLOSE_WAIT' && /: [1-9]\d* idle connections closed/.test(String(drained?.text)), detail: `${ctx.vars.naiveState ?? '-'}; gen1: ${String(drained?.text ?? '-')}` };
          },
        },
        {
          text: { en: 'the next request on it got no answer', zh: '在它上面发出的下一个请求没有得到回应' },
          check: (ctx) => ({ ok: ctx.vars.naive.answer.pid === demoOf(ctx).pid('gen1') && !ctx.vars.naiveNext.ok, detail: `${ctx.vars.naive.answer.text} → ${ctx.vars.naiveNext.text}` }),
        },
        {
          text: { en: 'under load, the same upgrade lost requests: the keep-alive clients counted resets', zh: '在负载下，同一次升级丢了请求：keep-alive 客户端记录到了 reset' },
          check: (ctx) => {
            const stats = ctx.vars.naiveStats as LoadStats;
            return { ok: stats.reset > 0, detail: formatLoadStats(stats, ctx.lang) };
          },
        },
      ],
      quiz: {
        question: { en: 'Why can closing an "idle" keep-alive connection lose a request?', zh: '为什么关闭一个「空闲」的 keep-alive 连接会丢请求？' },
        choices: [
          { en: 'The client may already have sent its next request, or send it before the FIN reaches it', zh: '客户端可能已经发出了下一个请求，或者在 FIN 到达之前就发出了' },
          { en: 'Closing a connection always sends RST', zh: '关闭连接总是会发送 RST' },
          { en: 'Idle connections hold no data, so nothing can be lost', zh: '空闲连接里没有数据，所以什么都不会丢' },
        ],
        answer: 0,
        explanation: {
          en: 'The server only knows it has read nothing. The request and the FIN cross on the wire; the request reaches a closed socket and the client gets no response. A client may retry it by itself only if the method is idempotent (GET, PUT, DELETE, ...); a POST is lost. Connection: close on the last answers, or HTTP/2 GOAWAY, warns clients that are still talking.',
          zh: '服务端只知道自己什么也没读到。请求和 FIN 在线路上擦肩而过；请求到达的是一个已关闭的 socket，客户端得不到回应。只有方法是幂等的（GET、PUT、DELETE 等），客户端才可以自动重试；POST 就丢了。在最后几个响应上带 Connection: close，或者 HTTP/2 的 GOAWAY，能提醒仍在通信的客户端。',
        },
      },
    },
    {
      id: 'handing-over',
      title: { en: 'Hand idle connections over instead', zh: '改为把空闲连接交出去' },
      text: {
        en: 'gen2 uses the module\'s default: when it drains, every connection, as soon as it is idle, goes to the successor over the handoff channel (SCM_RIGHTS), and gen2 closes only its own fd. No FIN, no RST: the TCP connection does not notice. Bytes that arrived meanwhile wait in the kernel and travel with the fd.\n\nThe client opens a new connection (one request answered by gen2), and the same load runs through the upgrade from gen2 to gen3. Look at the table: the client\'s fd and local port are unchanged, and the other end of its connection is now in gen3.',
        zh: 'gen2 使用模块的默认设置：排空时，每个连接一旦空闲，就通过交接通道（SCM_RIGHTS）交给后继进程，gen2 只关闭自己的 fd。没有 FIN，没有 RST：TCP 连接毫无察觉。这期间到达的字节留在内核里，随 fd 一起过去。\n\n客户端新开一个连接（由 gen2 回应了一个请求），同样的负载跑过从 gen2 到 gen3 的升级。看 fd 表：客户端的 fd 和本地端口都没变，而它这条连接的另一端现在在 gen3 里。',
      },
      code: {
        go: excerpt('go/pass-conn.go', 'send'),
        node: excerpt('node/handoff.mjs', 'handoff'),
      },
      async run(ctx) {
        const connection = await openConnection(ctx);
        ctx.vars.kept = connection;
        const end = serverEnd(ctx, 'gen2', connection.port);
        ctx.vars.keptInode = end?.inode;
        ctx.log({ en: `gen2's end of the connection: fd ${end?.fd ?? '-'}, inode ${end?.inode ?? '-'}`, zh: `这条连接在 gen2 那一端：fd ${end?.fd ?? '-'}，inode ${end?.inode ?? '-'}` });
        ctx.vars.keptStats = await upgradeUnderLoad(ctx, 2);
        ctx.vars.keptNext = await requestOn(ctx, connection.fd);
      },
      show: {
        processes: ['client', 'gen2', 'gen3'],
        only: (row, ctx) => isTcp(row) && (isListener(row) || [row.socket?.local, row.socket?.remote].some((address) => portOf(address) === ctx.vars.kept.port)),
        focus: (row) => !isListener(row),
      },
      expect: [
        {
          text: { en: 'the client still has the same connection: same fd, same local port, ESTABLISHED', zh: '客户端还是同一个连接：fd 相同，本地端口相同，ESTABLISHED' },
          check: (ctx) => {
            const row = ctx.row('client', ctx.vars.kept.fd);
            return { ok: row?.socket?.state === 'ESTABLISHED' && portOf(row.socket.local) === ctx.vars.kept.port, detail: row?.name ?? 'gone' };
          },
        },
        {
          text: { en: "its server end moved from gen2 to gen3: the same socket (inode)", zh: '它的服务端那一端从 gen2 移到了 gen3：同一个 socket（inode 相同）' },
          check: (ctx) => {
            const end = serverEnd(ctx, 'gen3', ctx.vars.kept.port);
            const ok = end?.inode !== undefined && end.inode === ctx.vars.keptInode && !isAlive(demoOf(ctx).pid('gen2'));
            return { ok, detail: `gen2 ${ctx.vars.keptInode ?? '-'} → gen3 fd ${end?.fd ?? '-'} ${end?.inode ?? '-'}` };
          },
        },
        {
          text: { en: 'the next request on it is answered — by gen3', zh: '在它上面发出的下一个请求得到了回应——来自 gen3' },
          check: (ctx) => ({ ok: ctx.vars.keptNext.ok && ctx.vars.keptNext.pid === demoOf(ctx).pid('gen3'), detail: `${ctx.vars.keptNext.text}, x-pid ${ctx.vars.keptNext.pid ?? '-'}` }),
        },
        {
          text: { en: 'under the same load: 0 failed', zh: '同样的负载下：失败 0 个' },
          check: (ctx) => {
            const stats = ctx.vars.keptStats as LoadStats;
            return { ok: stats.failed === 0 && stats.ok > 0, detail: `${formatLoadStats(stats, ctx.lang)}; gen2: ${String(drainLine(ctx, 'gen2')?.text ?? '-')}` };
          },
        },
      ],
      hint: {
        en: "On a real server, ss -tnp 'sport = :PORT' lists the server end of every connection with its process: run it before and after an upgrade and the same connections change owner.",
        zh: "在真实的服务器上，ss -tnp 'sport = :PORT' 会列出每个连接的服务端那一端及其所属进程：在升级前后各运行一次，会看到同样的连接换了主人。",
      },
    },
    {
      id: 'in-flight',
      title: { en: 'A request in flight stays where it started', zh: '进行中的请求留在原进程' },
      text: {
        en: `The upgrade to gen4 begins (gen4 holds in its warm-up), and a slow request (${SLOW_MS} ms) reaches gen3 meanwhile. Then gen4 becomes ready. The slow request's HTTP state — a parsed request, a response to come — lives in gen3's memory, so it cannot move: gen3 stops accepting, hands over what is idle, and waits for it.\n\nThe table shows gen3 in the middle of its drain: no listener any more, one connection left. gen4 listens on fd 3 and has already received the client's idle keep-alive connection from the previous step.`,
        zh: `开始升级到 gen4（gen4 停在预热阶段），这期间一个慢请求（${SLOW_MS} 毫秒）到达 gen3。然后 gen4 就绪。慢请求的 HTTP 状态——解析好的请求、还没发出的响应——在 gen3 的内存里，所以没法搬走：gen3 停止 accept，把空闲的连接交出去，然后等它完成。\n\nfd 表显示的是排空进行到一半的 gen3：已经没有监听 socket，只剩一个连接。gen4 在 fd 3 上监听，而且已经收到了上一步里客户端那个空闲的 keep-alive 连接。`,
      },
      code: {
        go: excerpt('go/drain.go', 'drain'),
        node: excerpt('node/drain.mjs', 'in-flight'),
        note: {
          en: 'Go: Serve returns http.ErrServerClosed the moment Shutdown begins. A main that returns then (log.Fatal(srv.Serve(ln)), or just falling off the end) exits in the middle of the drain; wait for Shutdown to return.',
          zh: 'Go：Shutdown 一开始，Serve 就返回 http.ErrServerClosed。如果 main 这时就返回（log.Fatal(srv.Serve(ln))，或者干脆执行到末尾），进程会在排空进行到一半时退出；要等 Shutdown 返回。',
        },
      },
      async run(ctx) {
        const demo = demoOf(ctx);
        // gen4 gets a short drain deadline, for the step after next.
        const upgrade = await demo.beginUpgrade('gen3', 'gen4', { drainTimeoutMs: DEADLINE_MS });
        ctx.vars.slow = askOnce(demo.port, `/slow?ms=${SLOW_MS}`, 10_000);
        await demo.waitForLog('gen3', /answering in/, upgrade.mark);
        await upgrade.release();
        await ctx.until(() => !rowsOf(ctx, 'gen3').some(isListener), 2000, 10);
      },
      show: { processes: ['gen3', 'gen4'], only: isTcp, focus: (row) => row.command === 'gen3' || isListener(row), caption: { en: 'gen3 draining: no listener, the slow request still open', zh: '排空中的 gen3：没有监听 socket，慢请求还开着' } },
      expect: [
        {
          text: { en: 'gen3 no longer listens but still holds a connection; gen4 listens', zh: 'gen3 不再监听，但仍持有一个连接；gen4 在监听' },
          check: (ctx) => {
            const rows = rowsOf(ctx, 'gen3');
            const ok = !rows.some(isListener) && rows.some((row) => row.socket?.state === 'ESTABLISHED') && ctx.row('gen4', 3)?.socket?.state === 'LISTEN';
            return { ok, detail: rows.filter(isTcp).map((row) => `gen3 fd ${row.fd} ${row.socket?.state}`).join(', ') || 'gen3: no TCP' };
          },
        },
        {
          text: { en: 'the slow request is still running in gen3, though gen4 is ready', zh: '尽管 gen4 已经就绪，慢请求仍在 gen3 里运行' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const answered = demo.find(demo.of('gen3', 'log', /answered$/));
            return { ok: !answered && isAlive(demo.pid('gen3')) && demo.find(demo.of('gen4', 'ready')) !== undefined, detail: String(demo.find(demo.of('gen3', 'log', /answering in/))?.text ?? '-') };
          },
        },
      ],
    },
    {
      id: 'exit-hooks',
      title: { en: 'Answered, drained, exit hooks, exit', zh: '回应、排空、退出钩子、退出' },
      text: {
        en: 'When its answer has gone out, the slow request\'s connection ends and gen3 has nothing left: the drain is over. Then gen3 runs its exit hooks — flush the access log, close the database pool; here one log line — and only then exits. The hooks run after the drain on purpose: the requests that were still running needed the pool.',
        zh: '慢请求的回应发出之后，它的连接结束，gen3 手里什么都不剩了：排空结束。接着 gen3 运行它的退出钩子——刷新访问日志、关闭数据库连接池；这里是一行日志——然后才退出。钩子特意放在排空之后运行：那些还在运行的请求需要用到连接池。',
      },
      code: {
        go: excerpt('go/drain.go', 'hooks'),
        node: excerpt('node/drain.mjs', 'exit-hooks'),
      },
      async run(ctx) {
        const demo = demoOf(ctx);
        ctx.vars.slowAnswer = await ctx.vars.slow;
        ctx.log(`GET /slow?ms=${SLOW_MS} → x-pid ${ctx.vars.slowAnswer.pid ?? ctx.vars.slowAnswer.error} after ${ctx.vars.slowAnswer.ms} ms`, 'event', 'client');
        await demo.waitGone(demo.pid('gen3'));
      },
      expect: [
        {
          text: { en: 'the slow request was answered by gen3, after gen4 was ready', zh: '慢请求由 gen3 回应，而且是在 gen4 就绪之后' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const answer = ctx.vars.slowAnswer as Answer;
            const answered = demo.find(demo.of('gen3', 'log', /answered$/));
            const ready = demo.find(demo.of('gen4', 'ready'));
            const ok = answer.pid === demo.pid('gen3') && answered !== undefined && ready !== undefined && answered.at > ready.at;
            const gap = answered && ready ? answered.at - ready.at : '?';
            return { ok, detail: `x-pid ${answer.pid ?? answer.error}; ${ctx.t({ en: `${gap} ms after gen4's ready`, zh: `比 gen4 就绪晚 ${gap} 毫秒` })}` };
          },
        },
        {
          text: { en: "gen3's log: answered, then drained, then the exit hook; and it has exited", zh: 'gen3 的日志：先回应，再排空完毕，然后是退出钩子；它已经退出' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const reports = demo.reports.reports;
            const [answered, drained, hook] = [/answered$/, /^drained in/, /^exit hook/].map((text) => reports.findIndex(demo.of('gen3', 'log', text)));
            const ok = answered >= 0 && drained > answered && hook > drained && !isAlive(demo.pid('gen3'));
            return { ok, detail: String(reports[hook]?.text ?? 'no exit hook line') };
          },
        },
      ],
    },
    {
      id: 'deadline',
      title: { en: 'The deadline: what is still running is cut', zh: '截止时间：还在运行的被切断' },
      text: {
        en: `A drain cannot wait for ever: a stuck request or a client that never lets go would keep the old process — and its memory, and its copy of the program — alive. gen4 was started with a deadline of ${DEADLINE_MS} ms (drainTimeoutMs). While the upgrade to gen5 begins, a request that needs ${TOO_SLOW_MS} ms reaches it. At the deadline gen4 closes the connection; the client gets no response (for Node: "socket hang up", ECONNRESET). Choose the deadline above your slowest legitimate request (Kubernetes gives 30 s by default, terminationGracePeriodSeconds, and then SIGKILL).`,
        zh: `排空不能无限期地等下去：一个卡住的请求、一个死不松手的客户端，都会让旧进程——连同它的内存和它那份程序——一直活着。gen4 启动时的截止时间是 ${DEADLINE_MS} 毫秒（drainTimeoutMs）。开始升级到 gen5 时，一个需要 ${TOO_SLOW_MS} 毫秒的请求到达了它。到了截止时间，gen4 关闭这个连接；客户端得不到回应（在 Node 里是 "socket hang up"，ECONNRESET）。截止时间要选得比最慢的正常请求更长（Kubernetes 默认给 30 秒，即 terminationGracePeriodSeconds，之后就是 SIGKILL）。`,
      },
      code: {
        go: excerpt('go/drain.go', 'deadline'),
        node: excerpt('node/drain.mjs', 'deadline'),
      },
      async run(ctx) {
        const demo = demoOf(ctx);
        const upgrade = await demo.beginUpgrade('gen4', 'gen5');
        const slow = askOnce(demo.port, `/slow?ms=${TOO_SLOW_MS}`, 10_000);
        await demo.waitForLog('gen4', /answering in/, upgrade.mark);
        await upgrade.release();
        ctx.vars.cut = await slow;
        ctx.log(`GET /slow?ms=${TOO_SLOW_MS} → ${ctx.vars.cut.error ?? `x-pid ${ctx.vars.cut.pid}`} after ${ctx.vars.cut.ms} ms`, 'event', 'client');
        await demo.waitGone(demo.pid('gen4'));
      },
      expect: [
        {
          text: { en: 'the request slower than the deadline got no response: ECONNRESET', zh: '比截止时间还慢的请求没有得到回应：ECONNRESET' },
          check: (ctx) => {
            const cut = ctx.vars.cut as Answer;
            return { ok: cut.pid === null && cut.error === 'ECONNRESET' && cut.ms < TOO_SLOW_MS, detail: `${cut.error ?? `x-pid ${cut.pid}`}, ${ctx.t({ en: `after ${cut.ms} ms`, zh: `用时 ${cut.ms} 毫秒` })}` };
          },
        },
        {
          text: { en: `gen4 waited for the deadline, then cut the connection off`, zh: 'gen4 等到了截止时间，然后切断了连接' },
          check: (ctx) => {
            const text = String(drainLine(ctx, 'gen4')?.text ?? '');
            const ms = Number(/^drained in (\d+) ms/.exec(text)?.[1]);
            return { ok: ms >= DEADLINE_MS * 0.9 && /\b1 cut off at the deadline/.test(text), detail: text || 'no drain line' };
          },
        },
      ],
      hint: {
        en: 'The deadline bounds the drain, not the exit hooks: the module gives each hook its own limit (exitHookTimeoutMs).',
        zh: '截止时间限制的是排空，而不是退出钩子：模块给每个钩子单独设了时限（exitHookTimeoutMs）。',
      },
    },
    goDrainStep,
    {
      id: 'consumers',
      title: { en: 'The same for message consumers', zh: '消息消费者也一样' },
      text: {
        en: 'A worker that consumes a queue (Kafka, RabbitMQ, SQS, a Redis stream) has no listener to pass on, but it drains the same way: stop fetching new messages, finish the ones in hand, acknowledge each one only after it is done, then close the client and exit. The successor starts consuming as soon as it is ready; for a while both consume, which a queue with competing consumers allows.\n\nThe acknowledgement is the line between "done" and "to be done again". A message fetched but not acknowledged when the process dies — SIGKILL at the deadline included — is delivered again to someone else. So: at-least-once delivery, and handlers that may run twice for one message (idempotent).\n\nOne trap in the drain itself: a fetch already waiting when the drain begins may still bring a message. Abort that fetch and wait for it before waiting for the messages in hand, or a message fetched after the exit hook began is handled by nobody and acknowledged by nobody.',
        zh: '消费队列的 worker（Kafka、RabbitMQ、SQS、Redis stream）没有监听 socket 可交接，但排空的方式是一样的：停止拉取新消息，处理完手头的消息，每条消息处理完之后才确认（ack），然后关闭客户端并退出。后继进程一就绪就开始消费；有一小段时间两个进程同时消费，这对有竞争消费者的队列来说没有问题。\n\n确认是「已完成」和「要重做」之间的分界线。进程死掉时——包括到截止时间后的 SIGKILL——已经拉取但还没确认的消息，会重新投递给别人。所以：至少一次投递（at-least-once），处理函数必须能对同一条消息运行两次（幂等）。\n\n排空本身也有个陷阱：排空开始时已经在等待的那次拉取，仍可能带回一条消息。先中止这次拉取并等它结束，再去等手头的消息；否则退出钩子开始之后才拉到的消息，既没人处理，也没人确认。',
      },
      code: {
        go: excerpt('go/consumer.go', 'run'),
        node: excerpt('node/consumer.mjs', 'drain'),
      },
      quiz: {
        question: { en: 'A worker is killed after fetching a message and before acknowledging it. What happens to the message?', zh: '一个 worker 拉取了一条消息，还没确认就被杀掉了。这条消息会怎样？' },
        choices: [
          { en: 'The queue delivers it again, so its handler may run twice', zh: '队列会重新投递它，所以它的处理函数可能运行两次' },
          { en: 'It is lost for good', zh: '它永远丢失了' },
          { en: 'The kernel hands it to the successor', zh: '内核把它交给后继进程' },
        ],
        answer: 0,
        explanation: {
          en: 'Unacknowledged means not done, as far as the broker knows: it redelivers (after a visibility timeout or when the consumer\'s session ends). Acknowledge after the work, and make the work safe to repeat.',
          zh: '在消息代理（broker）看来，没确认就是没做完：它会重新投递（在可见性超时之后，或在消费者会话结束时）。先做完再确认，并让这份工作可以安全地重复执行。',
        },
      },
    },
    shutRdStep,
    goAwayStep,
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

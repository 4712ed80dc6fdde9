// Lesson 5: the dup reference-count leak. Go's TCPListener.File() returns a dup of the listening fd;
// closing the listener but not that dup keeps the socket in LISTEN: clients connect, queue, and hang.
import type { Lesson } from '../src/lesson/types.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { clientsOf, listenersOn, queueText, sameDescription } from '../src/lesson/kit.js';
import { excerpt } from '../src/lesson/excerpt.js';

/** A tiny backlog, so that a full accept queue is quick to reach. */
const BACKLOG = 2;
/** Linux queues backlog + 1 connections: listen(fd, 2) holds 3. */
const CLIENTS = BACKLOG + 1;
/** How long the client beyond a full queue waits for its handshake before the lesson looks at it. */
const SYN_WAIT_MS = 500;

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars {
  listenFd: number;
  port: number;
  dupFd: number;
  /** The client's connections, queued on the leaked listener. */
  clientFds: number[];
  /** What the first client's recv logged after the last close. */
  recvLines: string;
  /** What connect() logged for the client beyond a full queue (it waits in SYN_SENT). */
  lateLine: string | undefined;
  listenFd2: number;
  port2: number;
}

export const lesson: Lesson<Vars> = {
  id: 'dup-leak',
  number: 5,
  chapter: { en: 'Chapter 1 · Foundations and pitfalls', zh: '第一章 · 基础与陷阱' },
  title: { en: 'The dup reference-count leak', zh: 'dup 引用计数泄漏' },
  summary: {
    en: 'A socket lives as long as some fd refers to its open file description. Go\'s listener.File() hands you a dup; close the listener and forget the dup, and the port keeps listening — clients connect, queue up, and hang.',
    zh: '只要还有某个 fd 指向 socket 的打开文件描述（open file description），这个 socket 就一直存在。Go 的 listener.File() 返回的是一个 dup 出来的 fd；如果关掉了 listener 却忘了这个 dup，端口会继续处于 LISTEN：客户端照样能连上、排队，然后一直挂着。',
  },
  recap: [
    { en: 'A socket lives as long as some fd refers to its description: close the listener, keep a dup, and the port still listens.', zh: '只要还有 fd 指向它的打开文件描述，socket 就一直存在：关掉监听 socket 却留着 dup，端口仍在监听。' },
    { en: 'The kernel completes handshakes by itself: Linux queues backlog + 1 connections, then drops further SYNs silently (SYN_SENT, no refusal).', zh: '握手由内核自己完成：Linux 的队列能容纳 backlog + 1 个连接，之后的 SYN 被悄悄丢弃（客户端停在 SYN_SENT，不会被拒绝）。' },
    { en: 'Closing the last fd destroys the socket and resets every connection still queued.', zh: '关闭最后一个 fd 会销毁 socket，并重置队列里所有还在等待的连接。' },
    { en: 'Pass a listener only to the process that will serve it, and close every dup you made.', zh: '只把监听 socket 交给真正要用它提供服务的进程，并关闭自己 dup 出来的每一个 fd。' },
  ],
  steps: [
    {
      id: 'listen',
      title: { en: 'A listener', zh: '一个监听 socket' },
      text: {
        en: `The server process listens on 127.0.0.1, port chosen by the kernel, with a tiny backlog of ${BACKLOG} so that a full queue is quick to reach (Go's net.Listen cannot choose: it always asks for net.core.somaxconn). Its table shows the listening socket: TYPE TCP, NAME ending in (LISTEN), and QUEUE — the length of the accept queue now, then a slash, then its limit (the backlog).`,
        zh: `服务进程在 127.0.0.1 上监听，端口由内核分配，backlog 特意设得很小（${BACKLOG}），好让队列很快就满（Go 的 net.Listen 没法选：它总是按 net.core.somaxconn 申请）。它的 fd 表里能看到这个监听 socket：TYPE 为 TCP，NAME 以 (LISTEN) 结尾，QUEUE 一栏是「当前 accept 队列长度 / 上限（backlog）」。`,
      },
      code: {
        go: excerpt('go/leak.go', 'listen'),
        node: excerpt('node/leak.mjs', 'listen'),
      },
      async run(ctx) {
        await ctx.start('server');
        const reply = await ctx.call('server', { op: 'listen-node', backlog: BACKLOG });
        ctx.vars.listenFd = reply.result.fd;
        ctx.vars.port = reply.result.port;
      },
      show: { processes: ['server'], focus: (row, ctx) => row.fd === ctx.vars.listenFd },
      expect: [
        {
          text: { en: 'the port is in LISTEN', zh: '端口处于 LISTEN 状态' },
          check: (ctx) => ({ ok: listenersOn(ctx.vars.port).length === 1, detail: `127.0.0.1:${ctx.vars.port}` }),
        },
      ],
    },
    {
      id: 'dup',
      title: { en: 'File() is a dup', zh: 'File() 其实是一次 dup' },
      text: {
        en: "Go's (*TCPListener).File() duplicates the fd — fcntl(F_DUPFD_CLOEXEC), a dup that also sets close-on-exec — and wraps the new fd in an *os.File. Here the server makes a plain dup(2). Either way two fds now refer to one open file description: look at the DESC column — the same letter. The socket's reference count is 2.",
        zh: 'Go 的 (*TCPListener).File() 会复制这个 fd——用的是 fcntl(F_DUPFD_CLOEXEC)，也就是顺带设置 close-on-exec 的 dup——再把新 fd 包成 *os.File。这里服务端直接调用 dup(2)。无论哪种方式，现在都有两个 fd 指向同一个打开文件描述：看 DESC 列——字母相同。这个 socket 的引用计数变成了 2。',
      },
      code: {
        go: excerpt('go/leak.go', 'file'),
        node: excerpt('node/leak.mjs', 'file'),
      },
      async run(ctx) {
        const reply = await ctx.call('server', { op: 'dup', fd: ctx.vars.listenFd });
        ctx.vars.dupFd = reply.result.fd;
      },
      show: { processes: ['server'], focus: (row, ctx) => row.fd === ctx.vars.listenFd || row.fd === ctx.vars.dupFd },
      expect: [
        {
          text: { en: 'both fds share one open file description', zh: '两个 fd 共享同一个打开文件描述' },
          check: (ctx) => sameDescription(ctx.row('server', ctx.vars.listenFd), ctx.row('server', ctx.vars.dupFd)),
        },
      ],
      quiz: {
        question: { en: 'After the dup, how many sockets are listening on the port?', zh: 'dup 之后，这个端口上有几个正在监听的 socket？' },
        choices: [
          { en: 'One socket, reachable through two fds', zh: '一个 socket，可以通过两个 fd 访问' },
          { en: 'Two sockets sharing the port', zh: '两个共享端口的 socket' },
          { en: 'None until accept() is called', zh: '在调用 accept() 之前一个都没有' },
        ],
        answer: 0,
        explanation: {
          en: 'dup copies the fd, not the socket: both fds point at the same open file description, which points at the one socket.',
          zh: 'dup 复制的是 fd，而不是 socket：两个 fd 指向同一个打开文件描述，它再指向唯一的那个 socket。',
        },
      },
    },
    {
      id: 'close-listener',
      title: { en: 'Close the listener, forget the dup', zh: '关闭监听 socket，却忘了 dup' },
      text: {
        en: 'The server "stops listening": server.close() closes its fd. But close(2) only drops one reference. The dup still holds the description, so the socket stays in LISTEN — nobody will ever accept from it.',
        zh: '服务端「停止监听」：server.close() 关闭了它的 fd。但 close(2) 只减少一个引用。dup 出来的 fd 仍然持有这个打开文件描述，所以 socket 依旧处于 LISTEN——只是再也不会有人对它调用 accept 了。',
      },
      async run(ctx) {
        await ctx.call('server', { op: 'server-close', fd: ctx.vars.listenFd });
      },
      show: { processes: ['server'], focus: (row, ctx) => row.fd === ctx.vars.dupFd },
      expect: [
        {
          text: { en: 'the listener fd is gone', zh: '原来的监听 socket fd 已经关闭' },
          check: (ctx) => ctx.row('server', ctx.vars.listenFd)?.socket?.state !== 'LISTEN',
        },
        {
          text: { en: 'the port is still in LISTEN, held by the dup', zh: '端口仍处于 LISTEN，由 dup 出来的 fd 持有' },
          check: (ctx) => {
            const row = ctx.row('server', ctx.vars.dupFd);
            return { ok: row?.socket?.state === 'LISTEN' && listenersOn(ctx.vars.port).length === 1, detail: `fd ${ctx.vars.dupFd}: ${row?.name ?? 'gone'}` };
          },
        },
      ],
    },
    {
      id: 'clients-hang',
      title: { en: 'Clients connect — and hang', zh: '客户端连上了——然后挂住' },
      text: {
        en: `A client process connects ${CLIENTS} times. The kernel completes each TCP handshake by itself and parks the connection in the accept queue; connect() succeeds. Watch QUEUE on the leaked fd grow to ${CLIENTS}/${BACKLOG}: Linux queues backlog + 1 connections. No process will ever accept these: to the clients the server looks alive but never answers.\n\nThen one more client tries. The queue is full, and the kernel does not refuse it: it drops the SYN silently. The client retransmits and waits in SYN_SENT; no RST, no ECONNREFUSED.`,
        zh: `客户端进程发起 ${CLIENTS} 次连接。TCP 三次握手由内核自己完成，连接被放进 accept 队列，connect() 返回成功。注意泄漏的那个 fd 上 QUEUE 增长到 ${CLIENTS}/${BACKLOG}：Linux 的队列能容纳 backlog + 1 个连接。没有任何进程会 accept 它们：在客户端看来，服务端活着，却永远不回应。\n\n接着再来一个客户端。队列已满，内核并不拒绝它，而是悄悄丢弃 SYN。客户端重传 SYN，停在 SYN_SENT 状态；没有 RST，也没有 ECONNREFUSED。`,
      },
      async run(ctx) {
        await ctx.start('client');
        ctx.vars.clientFds = [];
        for (let i = 0; i < CLIENTS; i++) {
          const reply = await ctx.call('client', { op: 'connect', port: ctx.vars.port });
          ctx.vars.clientFds.push(reply.result.fd);
        }
        // One beyond a full queue: connect() does not fail, it just gets no answer.
        const late = await ctx.call('client', { op: 'connect', port: ctx.vars.port, timeoutMs: SYN_WAIT_MS }, { allowFail: true });
        ctx.vars.lateLine = late.lines.find((line) => line.startsWith('connect(')) ?? late.error;
      },
      show: {
        processes: ['server', 'client'],
        focus: (row, ctx) => row.fd === ctx.vars.dupFd || (row.command === 'client' && ctx.vars.clientFds.includes(row.fd)),
      },
      expect: [
        {
          text: { en: `the accept queue holds ${CLIENTS} connections`, zh: `accept 队列里有 ${CLIENTS} 个连接` },
          check: async (ctx) => {
            const row = await ctx.until(() => {
              const r = ctx.row('server', ctx.vars.dupFd);
              return r?.socket?.acceptQueue === CLIENTS ? r : undefined;
            });
            return { ok: row !== undefined, detail: `QUEUE ${queueText(ctx.row('server', ctx.vars.dupFd))}` };
          },
        },
        {
          text: { en: `the ${CLIENTS} queued clients are ESTABLISHED`, zh: `排队的 ${CLIENTS} 个客户端连接都是 ESTABLISHED` },
          check: (ctx) => {
            const established = clientsOf(ctx.vars.port).filter((s) => s.state === 'ESTABLISHED').length;
            return { ok: established === CLIENTS, detail: `${established}/${CLIENTS}` };
          },
        },
        {
          text: { en: 'the client beyond the full queue is neither refused nor connected: it waits in SYN_SENT', zh: '队列满了之后来的客户端既没被拒绝，也没连上：它停在 SYN_SENT' },
          check: (ctx) => {
            const waiting = clientsOf(ctx.vars.port).filter((s) => s.state === 'SYN_SENT').length;
            const refused = String(ctx.vars.lateLine).includes('ECONNREFUSED');
            return { ok: waiting === 1 && !refused, detail: `SYN_SENT ${waiting}; ${ctx.vars.lateLine}` };
          },
        },
      ],
      quiz: {
        question: { en: 'Why did connect() succeed although no process calls accept()?', zh: '没有进程调用 accept()，为什么 connect() 还能成功？' },
        choices: [
          { en: 'The kernel finishes the handshake and queues the connection until someone accepts', zh: '内核完成握手，把连接放进队列，等有人来 accept' },
          { en: 'The client library retries until the server accepts', zh: '客户端库会一直重试，直到服务端 accept' },
          { en: 'The dup accepts connections automatically', zh: 'dup 出来的 fd 会自动 accept 连接' },
        ],
        answer: 0,
        explanation: {
          en: 'accept() only takes an already established connection off the queue. Until the queue is full (backlog + 1 connections on Linux), the kernel keeps accepting new connections; after that it drops their SYNs silently, and the clients wait.',
          zh: 'accept() 只是从队列里取走一个已经建立好的连接。在队列满之前（Linux 上是 backlog + 1 个连接），内核会一直接受新连接；满了之后，它悄悄丢弃新来的 SYN，客户端只能干等。',
        },
      },
      hint: {
        en: 'ss -ltn shows the same queue as Recv-Q / Send-Q on the LISTEN line.',
        zh: 'ss -ltn 在 LISTEN 那一行用 Recv-Q / Send-Q 显示的是同一个队列。',
      },
    },
    {
      id: 'close-dup',
      title: { en: 'Close the dup: the queue is reset', zh: '关掉 dup：队列里的连接被重置' },
      text: {
        en: 'Closing the last fd drops the last reference: the kernel destroys the listening socket and resets every connection still waiting in its queue. The clients, which believed they were connected, read ECONNRESET.',
        zh: '关闭最后一个 fd，也就去掉了最后一个引用：内核销毁这个监听 socket，并重置（RST）队列里所有还在等待的连接。以为自己已经连上的客户端，读到的是 ECONNRESET。',
      },
      async run(ctx) {
        await ctx.call('server', { op: 'close', fd: ctx.vars.dupFd });
        const reply = await ctx.call('client', { op: 'recv', fd: ctx.vars.clientFds[0], timeoutMs: 1000 }, { allowFail: true });
        ctx.vars.recvLines = reply.lines.join(' ');
      },
      show: { processes: ['server', 'client'] },
      expect: [
        {
          text: { en: 'nothing listens on the port any more', zh: '端口上不再有监听' },
          check: (ctx) => listenersOn(ctx.vars.port).length === 0,
        },
        {
          text: { en: 'a queued client reads ECONNRESET', zh: '排队中的客户端读到 ECONNRESET' },
          check: (ctx) => ({ ok: String(ctx.vars.recvLines).includes('ECONNRESET'), detail: ctx.vars.recvLines }),
        },
      ],
    },
    {
      id: 'exec-helper',
      title: { en: 'The same leak through an exec\'d helper', zh: '通过 exec 出来的子进程，同样会泄漏' },
      text: {
        en: 'A new listener, and the server starts a helper program (here: sleep) with the listener at the helper\'s fd 3 — as a careless ExtraFiles or stdio entry would. The server closes its listener; the helper, which never uses the socket, keeps the port in LISTEN for as long as it lives.',
        zh: '再建一个监听 socket，然后服务端启动一个辅助程序（这里用 sleep），并且——就像不小心写进 ExtraFiles 或 stdio 那样——把监听 socket 放到它的 fd 3 上。服务端关闭自己的监听 socket；而那个根本不用这个 socket 的辅助进程，只要还活着，端口就一直处于 LISTEN。',
      },
      code: {
        go: excerpt('go/leak.go', 'leak'),
        node: excerpt('node/leak.mjs', 'leak'),
      },
      async run(ctx) {
        const reply = await ctx.call('server', { op: 'listen-node' });
        ctx.vars.listenFd2 = reply.result.fd;
        ctx.vars.port2 = reply.result.port;
        const spawned = await ctx.call('server', { op: 'spawn', name: 'helper', command: ['sleep', '600'], fds: { 3: ctx.vars.listenFd2 } });
        ctx.name(spawned.result.pid as number, 'helper');
        await ctx.call('server', { op: 'server-close', fd: ctx.vars.listenFd2 });
      },
      show: { processes: ['server', 'helper'], focus: (row) => row.command === 'helper' && row.fd === 3 },
      expect: [
        {
          text: { en: "the port is in LISTEN, held only by the helper's fd 3", zh: '端口仍在 LISTEN，只由辅助进程的 fd 3 持有' },
          check: (ctx) => {
            const row = ctx.row('helper', 3);
            return { ok: row?.socket?.state === 'LISTEN' && listenersOn(ctx.vars.port2).length === 1, detail: row?.name ?? 'no fd 3' };
          },
        },
      ],
      quiz: {
        question: { en: 'Which would have prevented this leak?', zh: '怎样做可以避免这次泄漏？' },
        choices: [
          { en: 'Not listing the fd for a child that does not serve it', zh: '不要把这个 fd 交给不用它提供服务的子进程' },
          { en: 'Calling server.close() twice', zh: '调用两次 server.close()' },
          { en: 'Using a larger backlog', zh: '把 backlog 调大' },
        ],
        answer: 0,
        explanation: {
          en: 'Every fd a child inherits is one more reference. Pass a listener only to the process that will serve it, and close every dup you made (Go: f.Close() after cmd.Start()).',
          zh: '子进程继承的每个 fd 都多一个引用。只把 listener 交给真正要用它提供服务的进程，并关闭自己 dup 出来的每一个 fd（Go 里：cmd.Start() 之后调用 f.Close()）。',
        },
      },
      hint: {
        en: "Node's spawn passes the fds you list in stdio, and other fds only where close-on-exec is off: Node sets it on every fd it opens, but lesson 4 shows an fd without it slipping through.",
        zh: 'Node 的 spawn 会传递你在 stdio 里列出的 fd；其他 fd 只有在没设 close-on-exec 时才会传下去：Node 自己打开的 fd 都设了它，但第 4 课展示了一个没设它的 fd 如何溜进子进程。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

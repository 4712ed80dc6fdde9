// Lesson 12, last step: shutdown(SHUT_RD) on an established connection. The tRPC article lists "shutdown
// read" as a drain step: no new requests are taken, and a peer that goes on writing notices a failure.
// On Linux it is not so: SHUT_RD sends nothing, the peer's writes succeed, the bytes are queued and even
// read. The step shows it with two puppets and the kernel's socket table.
import { excerpt } from '../src/lesson/excerpt.js';
import { clientsOf } from '../src/lesson/kit.js';
import type { LessonContext, Step } from '../src/lesson/types.js';

/** What the step carries from its action to its checks; lesson 12's Vars extends it. */
export interface ShutRdVars {
  shutPort: number;
  /** The client's fd, and the reader's accepted fd of the same connection. */
  shutClient: number;
  shutConn: number;
  shutSent: boolean;
  /** Bytes queued on the reader's end after SHUT_RD, as the kernel lists them. */
  shutQueued: number | undefined;
  shutClientState: string | null | undefined;
  shutRead: string;
}

const REQUEST = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

/** Bytes waiting to be read on the reader's end of the connection, as the kernel lists them. */
const readerQueue = (ctx: LessonContext<ShutRdVars>) => ctx.row('reader', ctx.vars.shutConn)?.socket?.recvQueue ?? 0;

export const shutRdStep: Step<ShutRdVars> = {
  id: 'shut-rd',
  title: { en: 'shutdown(SHUT_RD): what the article claims, what Linux does', zh: 'shutdown(SHUT_RD)：文章怎么说，Linux 怎么做' },
  text: {
    en: 'The tRPC article lists "shutdown read" as a drain step: the server takes no new request, and a peer that goes on writing notices a failure. On Linux that is wrong for TCP. Here reader, a puppet, accepts one connection from client and calls shutdown(fd, SHUT_RD). No packet leaves: the client\'s end stays ESTABLISHED (no FIN came). The client then sends a request: send() succeeds, no RST comes back, the kernel queues the bytes on the reader\'s end — and recv() there still returns them. SHUT_RD only makes a recv on an empty queue answer end-of-file. To stop taking requests on a connection, stop reading it and answer with Connection: close, or close it (step 2); to tell the peer anything, only SHUT_WR (a FIN) or close does.',
    zh: 'tRPC 的文章把「shutdown read」列为排空的一步：服务端不再接收新请求，对端继续写数据时会感知到失败。对 Linux 上的 TCP 来说这是错的。这里傀儡进程 reader 从 client 那里 accept 一个连接，然后调用 shutdown(fd, SHUT_RD)。没有任何报文发出：client 那一端仍是 ESTABLISHED（没有收到 FIN）。接着 client 发出一个请求：send() 成功，没有 RST 回来，内核把这些字节排在 reader 那一端的接收队列里——而 reader 上的 recv() 仍然能读到它们。SHUT_RD 只会让接收队列为空时的 recv 返回 EOF。要在一条连接上不再接收请求，就别再读它，并在响应里带上 Connection: close，或者关闭它（第 2 步）；要让对端知道点什么，只有 SHUT_WR（发出 FIN）或 close 才行。',
  },
  code: {
    other: { label: 'C', code: excerpt('c/shut-rd.c', 'shut-rd') },
  },
  async run(ctx) {
    await ctx.start('reader');
    const listening = await ctx.call('reader', { op: 'listen' });
    ctx.vars.shutPort = listening.result.port;
    ctx.vars.shutClient = (await ctx.call('client', { op: 'connect', port: ctx.vars.shutPort })).result.fd;
    ctx.vars.shutConn = (await ctx.call('reader', { op: 'accept', fd: listening.result.fd as number, timeoutMs: 2000 })).result.fd;
    await ctx.call('reader', { op: 'shutdown', fd: ctx.vars.shutConn, how: 'rd' });
    const sent = await ctx.call('client', { op: 'send', fd: ctx.vars.shutClient, data: REQUEST }, { allowFail: true });
    ctx.vars.shutSent = sent.ok;
    ctx.vars.shutQueued = await ctx.until(() => readerQueue(ctx), 2000, 20);
    ctx.vars.shutClientState = clientsOf(ctx.vars.shutPort)[0]?.state;
    const read = await ctx.call('reader', { op: 'recv', fd: ctx.vars.shutConn, timeoutMs: 1000 }, { allowFail: true });
    ctx.vars.shutRead = read.ok && !read.result.eof ? String(read.result.data) : '';
  },
  show: { processes: ['reader', 'client'], only: (row, ctx) => row.socket?.local === `127.0.0.1:${ctx.vars.shutPort}` || row.socket?.remote === `127.0.0.1:${ctx.vars.shutPort}` },
  expect: [
    {
      text: { en: "after SHUT_RD the client's send() succeeded and its end is still ESTABLISHED: nothing was sent to it", zh: 'SHUT_RD 之后 client 的 send() 成功了，它那一端仍是 ESTABLISHED：没有任何东西发给它' },
      check: (ctx) => ({ ok: ctx.vars.shutSent === true && ctx.vars.shutClientState === 'ESTABLISHED', detail: `send ${ctx.vars.shutSent ? 'ok' : 'failed'}; client ${ctx.vars.shutClientState ?? '-'}` }),
    },
    {
      text: { en: "the request's bytes were queued on the reader's end, and recv() still returned them", zh: '请求的字节排进了 reader 那一端的接收队列，recv() 仍然读到了它们' },
      check: (ctx) => ({ ok: Number(ctx.vars.shutQueued) > 0 && String(ctx.vars.shutRead).startsWith('GET / '), detail: `Recv-Q ${ctx.vars.shutQueued ?? 0}; recv: ${JSON.stringify(String(ctx.vars.shutRead).split('\r\n')[0])}` }),
    },
  ],
  hint: {
    en: 'ss -tn shows the reader\'s end with the request\'s bytes in Recv-Q after SHUT_RD; tcpdump -i lo shows no packet at the shutdown call.',
    zh: 'SHUT_RD 之后，ss -tn 显示 reader 那一端的 Recv-Q 里有请求的字节；tcpdump -i lo 在 shutdown 调用时看不到任何报文。',
  },
};


// Lesson 12: HTTP/2 GOAWAY, live. lessons/assets/code/node/goaway.mjs runs as a cleartext HTTP/2 server
// (h2c, 127.0.0.1, port from the kernel); the tutor is its client, with one session. server.close() alone
// closes the listener but sends no GOAWAY: the open session still takes a new stream. session.close()
// sends GOAWAY naming the last stream the server will process: the stream in flight completes, and the
// client's session takes no new stream. The restart module drains HTTP/2 sessions with the same call.
import http2 from 'node:http2';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../src/demo/marker.js';
import { CODE_DIR, excerpt, joinText } from '../src/lesson/excerpt.js';
import { ProgramLog, startOnce } from '../src/lesson/program.js';
import type { LessonContext, Step } from '../src/lesson/types.js';
import { askOnce, type Answer } from '../src/lesson/upgrade-demo.js';

/** One stream's outcome: its id and status, or why it was refused. */
export interface StreamOutcome {
  id: number | null;
  status: number | null;
  error: string | null;
}

/** What the step carries; lesson 12's Vars extends it. */
export interface GoAwayVars {
  h2Pid: number;
  h2Log: ProgramLog;
  /** After server.close(): a fresh connection, and a new stream on the open session. */
  h2FreshAfterClose: Answer;
  h2AfterClose: StreamOutcome;
  /** GOAWAY frames the client saw before SIGTERM, and the first one after (its last stream id). */
  h2GoAwaysBeforeTerm: number;
  h2GoAway: { code: number; lastStreamID: number } | undefined;
  h2Slow: StreamOutcome;
  h2AfterGoAway: StreamOutcome;
  h2Gone: boolean;
}
type H2Context = LessonContext<GoAwayVars>;

const SERVER = fileURLToPath(new URL('node/goaway.mjs', CODE_DIR));
const LOG = 'goaway.log';
const H2_SLOW_MS = 400;

/** The server's log, kept in vars (one per run). */
const h2Log = (ctx: H2Context) => (ctx.vars.h2Log ??= new ProgramLog(ctx, LOG, 'h2server'));

/** One GET stream on the session; never rejects. A stream the session refuses to open is an error outcome. */
function streamOn(session: http2.ClientHttp2Session, path: string): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request({ ':path': path });
    } catch (error) {
      resolve({ id: null, status: null, error: (error as NodeJS.ErrnoException).code ?? String(error) });
      return;
    }
    let status: number | null = null;
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.resume();
    stream.setTimeout(5000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('close', () => resolve({ id: stream.id ?? null, status, error: status === null ? `closed (rst ${stream.rstCode})` : null }));
    stream.on('error', () => {}); // the outcome is read on 'close'
  });
}

const outcomeText = (o: StreamOutcome | undefined) => (o ? (o.status !== null ? `stream ${o.id}: ${o.status}` : String(o.error)) : '-');

export const goAwayStep: Step<GoAwayVars> = {
  id: 'goaway',
  title: { en: "HTTP/2's own drain: GOAWAY", zh: 'HTTP/2 自带的排空：GOAWAY' },
  text: {
    en: `HTTP/2 runs many requests (streams) over one connection, so "wait until the connection is idle" may never come, and a connection cannot say Connection: close. It has its own signal instead: a GOAWAY frame, carrying the id of the last stream the server will process. Streams up to it finish; the client sends anything later on a new connection (to the successor, during a hot restart) — safely, even a POST, since the server promises it never processed those (RFC 9113, section 6.8).\n\nh2server is lessons/assets/code/node/goaway.mjs, a cleartext HTTP/2 server; the tutor is its client, with one session. First SIGHUP makes it call server.close() only: the listener closes (a fresh connection is refused), but Node 20 sends no GOAWAY, and the open session still gets a new stream answered. A drain that relies on server.close() alone waits for clients that keep sending.\n\nThen the client starts GET /slow (${H2_SLOW_MS} ms), and SIGTERM makes the server call session.close() on its session: GOAWAY goes out, naming the slow stream as the last one. The client's session then refuses to open a new stream (ERR_HTTP2_GOAWAY_SESSION, raised by the client itself), the slow stream completes, the session closes and the server exits. This project's restart module drains HTTP/2 the same way — session.close() on every session when the drain begins (packages/restart/src/connections.ts, goAway) — and its HTTPS test (test/restart/tls.test.ts) runs 20 upgrades under an h2 load, sending again only the streams GOAWAY refused, and loses no request.`,
    zh: `HTTP/2 在一条连接上同时跑很多个请求（流，stream），所以「等连接空闲」可能永远等不到，而且连接也没法说 Connection: close。它有自己的信号：GOAWAY 帧，里面带着服务端会处理的最后一个流的 id。在它之前的流照常完成；之后的任何请求，客户端改用新连接发送（热重启时就是发给后继进程）——即使是 POST 也安全，因为服务端承诺那些流它从未处理过（RFC 9113 第 6.8 节）。\n\nh2server 是 lessons/assets/code/node/goaway.mjs，一个明文（cleartext）HTTP/2 服务；教程是它的客户端，只有一个会话（session）。先发 SIGHUP，让它只调用 server.close()：监听 socket 关闭了（新连接被拒绝），但 Node 20 不发送 GOAWAY，已打开的会话上新开的流照样得到回应。只靠 server.close() 的排空，会一直等着那些还在发请求的客户端。\n\n然后客户端发出 GET /slow（${H2_SLOW_MS} 毫秒），再用 SIGTERM 让服务端对它的会话调用 session.close()：GOAWAY 发了出去，把这个慢请求的流标为最后一个。之后客户端的会话拒绝再开新的流（ERR_HTTP2_GOAWAY_SESSION，由客户端自己抛出），慢请求的流照常完成，会话关闭，服务端退出。本项目的热重启模块也是这样排空 HTTP/2 的——排空开始时对每个会话调用 session.close()（packages/restart/src/connections.ts 里的 goAway）——它的 HTTPS 测试（test/restart/tls.test.ts）在 h2 负载下做 20 次升级，只重发被 GOAWAY 拒绝的流，一个请求都不丢。`,
  },
  code: {
    node: joinText(excerpt('node/goaway.mjs', 'close'), excerpt('node/goaway.mjs', 'goaway')),
  },
  async run(ctx) {
    await startOnce(ctx, 'launcher');
    ctx.vars.h2Log = ProgramLog.fresh(ctx, LOG, 'h2server');
    const spawned = await ctx.call('launcher', { op: 'spawn', name: 'h2server', command: [process.execPath, SERVER, h2Log(ctx).path] });
    const pid = spawned.result.pid;
    ctx.name(pid, 'h2server');
    ctx.vars.h2Pid = pid;
    const port = Number(/listening on port (\d+)/.exec(await h2Log(ctx).wait(/listening on port \d+/))?.[1]);
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const goAways: Array<{ code: number; lastStreamID: number }> = [];
    session.on('goaway', (code, lastStreamID) => {
      goAways.push({ code, lastStreamID });
      ctx.log(`GOAWAY (error code ${code}, last stream ${lastStreamID})`, 'event', 'client');
    });
    session.on('error', () => {});
    try {
      await streamOn(session, '/');
      await ctx.call('launcher', { op: 'kill', pid, signal: 'SIGHUP' });
      await h2Log(ctx).wait(/server\.close\(\)$/);
      ctx.vars.h2FreshAfterClose = await askOnce(port, '/', 1000);
      ctx.vars.h2AfterClose = await streamOn(session, '/');
      ctx.log(`connect → ${ctx.vars.h2FreshAfterClose.error ?? 'connected'}; ${ctx.t({ en: 'new stream on the open session', zh: '已打开会话上的新流' })} → ${outcomeText(ctx.vars.h2AfterClose)}`, 'event', 'client');
      ctx.vars.h2GoAwaysBeforeTerm = goAways.length;
      const slow = streamOn(session, `/slow?ms=${H2_SLOW_MS}`);
      await h2Log(ctx).wait(/answering in/);
      await ctx.call('launcher', { op: 'kill', pid, signal: 'SIGTERM' });
      ctx.vars.h2GoAway = await ctx.until(() => goAways.at(ctx.vars.h2GoAwaysBeforeTerm), 3000, 5);
      ctx.vars.h2AfterGoAway = await streamOn(session, '/');
      ctx.log(`${ctx.t({ en: 'new stream after GOAWAY', zh: 'GOAWAY 之后的新流' })} → ${outcomeText(ctx.vars.h2AfterGoAway)}`, 'event', 'client');
      ctx.vars.h2Slow = await slow;
      ctx.log(`GET /slow?ms=${H2_SLOW_MS} → ${outcomeText(ctx.vars.h2Slow)}`, 'event', 'client');
      ctx.vars.h2Gone = Boolean(await ctx.until(() => !isAlive(pid), 3000, 10));
      await h2Log(ctx).wait(/server closed/, 100).catch(() => undefined);
    } finally {
      session.destroy();
    }
  },
  expect: [
    {
      text: { en: 'after server.close() alone: fresh connections are refused, yet no GOAWAY came and the open session got a new stream answered', zh: '只调用 server.close() 之后：新连接被拒绝，但没有收到 GOAWAY，已打开的会话上新开的流照样得到回应' },
      check: (ctx) => {
        const after = ctx.vars.h2AfterClose;
        const ok = ctx.vars.h2FreshAfterClose?.error === 'ECONNREFUSED' && ctx.vars.h2GoAwaysBeforeTerm === 0 && after?.status === 200;
        return { ok, detail: `connect → ${ctx.vars.h2FreshAfterClose?.error ?? '-'}; GOAWAY ${ctx.vars.h2GoAwaysBeforeTerm ?? '-'}; ${outcomeText(after)}` };
      },
    },
    {
      text: { en: "session.close() sent GOAWAY, naming the slow stream in flight as the last one", zh: 'session.close() 发出了 GOAWAY，把进行中的慢请求的流标为最后一个' },
      check: (ctx) => {
        const goAway = ctx.vars.h2GoAway;
        return { ok: goAway !== undefined && goAway.code === 0 && goAway.lastStreamID === ctx.vars.h2Slow?.id, detail: goAway ? `GOAWAY last stream ${goAway.lastStreamID}, code ${goAway.code}; ${ctx.t({ en: 'slow stream', zh: '慢请求的流' })} ${ctx.vars.h2Slow?.id ?? '-'}` : 'no GOAWAY' };
      },
    },
    {
      text: { en: 'after GOAWAY the session opens no new stream: ERR_HTTP2_GOAWAY_SESSION', zh: 'GOAWAY 之后会话不再打开新的流：ERR_HTTP2_GOAWAY_SESSION' },
      check: (ctx) => ({ ok: ctx.vars.h2AfterGoAway?.error === 'ERR_HTTP2_GOAWAY_SESSION', detail: outcomeText(ctx.vars.h2AfterGoAway) }),
    },
    {
      text: { en: 'the stream in flight completed (200), then the server exited', zh: '进行中的流完成了（200），随后服务端退出' },
      check: (ctx) => ({ ok: ctx.vars.h2Slow?.status === 200 && ctx.vars.h2Gone === true, detail: `${outcomeText(ctx.vars.h2Slow)}; h2server ${ctx.vars.h2Gone ? ctx.t({ en: 'exited', zh: '已退出' }) : ctx.t({ en: 'still running', zh: '仍在运行' })}` }),
    },
  ],
  hint: {
    en: 'With TLS (https, h2) nothing can be handed over, since the TLS state lives in the process: GOAWAY and Connection: close are how such connections end well during a hot restart.',
    zh: '用了 TLS（https、h2）就什么都交接不了，因为 TLS 状态保存在进程内存里：热重启期间，这类连接靠 GOAWAY 和 Connection: close 体面地结束。',
  },
};

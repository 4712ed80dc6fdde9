// Lesson 12, the real Go: lessons/assets/code/go/drain.go, built with the machine's Go and run as a server
// under a small loopback load with one slow request in flight, then sent SIGTERM. Its log (one line per
// event, with the time) shows what http.Server.Shutdown does: Serve returns http.ErrServerClosed at once,
// the listener is closed (new connections are refused), the request in flight still completes (its answer
// says Connection: close), and only then does Shutdown return and main exit. Without go on PATH the step
// says so in one line and its checks are skipped.
import http from 'node:http';
import { isAlive } from '../src/demo/marker.js';
import { excerpt } from '../src/lesson/excerpt.js';
import { buildOrSayNoGo, withGo } from '../src/lesson/golog.js';
import { ProgramLog, startOnce } from '../src/lesson/program.js';
import { formatLoadStats, startLoad, type LoadStats } from '../src/lesson/load.js';
import { type LessonContext, type Step } from '../src/lesson/types.js';
import { askOnce, type Answer } from '../src/lesson/upgrade-demo.js';

/** The slow request's answer, as a keep-alive client sees it. */
export interface KeptAliveAnswer {
  status: number | null;
  /** The response's Connection header ('close', 'keep-alive'), or null. */
  connection: string | null;
  error: string | null;
}

/** What the step carries; lesson 12's Vars extends it. */
export interface GoDrainVars {
  /** No go on PATH: the step says so and skips its checks. */
  noGo: boolean;
  goDrainLog: ProgramLog;
  goDrainPid: number;
  goSlow: KeptAliveAnswer;
  /** A fresh connection made right after Serve returned, and whether the slow answer had come by then. */
  goAfterServe: Answer;
  goSlowDoneBeforeServe: boolean;
  goDrainLoad: LoadStats;
  /** The process was gone once the tutor saw "exiting". */
  goDrainGone: boolean;
}
type GoContext = LessonContext<GoDrainVars>;

const SOURCE = 'go/drain.go';
const LOG = 'drain-go.log';
/** The request in flight when SIGTERM comes: long enough to watch, short enough for the suite. */
const GO_SLOW_MS = 600;

/** The program's log, kept in vars (one per run). */
const goLog = (ctx: GoContext) => (ctx.vars.goDrainLog ??= new ProgramLog(ctx, LOG, 'godrain'));

/** One GET as a keep-alive client sends it (no Connection: close of its own), with the answer's headers. */
function askKeptAlive(port: number, path: string): Promise<KeptAliveAnswer> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise<KeptAliveAnswer>((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? null, connection: response.headers.connection ?? null, error: null }));
    });
    request.setTimeout(5000, () => request.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ status: null, connection: null, error: error.code ?? error.message }));
  }).finally(() => agent.destroy());
}


const since = (ctx: LessonContext, at: number | undefined, from: number | undefined) =>
  at !== undefined && from !== undefined ? ctx.t({ en: `${at - from} ms after SIGTERM`, zh: `SIGTERM 之后 ${at - from} 毫秒` }) : '-';

export const goDrainStep: Step<GoDrainVars> = {
  id: 'go-shutdown',
  title: { en: "The real Go: http.Server.Shutdown and ErrServerClosed", zh: '真正的 Go：http.Server.Shutdown 与 ErrServerClosed' },
  text: {
    en: `Now Go's own drain, for real: lessons/assets/code/go/drain.go, built with this machine's go and run as godrain. A small loopback load runs against it (2 clients, one connection per request), and one keep-alive client sends GET /slow, which takes ${GO_SLOW_MS} ms. While it runs, the tutor sends SIGTERM; the program calls srv.Shutdown(ctx).\n\nShutdown first closes the listener: srv.Serve returns at once, with http.ErrServerClosed — not when the drain is over. A program whose main returns when Serve does would exit here and cut the slow request off; drain.go waits for Shutdown instead. New connections are refused from that moment (nothing listens; during a hot restart the successor's fd would take them). The slow request completes, and its answer carries Connection: close: the server will not read another request on that connection. Shutdown polls its connections until none is active — every 1 ms at first, doubling up to every 500 ms (Go 1.19's net/http), so it may return up to half a second after the last answer — and returns; then the exit hooks run and the process exits.`,
    zh: `现在是 Go 自己的排空，真刀真枪：lessons/assets/code/go/drain.go，用本机的 go 编译，作为 godrain 运行。一个很小的回环负载在访问它（2 个客户端，每个请求一个连接），另有一个 keep-alive 客户端发出 GET /slow，它要 ${GO_SLOW_MS} 毫秒才回应。就在它运行期间，教程发送 SIGTERM；程序调用 srv.Shutdown(ctx)。\n\nShutdown 先关闭监听 socket：srv.Serve 立刻返回 http.ErrServerClosed——而不是等排空结束才返回。如果程序的 main 在 Serve 返回时就返回，进程会在这里退出，把慢请求拦腰切断；drain.go 则是等 Shutdown 返回。从这一刻起，新的连接被拒绝（没有人在监听；热重启时，后继进程的 fd 会接住它们）。慢请求照常完成，它的响应带着 Connection: close：服务端不会在这条连接上再读请求。Shutdown 轮询它的连接，直到没有活动的连接才返回——起初每 1 毫秒一次，间隔逐次翻倍，最长每 500 毫秒一次（Go 1.19 的 net/http），所以它可能在最后一次回应之后半秒才返回；然后运行退出钩子，进程退出。`,
  },
  code: {
    go: excerpt(SOURCE, 'drain'),
    node: excerpt('node/drain.mjs', 'in-flight'),
  },
  async run(ctx) {
    await startOnce(ctx, 'launcher');
    const binary = await buildOrSayNoGo(ctx, SOURCE);
    if (!binary) return;
    ctx.vars.goDrainLog = ProgramLog.fresh(ctx, LOG, 'godrain');
    const spawned = await ctx.call('launcher', { op: 'spawn', name: 'godrain', command: [binary, goLog(ctx).path] });
    const pid = spawned.result.pid;
    ctx.name(pid, 'godrain');
    ctx.vars.goDrainPid = pid;
    const port = Number(/listening on port (\d+)/.exec(await goLog(ctx).wait(/listening on port \d+/))?.[1]);
    const load = startLoad({ port, concurrency: 2, pauseMs: 10, requestTimeoutMs: 1000, maxRequests: 2000, maxDurationMs: 5000, signal: ctx.signal });
    try {
      await ctx.until(() => load.stats().ok >= 20, 3000, 10);
      let slowDone = false;
      const slow = askKeptAlive(port, `/slow?ms=${GO_SLOW_MS}`).finally(() => (slowDone = true));
      await goLog(ctx).wait(/answering in/);
      await ctx.call('launcher', { op: 'kill', pid, signal: 'SIGTERM' });
      await goLog(ctx).wait(/^Serve returned/);
      ctx.vars.goSlowDoneBeforeServe = slowDone;
      ctx.vars.goAfterServe = await askOnce(port, '/', 1000);
      ctx.log(`connect(127.0.0.1:${port}) → ${ctx.vars.goAfterServe.error ?? 'connected'}`, 'event', 'client');
      ctx.vars.goSlow = await slow;
      ctx.log(`GET /slow?ms=${GO_SLOW_MS} → ${ctx.vars.goSlow.status ?? ctx.vars.goSlow.error}, Connection: ${ctx.vars.goSlow.connection ?? '-'}`, 'event', 'client');
      await goLog(ctx).wait(/^exiting/);
      ctx.vars.goDrainGone = Boolean(await ctx.until(() => !isAlive(pid), 3000, 10));
    } finally {
      ctx.vars.goDrainLoad = await load.stop();
      ctx.log(formatLoadStats(ctx.vars.goDrainLoad, ctx.lang), 'event', 'load');
    }
  },
  expect: [
    withGo({ en: 'Serve returned http.ErrServerClosed at once, while the slow request was still running', zh: 'Serve 立刻返回了 http.ErrServerClosed，而慢请求还在运行' }, (ctx) => {
      const [term, served, answered] = [/^SIGTERM received/, /^Serve returned/, /answered$/].map((p) => goLog(ctx).at(p));
      const closed = goLog(ctx).at(/ErrServerClosed: true/) !== undefined;
      const ok = closed && term !== undefined && served !== undefined && answered !== undefined && served < answered && ctx.vars.goSlowDoneBeforeServe === false;
      return { ok, detail: `Serve: ${since(ctx, served, term)}; ${ctx.t({ en: 'slow answer', zh: '慢请求回应' })}: ${since(ctx, answered, term)}` };
    }),
    withGo({ en: 'from then on new connections were refused: the listener was closed', zh: '从那以后新连接都被拒绝：监听 socket 已经关闭' }, (ctx) => {
      const after = ctx.vars.goAfterServe;
      return { ok: after?.error === 'ECONNREFUSED' && (ctx.vars.goDrainLoad?.ok ?? 0) > 0, detail: `connect → ${after?.error ?? 'connected'}; load: ${ctx.vars.goDrainLoad ? formatLoadStats(ctx.vars.goDrainLoad, ctx.lang) : '-'}` };
    }),
    withGo({ en: 'the request in flight completed: 200, with Connection: close', zh: '进行中的请求完成了：200，并带 Connection: close' }, (ctx) => {
      const slow = ctx.vars.goSlow;
      return { ok: slow?.status === 200 && slow.connection === 'close', detail: `${slow?.status ?? slow?.error ?? '-'}; Connection: ${slow?.connection ?? '-'}` };
    }),
    withGo({ en: 'Shutdown returned after that answer; then the exit hooks ran and the process exited', zh: 'Shutdown 在那次回应之后才返回；随后运行退出钩子，进程退出' }, (ctx) => {
      const [term, answered, returned, hooks, exiting] = [/^SIGTERM received/, /answered$/, /^Shutdown returned/, /^exit hooks/, /^exiting/].map((p) => goLog(ctx).at(p));
      const inOrder = answered !== undefined && returned !== undefined && hooks !== undefined && exiting !== undefined && answered <= returned && returned <= hooks && hooks <= exiting;
      return { ok: inOrder && ctx.vars.goDrainGone === true, detail: `Shutdown: ${since(ctx, returned, term)}; godrain ${ctx.vars.goDrainGone ? ctx.t({ en: 'exited', zh: '已退出' }) : ctx.t({ en: 'still running', zh: '仍在运行' })}` };
    }),
  ],
  hint: {
    en: 'Shutdown does not wait for hijacked connections (WebSockets): register what closes them with srv.RegisterOnShutdown — drain.go logs its hook when Shutdown begins.',
    zh: 'Shutdown 不会等被劫持（hijack）的连接（WebSocket）：用 srv.RegisterOnShutdown 注册关闭它们的函数——drain.go 会在 Shutdown 开始时记录它的钩子。',
  },
};

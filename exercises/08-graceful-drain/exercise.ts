// Exercise 8, graceful drain (lesson 12): on SIGTERM the server stops accepting, closes its idle
// keep-alive connections, lets the requests in flight finish, cuts what still runs at its deadline,
// runs its exit hooks after all that, and exits. Read from the kernel: the listener, the server's
// connections by client port, the process table, the PID file the hook removes.
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { defineExercise, httpGet, tcpListeners, tcpProbe, type FdRow } from '../../src/exercise/define.js';
import { pidInFile } from './pid-file.js';

const DEADLINE_MS = 2000; // the program's contract
const MARGIN_MS = 700;

/** A raw HTTP/1.1 client that asks once and then keeps its connection open, idle. */
function idleKeepAlive(port: number): Promise<{ socket: Socket; localPort: number; answered: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    const timer = setTimeout(() => resolve({ socket, localPort: socket.localPort ?? 0, answered: false }), 2000);
    socket.once('connect', () => socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve({ socket, localPort: socket.localPort ?? 0, answered: chunk.toString('latin1').startsWith('HTTP/1.1 200') });
    });
  });
}

export default defineExercise({
  id: 'graceful-drain',
  number: 8,
  lesson: 'graceful-drain',
  title: { en: 'Graceful drain', zh: '优雅排空' },
  summary: {
    en: 'On SIGTERM: stop accepting, close idle keep-alive connections, finish what is in flight, cut at the deadline, run the exit hooks last.',
    zh: '收到 SIGTERM：停止接受连接，关闭空闲的 keep-alive 连接，处理完进行中的请求，到截止时间就切断，最后运行退出钩子。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 20_000,
  checks: [
    {
      id: 'serves',
      title: { en: 'the server answers GET / and its PID file holds its pid', zh: '服务器响应 GET /，PID 文件里是它的 pid' },
      hint: { en: 'Listen on 127.0.0.1 port 0, answer GET / with 200, write your pid into $EXERCISE_DIR/server.pid.', zh: '监听 127.0.0.1 的 0 号端口，对 GET / 回 200，把你的 pid 写进 $EXERCISE_DIR/server.pid。' },
    },
    {
      id: 'stops-accepting',
      title: { en: '0.3 s after SIGTERM new connections are refused', zh: 'SIGTERM 0.3 秒后，新连接被拒绝' },
      hint: { en: 'Close the listener first thing (server.close(), Shutdown): a connection accepted now would only be cut later.', zh: '第一件事就是关闭监听 socket（server.close()、Shutdown）：现在接受的连接之后只会被切断。' },
    },
    {
      id: 'idle-closed',
      title: { en: '0.3 s after SIGTERM the idle keep-alive connections are closed', zh: 'SIGTERM 0.3 秒后，空闲的 keep-alive 连接已被关闭' },
      hint: {
        en: 'An idle keep-alive connection has no request to wait for: waiting for it to end waits for the client. Close idle connections at once (Node: closeIdleConnections; Go: Shutdown does it, a bare listener Close does not).',
        zh: '空闲的 keep-alive 连接上没有要等的请求：等它结束就是在等客户端。立刻关闭空闲连接（Node：closeIdleConnections；Go：Shutdown 会做，单纯关闭监听 socket 不会）。',
      },
    },
    {
      id: 'in-flight-finish',
      title: { en: 'the request in flight at SIGTERM gets its answer', zh: 'SIGTERM 时正在进行的请求得到了响应' },
      hint: { en: 'Close idle connections, not all connections: a connection with a request running is not idle.', zh: '关闭空闲连接，而不是所有连接：有请求正在处理的连接不算空闲。' },
    },
    {
      id: 'deadline-holds',
      title: { en: `a request that never ends is cut at the deadline; the process exits within ${(DEADLINE_MS + MARGIN_MS) / 1000} s`, zh: `永不结束的请求在截止时间被切断；进程在 ${(DEADLINE_MS + MARGIN_MS) / 1000} 秒内退出` },
      hint: { en: `A drain waits for requests, not for ever: after ${DEADLINE_MS} ms cut what still runs (Node: closeAllConnections; Go: Shutdown with a context deadline, then Close).`, zh: `排空是在等请求，而不是永远等下去：${DEADLINE_MS} 毫秒后切断还在运行的（Node：closeAllConnections；Go：带截止时间的 context 调用 Shutdown，然后 Close）。` },
    },
    {
      id: 'hook-after-drain',
      title: { en: 'the exit hook (removing the PID file) runs after the drain, before the exit', zh: '退出钩子（删除 PID 文件）在排空之后、退出之前运行' },
      hint: { en: 'Hooks release what requests still use (files, pools, registrations): run them once no request runs any more, and run them on the deadline path too.', zh: '钩子释放的是请求还在使用的东西（文件、连接池、注册信息）：等没有请求在运行了再执行它们，截止时间到了的那条路径上也要执行。' },
    },
  ],
  hints: [
    { en: 'Lesson 12 drains a server step by step: stop accepting, idle keep-alive connections, a request in flight, the exit hooks, the deadline.', zh: '第 12 课一步一步地排空一个服务器：停止接受、空闲的 keep-alive 连接、进行中的请求、退出钩子、截止时间。' },
    { en: 'The order: close the listener and the idle connections; wait for the active ones, but only until the deadline; cut the rest; run the hooks; exit.', zh: '顺序是：关闭监听 socket 和空闲连接；等待活动连接，但只等到截止时间；切断剩下的；运行钩子；退出。' },
    { en: 'Node: server.close(cb) + a setTimeout that calls server.closeAllConnections(); the hooks in cb. Go: Shutdown(ctx with a 2 s timeout); on its error, Close(); then the hooks.', zh: 'Node：server.close(cb) 加一个调用 server.closeAllConnections() 的 setTimeout；钩子放在 cb 里。Go：Shutdown(带 2 秒超时的 ctx)；出错时 Close()；然后运行钩子。' },
  ],
  wrong: [
    { dir: 'node-cuts-in-flight', code: 'node', fails: 'in-flight-finish', mistake: 'closes every connection at SIGTERM' },
    { dir: 'node-hook-first', code: 'node', fails: 'hook-after-drain', mistake: 'runs the exit hooks first' },
    { dir: 'go-keeps-idle', code: 'go', fails: 'idle-closed', mistake: 'closes the listener only, idle keep-alive connections stay' },
    { dir: 'go-no-deadline', code: 'go', fails: 'deadline-holds', mistake: 'Shutdown without a deadline' },
  ],

  async scenario(ctx) {
    const pidFile = join(ctx.dir, 'server.pid');
    const run = await ctx.start();
    const { port, row: listener } = await ctx.waitForListener(run);
    const pid = listener.pid;
    const hello = await httpGet(port);
    const written = await ctx.waitFor(() => pidInFile(pidFile), 1000, 20);
    ctx.record('serves', hello.status === 200 && written === pid, {
      pass: { en: `GET / answered ${hello.status}; server.pid holds ${pid}.`, zh: `GET / 得到 ${hello.status}；server.pid 里是 ${pid}。` },
      fail: { en: `GET / got ${hello.status ?? hello.error}; server.pid holds ${written ?? 'nothing'} (the server is process ${pid}).`, zh: `GET / 得到 ${hello.status ?? hello.error}；server.pid 里是 ${written ?? '空'}（服务器是进程 ${pid}）。` },
    });

    // Two idle keep-alive connections, a slow request and one that never ends; then SIGTERM.
    const idle = await Promise.all([idleKeepAlive(port), idleKeepAlive(port)]);
    const slow = httpGet(port, { path: '/slow', timeoutMs: 5000 });
    const stuck = httpGet(port, { path: '/stuck', timeoutMs: DEADLINE_MS + MARGIN_MS + 800 });
    await ctx.sleep(200);
    const remotes = new Set(idle.map((client) => `127.0.0.1:${client.localPort}`));
    const idleRows = (rows: FdRow[]) => rows.filter((row) => row.pid === pid && row.socket?.state === 'ESTABLISHED' && remotes.has(row.socket.remote ?? ''));
    const before = run.snapshot();
    const idleBefore = idleRows(before.rows);
    const sentAt = Date.now();
    run.signal(pid, 'SIGTERM');
    await ctx.sleep(300);

    const probe = await tcpProbe(port, 800);
    const snap = run.snapshot();
    const left = tcpListeners(snap, port);
    ctx.record('stops-accepting', probe === 'refused' && left.length === 0, {
      pass: { en: 'A new connection 0.3 s after SIGTERM was refused.', zh: 'SIGTERM 0.3 秒后的新连接被拒绝。' },
      fail: { en: `A new connection 0.3 s after SIGTERM was ${probe}; ${left.length} LISTEN socket(s) left.`, zh: `SIGTERM 0.3 秒后的新连接结果：${probe}；还剩 ${left.length} 个 LISTEN socket。` },
    }, ctx.rows(snap, left));
    const idleAfter = idleRows(snap.rows);
    ctx.record('idle-closed', idleBefore.length === idle.length && idleAfter.length === 0, {
      pass: { en: `The server held ${idleBefore.length} idle keep-alive connections before SIGTERM, none 0.3 s after.`, zh: `SIGTERM 之前服务器持有 ${idleBefore.length} 个空闲的 keep-alive 连接，0.3 秒后一个也没有了。` },
      fail: idleBefore.length === idle.length
        ? { en: `0.3 s after SIGTERM the server still holds ${idleAfter.length} idle keep-alive connection(s) open.`, zh: `SIGTERM 0.3 秒后，服务器仍开着 ${idleAfter.length} 个空闲的 keep-alive 连接。` }
        : { en: `Only ${idleBefore.length} of ${idle.length} keep-alive connections were open on the server before SIGTERM (answered: ${idle.filter((client) => client.answered).length}).`, zh: `SIGTERM 之前服务器上只开着 ${idle.length} 个 keep-alive 连接中的 ${idleBefore.length} 个（得到响应的：${idle.filter((client) => client.answered).length}）。` },
    }, ctx.rows(snap, idleAfter.length > 0 ? idleAfter : idleBefore));

    const answer = await slow;
    ctx.record('in-flight-finish', answer.status === 200, {
      pass: { en: `GET /slow, in flight at SIGTERM, was answered ${answer.status}.`, zh: `SIGTERM 时正在进行的 GET /slow 得到了 ${answer.status}。` },
      fail: { en: `GET /slow, in flight at SIGTERM, got ${answer.status ?? answer.error}.`, zh: `SIGTERM 时正在进行的 GET /slow 得到 ${answer.status ?? answer.error}。` },
    });

    // The hook must wait: the stuck request still runs until the deadline.
    await ctx.sleep(Math.max(0, sentAt + 1200 - Date.now()));
    const fileDuringDrain = existsSync(pidFile);
    const aliveDuringDrain = run.isAlive(pid);
    const gone = await ctx.waitFor(() => !run.isAlive(pid), Math.max(0, sentAt + DEADLINE_MS + MARGIN_MS - Date.now()), 20);
    const exitedMs = Date.now() - sentAt;
    const cut = await stuck;
    const cutInTime = cut.status === null && cut.error !== 'TIMEOUT';
    ctx.record('deadline-holds', gone === true && cutInTime, {
      pass: { en: `GET /stuck was cut (${cut.error}); the process exited ${exitedMs} ms after SIGTERM.`, zh: `GET /stuck 被切断（${cut.error}）；进程在 SIGTERM 之后 ${exitedMs} 毫秒退出。` },
      fail: { en: `${gone ? `The process exited after ${exitedMs} ms` : `The process still runs ${DEADLINE_MS + MARGIN_MS} ms after SIGTERM`}; GET /stuck ended as ${cut.status ?? cut.error}.`, zh: `${gone ? `进程在 ${exitedMs} 毫秒后退出` : `SIGTERM 之后 ${DEADLINE_MS + MARGIN_MS} 毫秒进程仍在运行`}；GET /stuck 的结果是 ${cut.status ?? cut.error}。` },
    });
    const fileAfter = existsSync(pidFile);
    const hookOk = aliveDuringDrain && fileDuringDrain && gone === true && !fileAfter;
    ctx.record('hook-after-drain', hookOk, {
      pass: { en: 'server.pid was still there 1.2 s after SIGTERM (a request still running) and gone once the process had exited.', zh: 'SIGTERM 1.2 秒后（还有请求在运行）server.pid 仍在，进程退出后它已被删除。' },
      fail: !aliveDuringDrain
        ? { en: 'The process had already exited 1.2 s after SIGTERM, with GET /stuck running: the hook order cannot be judged.', zh: 'SIGTERM 1.2 秒后进程已经退出，而 GET /stuck 还在运行：无法判断钩子的顺序。' }
        : !fileDuringDrain
          ? { en: 'server.pid was removed while a request was still running (1.2 s after SIGTERM): the hook ran before the drain ended.', zh: 'server.pid 在还有请求运行时（SIGTERM 1.2 秒后）就被删除了：钩子在排空结束之前就运行了。' }
          : { en: `server.pid is ${fileAfter ? 'still there' : 'gone'} and the process ${gone ? 'has exited' : 'still runs'}: the hook did not run before the exit.`, zh: `server.pid ${fileAfter ? '仍然存在' : '已删除'}，进程${gone ? '已退出' : '仍在运行'}：钩子没有在退出之前运行。` },
    });
    for (const client of idle) client.socket.destroy();
  },
});

// Exercise 9, the capstone (lesson 13): a full hot restart of an HTTP server under the verifier's
// loopback load — keep-alive clients, slow requests, new connections — N times in a row, with zero
// failed requests, one generation left, the same socket throughout and no fd leaked from one
// generation to the next.
import { checkServes, connectionsOn, defineExercise, servesCheck, isTcp, ownFds, startLoad, tcpListeners, type FdRow, type Snapshot } from '../../src/exercise/define.js';

const RESTARTS = 5;

/** What a generation opened itself, minus client connections (those come and go with the load). */
const keptFds = (snap: Snapshot, pid: number): FdRow[] => ownFds(snap, pid).filter((row) => !isTcp(row) || row.socket?.state === 'LISTEN');

export default defineExercise({
  id: 'full-hot-restart',
  number: 9,
  lesson: 'whole-hot-restart',
  title: { en: 'Capstone: the whole hot restart', zh: '综合练习：完整的热重启' },
  summary: {
    en: `${RESTARTS} restarts under load with keep-alive clients: 0 failed requests, one generation left, no leaked fd.`,
    zh: `在有 keep-alive 客户端的负载下连续重启 ${RESTARTS} 次：0 个失败请求，只剩一代进程，没有泄漏的 fd。`,
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 60_000,
  checks: [
    {
      ...servesCheck,
      title: { en: 'the server answers GET / and GET /slow?ms=100 on its 127.0.0.1 listener', zh: '服务器在 127.0.0.1 的监听 socket 上响应 GET / 和 GET /slow?ms=100' },
      hint: { en: 'Listen on 127.0.0.1 port 0; /slow?ms=N answers after N ms.', zh: '监听 127.0.0.1 的 0 号端口；/slow?ms=N 在 N 毫秒后回答。' },
    },
    {
      id: 'restarts',
      title: { en: `each of ${RESTARTS} SIGHUPs hands the same socket to a new process, and the old one exits`, zh: `${RESTARTS} 次 SIGHUP 每次都把同一个 socket 交给一个新进程，旧进程随后退出` },
      hint: {
        en: 'SIGHUP starts the successor with the listener at fd 3 (LISTEN_FDS=1); the successor serves it, then tells its predecessor to leave; the predecessor drains and exits.',
        zh: 'SIGHUP 时启动后继进程，把监听 socket 作为 fd 3 传给它（LISTEN_FDS=1）；后继进程开始服务后通知前任离开；前任排空后退出。',
      },
    },
    {
      id: 'zero-failed',
      title: { en: 'no request of the load failed (keep-alive, slow, and new connections)', zh: '负载中没有任何请求失败（keep-alive、慢请求、新连接）' },
      hint: {
        en: 'Closing an idle keep-alive connection races a client that is just sending on it (http.Server.close() in Node 19+, Shutdown in Go do so). Answer with Connection: close while draining and let the client close it.',
        zh: '关闭一个空闲的 keep-alive 连接，会和正要在上面发送请求的客户端发生竞争（Node 19+ 的 http.Server.close() 和 Go 的 Shutdown 都会这样做）。排空期间回答时带上 Connection: close，让客户端自己关闭连接。',
      },
    },
    {
      id: 'one-generation',
      title: { en: 'exactly one process is left, serving the original socket', zh: '最后只剩一个进程，服务着最初的那个 socket' },
      hint: { en: 'Every old generation must exit once its connections are gone (and at a deadline at the latest).', zh: '每一代旧进程都要在连接走完后退出（最晚到截止时间也要退出）。' },
    },
    {
      id: 'no-leaked-fds',
      title: { en: 'the last generation holds no more fds than the second did, and one listening fd', zh: '最后一代持有的 fd 不多于第二代，并且只有一个监听 fd' },
      hint: {
        en: 'An fd without FD_CLOEXEC is inherited by every successor: a dup you do not close is passed on, and grows by one per restart.',
        zh: '没有 FD_CLOEXEC 的 fd 会被每个后继进程继承：一个没关掉的 dup 会一直传下去，每重启一次多一个。',
      },
    },
  ],
  hints: [
    { en: 'Solve exercises 1-3 first: close the dup, keep the listener non-blocking, inherit it.', zh: '先完成练习 1-3：关掉 dup，保持监听 socket 非阻塞，继承它。' },
    { en: 'Lesson 13 runs three restart strategies under load and counts the failures of each.', zh: '第 13 课在负载下运行三种重启策略，并统计各自的失败数。' },
    { en: 'Readiness: pass your pid in the environment (e.g. READY_PID); the successor sends it SIGTERM once it listens.', zh: '就绪通知：把自己的 pid 放进环境变量（如 READY_PID）；后继进程开始监听后向它发送 SIGTERM。' },
    { en: 'Node: net.Server.prototype.close.call(server, done) stops accepting without closing idle connections. Go: close the listener, count connections with ConnState.', zh: 'Node：net.Server.prototype.close.call(server, done) 停止接受连接，但不关闭空闲连接。Go：关闭 listener，用 ConnState 统计连接。' },
  ],
  wrong: [
    { dir: 'node-closes-idle', code: 'node', fails: 'zero-failed', mistake: 'drains with http.Server.close(), which closes idle keep-alive connections' },
    { dir: 'node-leaks-dup', code: 'node', fails: 'no-leaked-fds', mistake: 'hands down a dup it never closes' },
    { dir: 'go-no-drain', code: 'go', fails: 'zero-failed', mistake: 'exits at once when the successor is ready' },
    { dir: 'go-stays', code: 'go', fails: 'one-generation', mistake: 'old generations never exit' },
  ],

  async scenario(ctx) {
    const run = await ctx.start();
    const { port, row: original } = await ctx.waitForListener(run);
    await checkServes(ctx, port, ['/', '/slow?ms=100']);

    const common = { port, requestTimeoutMs: 5000, maxRequests: 100_000, maxDurationMs: 55_000, pauseMs: 5 } as const;
    const loads = [
      startLoad({ ...common, keepAlive: true, concurrency: 6 }),
      startLoad({ ...common, keepAlive: true, concurrency: 2, path: '/slow?ms=80' }),
      startLoad({ ...common, keepAlive: false, concurrency: 2 }),
    ];
    const chain = [original.pid];
    let second: Snapshot | undefined;
    let broken: string | null = null;
    await ctx.sleep(400);
    for (let i = 0; i < RESTARTS && !broken; i++) {
      const current = chain[chain.length - 1];
      run.signal(current, 'SIGHUP');
      const next = await ctx.waitFor(() => {
        const snap = run.snapshot();
        const rows = tcpListeners(snap, port).filter((row) => !chain.includes(row.pid) && row.inode === original.inode);
        return rows.length > 0 && !run.isAlive(current) ? { pid: rows[0].pid, snap } : undefined;
      }, 10_000, 40);
      if (!next) {
        const listeners = tcpListeners(run.snapshot(), port);
        broken = run.isAlive(current) && listeners.some((row) => row.pid !== current)
          ? `restart ${i + 1}: process ${current} was still running 10 s after SIGHUP`
          : `restart ${i + 1}: no new process served socket inode ${original.inode} within 10 s of SIGHUP`;
        break;
      }
      chain.push(next.pid);
      if (i === 0) {
        await ctx.sleep(300);
        second = run.snapshot([next.pid]);
      }
      await ctx.sleep(300);
    }
    await ctx.sleep(400);
    const stats = (await Promise.all(loads.map((load) => load.stop())));
    const ok = stats.reduce((sum, s) => sum + s.ok, 0);
    const failed = stats.reduce((sum, s) => sum + s.failed, 0);
    const kinds = (['refused', 'reset', 'timeout', 'other'] as const).map((kind) => `${kind} ${stats.reduce((sum, s) => sum + s[kind], 0)}`).join(', ');
    const examples = [...new Set(stats.flatMap((s) => Object.values(s.examples)))].slice(0, 3);

    ctx.record('restarts', broken === null, {
      pass: { en: `${RESTARTS} restarts: ${chain.join(' → ')}.`, zh: `${RESTARTS} 次重启：${chain.join(' → ')}。` },
      fail: { en: `After ${chain.length - 1} good restarts (${chain.join(' → ')}), ${broken}.`, zh: `成功重启 ${chain.length - 1} 次（${chain.join(' → ')}）之后：${broken}。` },
    });
    ctx.record('zero-failed', failed === 0 && ok > 0, {
      pass: { en: `${ok} requests answered, 0 failed.`, zh: `${ok} 个请求得到响应，0 个失败。` },
      fail: { en: `${failed} of ${ok + failed} requests failed (${kinds}).`, zh: `${ok + failed} 个请求中 ${failed} 个失败（${kinds}）。` },
    }, examples);

    const settled = await ctx.waitFor(() => run.pids().length === 1 || undefined, 3000, 50);
    const pids = run.pids();
    const final = run.snapshot(pids);
    const listeners = tcpListeners(final, port);
    ctx.record('one-generation', settled === true && listeners.length === 1 && listeners[0].inode === original.inode, {
      pass: { en: `Process ${pids[0]} alone serves socket inode ${original.inode}.`, zh: `只有进程 ${pids[0]} 在服务 socket inode ${original.inode}。` },
      fail: { en: `${pids.length} processes are left (${pids.join(', ')}), ${listeners.length} listening fd(s) on port ${port}.`, zh: `还剩 ${pids.length} 个进程（${pids.join('、')}），端口 ${port} 上有 ${listeners.length} 个监听 fd。` },
    }, ctx.rows(final, listeners));

    const last = chain[chain.length - 1];
    if (second && chain.length > 2 && pids.includes(last)) {
      const before = keptFds(second, chain[1]);
      const after = keptFds(final, last);
      const lingering = connectionsOn(final, port, 'CLOSE_WAIT');
      const ok = after.length <= before.length && tcpListeners(final, port).filter((row) => row.pid === last).length === 1 && lingering.length === 0;
      ctx.record('no-leaked-fds', ok, {
        pass: { en: `Generation 2 held ${before.length} fds of its own, the last holds ${after.length}.`, zh: `第 2 代自己持有 ${before.length} 个 fd，最后一代持有 ${after.length} 个。` },
        fail: {
          en: `Generation 2 held ${before.length} fds of its own, the last (after ${chain.length - 2} more restarts) holds ${after.length}${lingering.length ? `, ${lingering.length} in CLOSE_WAIT` : ''}.`,
          zh: `第 2 代自己持有 ${before.length} 个 fd，最后一代（又重启 ${chain.length - 2} 次后）持有 ${after.length} 个${lingering.length ? `，其中 ${lingering.length} 个处于 CLOSE_WAIT` : ''}。`,
        },
      }, ctx.rows(final, [...after, ...lingering]));
    } else {
      ctx.fail('no-leaked-fds', { en: 'Not enough generations to compare.', zh: '没有足够的代数可以比较。' });
    }
  },
});

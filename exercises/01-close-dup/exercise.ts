// Exercise 1, close the dup (lesson 5): a server lends its listener to a helper through a dup; unless
// the dup is closed, server.close() / Shutdown leaves the port in LISTEN and new clients hang.
import { checkServes, defineExercise, servesCheck, httpGet, machineListeners, sameDescription, tcpProbe } from '../../src/exercise/define.js';

export default defineExercise({
  id: 'close-dup',
  number: 1,
  lesson: 'dup-leak',
  title: { en: 'Close the dup', zh: '关掉 dup 出来的 fd' },
  summary: {
    en: 'A server lends its listener to a helper; after shutdown no LISTEN socket may be left behind.',
    zh: '服务器把监听 socket 借给一个辅助进程；关闭之后不能留下任何 LISTEN socket。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 15_000,
  checks: [
    servesCheck,
    {
      id: 'one-fd',
      title: { en: 'once the helper runs, exactly one fd refers to the listening socket', zh: '辅助进程运行后，恰好只有一个 fd 指向监听 socket' },
      hint: {
        en: 'The dup you made for the helper is yours to close once the helper has been started: the child has its own copy.',
        zh: '为辅助进程 dup 出来的 fd 由你负责关闭：辅助进程启动后它已有自己的副本。',
      },
    },
    {
      id: 'refuses-after-close',
      title: { en: 'after SIGTERM, new connections are refused at once (no LISTEN left)', zh: '收到 SIGTERM 后，新连接立刻被拒绝（不再有 LISTEN）' },
      hint: {
        en: 'close()/Shutdown closes one fd; the socket stays in LISTEN while any other fd refers to its description (fds table: same DESC letter).',
        zh: 'close()/Shutdown 只关掉一个 fd；只要还有别的 fd 指向同一个打开文件描述，socket 就仍在 LISTEN（fd 表里 DESC 字母相同）。',
      },
    },
    {
      id: 'finishes-in-flight',
      title: { en: 'a request in flight at SIGTERM still gets its answer', zh: 'SIGTERM 时正在处理的请求仍然得到响应' },
      hint: { en: 'Stop accepting, then let the running request finish before exiting (server.close callback, Shutdown).', zh: '先停止接受新连接，再等正在处理的请求完成后退出（server.close 的回调、Shutdown）。' },
    },
    {
      id: 'all-exit',
      title: { en: 'every process (server and helper) has exited 3 s after the last request', zh: '最后一个请求结束 3 秒内，所有进程（服务器和辅助进程）都已退出' },
      hint: { en: 'The server stops its helper when it shuts down.', zh: '服务器关闭时要停止它的辅助进程。' },
    },
  ],
  hints: [
    { en: 'Run `hotrestart-tutor fds PID` on the server and its helper while they run: how many rows carry the listener\'s DESC letter?', zh: '在服务器和辅助进程运行时执行 `hotrestart-tutor fds PID`：有几行带着监听 socket 的 DESC 字母？' },
    { en: 'Lesson 5 shows what a leftover dup does after close(): the port stays in LISTEN and clients connect, then hang.', zh: '第 5 课演示了 close() 之后残留的 dup 会怎样：端口仍在 LISTEN，客户端能连上，然后挂住。' },
    { en: 'Node: sys.close(dupFd) right after spawn(). Go: f.Close() right after cmd.Start().', zh: 'Node：spawn() 之后立刻 sys.close(dupFd)。Go：cmd.Start() 之后立刻 f.Close()。' },
  ],
  wrong: [
    { dir: 'node-exits-at-once', code: 'node', fails: 'finishes-in-flight', mistake: 'exits on SIGTERM without waiting for the request in flight' },
    { dir: 'node-helper-left', code: 'node', fails: 'all-exit', mistake: 'never stops the helper' },
    { dir: 'go-keeps-file', code: 'go', fails: 'refuses-after-close', mistake: 'never closes the *os.File that File() returned' },
  ],

  async scenario(ctx) {
    const run = await ctx.start();
    const { port } = await ctx.waitForListener(run);
    await checkServes(ctx, port);

    // The helper gets a moment to start and to close what it does not need; then count the fds.
    const settled = await ctx.waitFor(() => {
      const snap = run.snapshot();
      const listener = snap.rows.find((row) => row.socket?.state === 'LISTEN' && row.socket.local === `127.0.0.1:${port}`);
      const holders = listener ? sameDescription(snap, listener) : [];
      return holders.length === 1 && run.pids().length >= 2 ? { snap, holders } : undefined;
    }, 1500, 50);
    const snap = settled?.snap ?? run.snapshot();
    const listener = snap.rows.find((row) => row.socket?.state === 'LISTEN' && row.socket.local === `127.0.0.1:${port}`);
    const holders = settled?.holders ?? (listener ? sameDescription(snap, listener) : []);
    ctx.record('one-fd', holders.length === 1, {
      pass: { en: 'One fd refers to the listening socket.', zh: '只有一个 fd 指向监听 socket。' },
      fail: { en: `${holders.length} fds refer to the listening socket.`, zh: `有 ${holders.length} 个 fd 指向监听 socket。` },
    }, ctx.rows(snap, holders));

    // A slow request in flight, then SIGTERM: the listener must go at once, the request must finish.
    const slow = httpGet(port, { path: '/slow', timeoutMs: 4000 });
    await ctx.sleep(250);
    run.signal(run.mainPid, 'SIGTERM');
    await ctx.sleep(300);
    const probe = await tcpProbe(port, 800);
    const left = machineListeners(port);
    const leftRows = run.snapshot().rows.filter((row) => row.socket?.state === 'LISTEN' && row.socket.local === `127.0.0.1:${port}`);
    ctx.record('refuses-after-close', probe === 'refused' && left.length === 0, {
      pass: { en: 'A new connection 0.3 s after SIGTERM was refused.', zh: 'SIGTERM 0.3 秒后的新连接被拒绝。' },
      fail: {
        en: `A new connection 0.3 s after SIGTERM was ${probe === 'accepted' ? 'accepted (into the accept queue of a listener nobody serves)' : probe}; ${left.length} LISTEN socket(s) on port ${port}.`,
        zh: `SIGTERM 0.3 秒后的新连接${probe === 'accepted' ? '被接受了（进入一个没人服务的监听 socket 的接受队列）' : `结果：${probe}`}；端口 ${port} 上还有 ${left.length} 个 LISTEN socket。`,
      },
    }, ctx.rows(run.snapshot(), leftRows));
    const answer = await slow;
    ctx.record('finishes-in-flight', answer.status === 200, {
      pass: { en: `The request in flight was answered ${answer.status} after ${answer.ms} ms.`, zh: `正在处理的请求在 ${answer.ms} 毫秒后得到 ${answer.status}。` },
      fail: { en: `The request in flight got ${answer.status ?? answer.error}.`, zh: `正在处理的请求得到 ${answer.status ?? answer.error}。` },
    });
    const gone = await ctx.waitForNoProcesses(run, 3000);
    const alive = run.pids();
    ctx.record('all-exit', gone, {
      pass: { en: 'Every process of the program has exited.', zh: '程序的所有进程都已退出。' },
      fail: { en: `Still running 3 s later: pid ${alive.join(', ')}.`, zh: `3 秒后仍在运行：pid ${alive.join('、')}。` },
    }, gone ? [] : ctx.rows(run.snapshot(alive), run.snapshot(alive).rows.filter((row) => row.fd > 2)));
  },
});

// Exercise 2, keep it non-blocking (lesson 6): O_NONBLOCK belongs to the open file description, so
// handing the listener to a child can switch the parent's own listener to blocking mode — libuv's
// stdio set-up for fd 0 in Node, File()/Start() in Go — where Go's Shutdown then waits for a client.
import { checkServes, defineExercise, servesCheck, httpGet, sameDescription, type FdRow, type Snapshot } from '../../src/exercise/define.js';

const listenerOf = (snap: Snapshot, port: number): FdRow | undefined =>
  snap.rows.find((row) => row.socket?.state === 'LISTEN' && row.socket.local === `127.0.0.1:${port}`);

export default defineExercise({
  id: 'keep-nonblocking',
  number: 2,
  lesson: 'nonblock-on-description',
  title: { en: 'Keep it non-blocking', zh: '保持非阻塞' },
  summary: {
    en: 'Hand the listener to a child without leaving the shared description blocking.',
    zh: '把监听 socket 交给子进程，同时不让共享的打开文件描述变成阻塞模式。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 15_000,
  checks: [
    servesCheck,
    {
      id: 'handed',
      title: { en: 'a child process holds the same listening socket', zh: '一个子进程持有同一个监听 socket' },
      hint: { en: 'Start the child with the listener: Node at stdio index 0, Go in ExtraFiles.', zh: '启动子进程时把监听 socket 交给它：Node 放在 stdio 的第 0 项，Go 放进 ExtraFiles。' },
    },
    {
      id: 'nonblock',
      title: { en: 'the shared description stays O_NONBLOCK once the child runs', zh: '子进程运行后，共享的打开文件描述仍是 O_NONBLOCK' },
      hint: {
        en: 'O_NONBLOCK is a flag of the open file description, shared by both processes. Whatever switched it off did so for you too: set it again after the child started, through your own fd (Go: SyscallConn().Control).',
        zh: 'O_NONBLOCK 是打开文件描述的标志，两个进程共享。把它关掉的操作对你也生效：子进程启动之后，通过你自己的 fd 重新设置它（Go：SyscallConn().Control）。',
      },
    },
    {
      id: 'serves-after',
      title: { en: '20 requests after the handover are all answered', zh: '交接之后的 20 个请求全部得到响应' },
      hint: { en: 'The parent keeps serving from the listener it shares with the child.', zh: '父进程继续用它与子进程共享的监听 socket 提供服务。' },
    },
    {
      id: 'closes-promptly',
      title: { en: 'after SIGTERM every process has exited within 3 s, with no client connecting', zh: '收到 SIGTERM 后，没有客户端连接的情况下，所有进程 3 秒内退出' },
      hint: {
        en: 'On a blocking listener, Go\'s accept sits in the kernel and Close/Shutdown waits for it: only a new client would wake it up.',
        zh: '在阻塞的监听 socket 上，Go 的 accept 停在内核里，Close/Shutdown 要等它返回：只有新客户端连进来才会唤醒它。',
      },
    },
  ],
  hints: [
    { en: 'Watch `hotrestart-tutor fds PID` before and after the child starts: which column changes, and on which rows?', zh: '在子进程启动前后观察 `hotrestart-tutor fds PID`：哪一列变了，在哪些行上？' },
    { en: 'Lesson 6 shows that a flag set through one fd shows on every fd of the same description, in every process.', zh: '第 6 课演示过：通过一个 fd 设置的标志，会出现在同一个打开文件描述的每个 fd 上，不论在哪个进程里。' },
    { en: 'Node: sys.setNonBlocking(fd, true) after spawn() returned. Go: tcp.SyscallConn() then Control(func(fd uintptr){ syscall.SetNonblock(int(fd), true) }) after Start().', zh: 'Node：spawn() 返回后调用 sys.setNonBlocking(fd, true)。Go：Start() 之后 tcp.SyscallConn()，再 Control(func(fd uintptr){ syscall.SetNonblock(int(fd), true) })。' },
  ],
  wrong: [
    { dir: 'node-repairs-too-early', code: 'node', fails: 'nonblock', mistake: 'sets O_NONBLOCK before the spawn' },
    { dir: 'go-repairs-too-early', code: 'go', fails: 'closes-promptly', mistake: 'sets O_NONBLOCK before File() and Start()' },
  ],

  async scenario(ctx) {
    const run = await ctx.start();
    const { port } = await ctx.waitForListener(run);
    await checkServes(ctx, port);

    const handed = await ctx.waitFor(() => {
      const snap = run.snapshot();
      const listener = listenerOf(snap, port);
      const holders = listener ? sameDescription(snap, listener) : [];
      return new Set(holders.map((row) => row.pid)).size >= 2 ? { snap, holders } : undefined;
    }, 3000, 50);
    const snap = handed?.snap ?? run.snapshot();
    const listener = listenerOf(snap, port);
    const holders = handed?.holders ?? (listener ? sameDescription(snap, listener) : []);
    ctx.record('handed', handed !== undefined, {
      pass: { en: `Processes ${[...new Set(holders.map((row) => row.pid))].join(' and ')} hold the listening socket.`, zh: `进程 ${[...new Set(holders.map((row) => row.pid))].join(' 和 ')} 持有监听 socket。` },
      fail: { en: 'No second process held the listening socket within 3 s.', zh: '3 秒内没有第二个进程持有监听 socket。' },
    }, ctx.rows(snap, holders));

    // Give a repair made right after the spawn a moment, then read the flag the kernel keeps.
    await ctx.sleep(300);
    const later = run.snapshot();
    const rows = listener ? sameDescription(later, listenerOf(later, port) ?? listener) : [];
    const blocking = rows.length === 0 || rows.some((row) => row.nonblock !== true);
    ctx.record('nonblock', !blocking, {
      pass: { en: 'The listening socket\'s description has O_NONBLOCK.', zh: '监听 socket 的打开文件描述带有 O_NONBLOCK。' },
      fail: { en: 'The listening socket\'s description is in blocking mode (no nonblock in FILE FLAGS).', zh: '监听 socket 的打开文件描述处于阻塞模式（FILE FLAGS 里没有 nonblock）。' },
    }, ctx.rows(later, rows));

    const answers = await Promise.all(Array.from({ length: 20 }, () => httpGet(port, { timeoutMs: 2000 })));
    const answered = answers.filter((answer) => answer.status === 200).length;
    ctx.record('serves-after', answered === 20, {
      pass: { en: '20 of 20 requests answered.', zh: '20 个请求全部得到响应。' },
      fail: { en: `${answered} of 20 requests answered.`, zh: `20 个请求中只有 ${answered} 个得到响应。` },
    });

    run.signal(run.mainPid, 'SIGTERM');
    const gone = await ctx.waitForNoProcesses(run, 3000);
    const alive = run.pids();
    const leftSnap = run.snapshot(alive);
    ctx.record('closes-promptly', gone, {
      pass: { en: 'Every process exited after SIGTERM.', zh: '收到 SIGTERM 后所有进程都已退出。' },
      fail: { en: `Still running 3 s after SIGTERM: pid ${alive.join(', ')}.`, zh: `SIGTERM 3 秒后仍在运行：pid ${alive.join('、')}。` },
    }, gone ? [] : ctx.rows(leftSnap, leftSnap.rows.filter((row) => row.socket?.state === 'LISTEN')));
  },
});

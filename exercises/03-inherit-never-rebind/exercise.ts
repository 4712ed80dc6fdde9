// Exercise 3, inherit, never rebind (lesson 8): a successor takes its listener from LISTEN_FDS / fd 3
// and serves the very same open file description; rebinding the port means a gap and a new socket.
import { checkServes, defineExercise, servesCheck, httpGet, sameDescription, startLoad, tcpListeners } from '../../src/exercise/define.js';

export default defineExercise({
  id: 'inherit-never-rebind',
  number: 3,
  lesson: 'pass-by-inheritance',
  title: { en: 'Inherit, never rebind', zh: '继承，绝不重新绑定' },
  summary: {
    en: 'On SIGHUP a successor takes the listener from LISTEN_FDS / fd 3 and serves the same socket.',
    zh: '收到 SIGHUP 时，后继进程从 LISTEN_FDS / fd 3 接过监听 socket，服务同一个 socket。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 20_000,
  checks: [
    servesCheck,
    {
      id: 'successor-listens',
      title: { en: 'after SIGHUP a successor process listens on the same port', zh: '收到 SIGHUP 后，一个后继进程在同一个端口上监听' },
      hint: { en: 'On SIGHUP, start the same program again as a child (Node: process.execPath with process.argv; Go: os.Executable()).', zh: '收到 SIGHUP 时，把同一个程序作为子进程再启动一次（Node：process.execPath 加 process.argv；Go：os.Executable()）。' },
    },
    {
      id: 'same-socket',
      title: { en: 'the successor serves the very same listening socket (same inode, same description)', zh: '后继进程服务的是同一个监听 socket（同一个 inode，同一个打开文件描述）' },
      hint: {
        en: 'A second bind makes a new socket with an empty accept queue. Pass yours at fd 3 with LISTEN_FDS=1 and let the successor serve that fd.',
        zh: '再 bind 一次会得到一个新 socket，它的接受队列是空的。把你的 socket 作为 fd 3 传下去并设置 LISTEN_FDS=1，让后继进程服务这个 fd。',
      },
    },
    {
      id: 'no-refused',
      title: { en: 'no connection is refused or reset during the restart', zh: '重启期间没有连接被拒绝或重置' },
      hint: { en: 'Between a close and a new bind, nothing listens: connections are refused. An inherited listener never stops listening.', zh: '在 close 和重新 bind 之间没有任何东西在监听：连接会被拒绝。继承来的监听 socket 从不停止监听。' },
    },
    {
      id: 'old-leaves',
      title: { en: 'the old process exits; one process is left, serving', zh: '旧进程退出；只剩一个进程，并且在服务' },
      hint: { en: 'Once the successor has the listener, the old process stops accepting, finishes what is in flight and exits.', zh: '后继进程拿到监听 socket 后，旧进程停止接受连接，处理完正在进行的请求，然后退出。' },
    },
  ],
  hints: [
    { en: 'Lesson 8 passes a listener by inheritance: the same inode shows in two processes, with different fd numbers.', zh: '第 8 课演示了通过继承传递监听 socket：同一个 inode 出现在两个进程里，fd 号不同。' },
    { en: 'Node: spawn(..., { stdio: [\'ignore\', \'inherit\', \'inherit\', sys.fdOf(server)], env: { ...process.env, LISTEN_FDS: \'1\' } }); in the successor server.listen({ fd: 3 }).', zh: 'Node：spawn(..., { stdio: [\'ignore\', \'inherit\', \'inherit\', sys.fdOf(server)], env: { ...process.env, LISTEN_FDS: \'1\' } })；后继进程里 server.listen({ fd: 3 })。' },
    { en: 'Go: f, _ := tcp.File(); cmd.ExtraFiles = []*os.File{f}; in the successor net.FileListener(os.NewFile(3, "listener")).', zh: 'Go：f, _ := tcp.File(); cmd.ExtraFiles = []*os.File{f}；后继进程里 net.FileListener(os.NewFile(3, "listener"))。' },
  ],
  wrong: [
    { dir: 'node-never-leaves', code: 'node', fails: 'old-leaves', mistake: 'the old generation never exits' },
    { dir: 'go-never-leaves', code: 'go', fails: 'old-leaves', mistake: 'the old generation never exits' },
  ],

  async scenario(ctx) {
    const run = await ctx.start();
    const { port, row: original, snap: first } = await ctx.waitForListener(run);
    await checkServes(ctx, port);
    const oldPid = original.pid;

    // A light load across the restart: two workers, a new connection per request.
    const load = startLoad({ port, keepAlive: false, concurrency: 2, pauseMs: 10, requestTimeoutMs: 3000, maxRequests: 5000, maxDurationMs: 15_000 });
    await ctx.sleep(300);
    run.signal(oldPid, 'SIGHUP');
    const found = await ctx.waitFor(() => {
      const snap = run.snapshot();
      const rows = tcpListeners(snap, port).filter((row) => row.pid !== oldPid);
      return rows.length > 0 ? { snap, rows } : undefined;
    }, 5000, 30);
    ctx.record('successor-listens', found !== undefined, {
      pass: { en: `Process ${found?.rows[0].pid} listens on port ${port}.`, zh: `进程 ${found?.rows[0].pid} 在端口 ${port} 上监听。` },
      fail: { en: `No other process listened on port ${port} within 5 s of SIGHUP.`, zh: `SIGHUP 之后 5 秒内没有别的进程在端口 ${port} 上监听。` },
    }, found ? ctx.rows(found.snap, found.rows) : []);
    if (found) {
      const same = found.rows.every((row) => row.inode === original.inode);
      ctx.record('same-socket', same, {
        pass: { en: `Socket inode ${original.inode} in both generations.`, zh: `两代进程里是同一个 socket inode ${original.inode}。` },
        fail: { en: `The successor listens on a new socket (inode ${found.rows.map((row) => row.inode).join(', ')}, was ${original.inode}).`, zh: `后继进程监听的是一个新 socket（inode ${found.rows.map((row) => row.inode).join('、')}，原来是 ${original.inode}）。` },
      }, [...ctx.rows(first, [original]), ...ctx.rows(found.snap, found.rows).slice(1)]);
    } else {
      ctx.fail('same-socket', { en: 'There was no successor to compare.', zh: '没有后继进程可以比较。' });
    }

    const left = await ctx.waitFor(() => !run.isAlive(oldPid), 5000, 30);
    await ctx.sleep(300);
    const stats = await load.stop();
    ctx.record('no-refused', stats.failed === 0 && stats.ok > 0, {
      pass: { en: `${stats.ok} requests answered, 0 failed.`, zh: `${stats.ok} 个请求得到响应，0 个失败。` },
      fail: { en: `${stats.failed} of ${stats.ok + stats.failed} requests failed (refused ${stats.refused}, reset ${stats.reset}, timeout ${stats.timeout}).`, zh: `${stats.ok + stats.failed} 个请求中 ${stats.failed} 个失败（拒绝 ${stats.refused}，重置 ${stats.reset}，超时 ${stats.timeout}）。` },
    });
    const pids = run.pids();
    const after = await httpGet(port);
    const snap = run.snapshot(pids);
    const holders = tcpListeners(snap, port);
    const ok = left === true && pids.length === 1 && holders.length === 1 && after.status === 200;
    ctx.record('old-leaves', ok, {
      pass: { en: `Process ${oldPid} exited; process ${pids[0]} serves alone.`, zh: `进程 ${oldPid} 已退出；只剩进程 ${pids[0]} 在服务。` },
      fail: {
        en: `${left ? `Process ${oldPid} exited` : `Process ${oldPid} still runs 5 s after SIGHUP`}; ${pids.length} process(es) left (${pids.join(', ')}); GET / got ${after.status ?? after.error}.`,
        zh: `${left ? `进程 ${oldPid} 已退出` : `SIGHUP 5 秒后进程 ${oldPid} 仍在运行`}；还剩 ${pids.length} 个进程（${pids.join('、')}）；GET / 得到 ${after.status ?? after.error}。`,
      },
    }, ctx.rows(snap, holders.length > 0 ? sameDescription(snap, holders[0]) : []));
  },
});

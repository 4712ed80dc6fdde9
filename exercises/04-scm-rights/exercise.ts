// Exercise 4, SCM_RIGHTS (lesson 9): the next generation is an unrelated process (the verifier starts
// it, not the old server); it connects to the old one's unix socket in the private directory and
// receives the listener. Three generations in a row: no generation may unlink a path the next one uses.
import { lstatSync } from 'node:fs';
import { sep } from 'node:path';
import { defineExercise, httpGet, startLoad, tcpListeners, type FdRow, type ProgramRun, type Snapshot } from '../../src/exercise/define.js';
import { holdRequest } from './held-request.js';

/** The program's unix socket in LISTEN (its handover socket), as the kernel shows it. */
function handoverOf(run: ProgramRun): { snap: Snapshot; row: FdRow; path: string } | undefined {
  const snap = run.snapshot();
  const row = snap.rows.find((candidate) => candidate.type === 'UNIX' && candidate.socket?.state === 'LISTEN');
  return row ? { snap, row, path: row.socket?.local ?? row.name } : undefined;
}

function isSocketFile(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

export default defineExercise({
  id: 'scm-rights',
  number: 4,
  lesson: 'scm-rights',
  title: { en: 'Hand the listener to a stranger (SCM_RIGHTS)', zh: '把监听 socket 交给一个陌生进程（SCM_RIGHTS）' },
  summary: {
    en: 'An unrelated successor connects to the old server\'s unix socket and receives the listener; three generations, no path pulled from under the next.',
    zh: '一个毫不相干的后继进程连上旧服务进程的 unix socket，接过监听 socket；连续三代，谁也不能删掉下一代正在用的路径。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 20_000,
  checks: [
    {
      id: 'serves',
      title: { en: 'the first generation answers GET / on its 127.0.0.1 listener', zh: '第一代进程在 127.0.0.1 的监听 socket 上响应 GET /' },
      hint: { en: 'Without HANDOVER_FROM, listen on 127.0.0.1 port 0 and answer 200 to GET /.', zh: '没有 HANDOVER_FROM 时，监听 127.0.0.1 的 0 号端口，对 GET / 回 200。' },
    },
    {
      id: 'private-rendezvous',
      title: { en: 'it waits for the next generation on a unix socket in $EXERCISE_DIR', zh: '它在 $EXERCISE_DIR 里的一个 unix socket 上等待下一代' },
      hint: {
        en: 'Listen on a unix socket whose path is inside $EXERCISE_DIR (mode 0700: no other user can even reach the name); not /tmp, not an abstract name.',
        zh: '在 $EXERCISE_DIR 里的路径上监听一个 unix socket（目录权限 0700：别的用户连这个名字都碰不到）；不要放在 /tmp，也不要用抽象名字。',
      },
    },
    {
      id: 'same-socket',
      title: { en: 'the next generation, started by the verifier, serves the very same listening socket', zh: '由验证器启动的下一代进程服务的是同一个监听 socket' },
      hint: {
        en: 'The new process is not your child: nothing is inherited. It connects to HANDOVER_FROM and receives the fd in an SCM_RIGHTS message; a new bind would be a new socket (another inode).',
        zh: '新进程不是你的子进程：什么也继承不到。它连上 HANDOVER_FROM，在 SCM_RIGHTS 消息里收到 fd；重新 bind 会得到一个新 socket（另一个 inode）。',
      },
    },
    {
      id: 'no-refused',
      title: { en: 'no connection is refused or reset during the handover', zh: '交接期间没有连接被拒绝或重置' },
      hint: { en: 'The listener never closes: the old generation sends it, the new one serves it, the socket stays in LISTEN all along.', zh: '监听 socket 从未关闭：旧一代把它发出去，新一代服务它，socket 一直处于 LISTEN。' },
    },
    {
      id: 'old-leaves',
      title: { en: 'the old generation answers its request in flight, exits and removes its own handover socket', zh: '旧一代处理完正在进行的请求后退出，并删除它自己的交接 socket' },
      hint: { en: 'Once the listener is sent: stop accepting, let the request in flight finish, close the handover socket (its path goes with it), exit.', zh: '发出监听 socket 之后：停止接受连接，等正在进行的请求完成，关闭交接 socket（它的路径随之删除），然后退出。' },
    },
    {
      id: 'path-kept',
      title: { en: 'the new generation\'s handover path survives the old one, and a third generation takes over through it', zh: '新一代的交接路径在旧一代退出后依然存在，第三代通过它完成接管' },
      hint: {
        en: 'Closing a unix listener unlinks its path, and so does a "remove the stale file" before bind: with one name for every generation, one of them deletes the name the next one is listening on. Put the pid in the name.',
        zh: '关闭 unix 监听 socket 会删除它的路径，bind 之前"删除残留文件"也会：如果每一代都用同一个名字，总有一代会删掉下一代正在监听的名字。把 pid 放进名字里。',
      },
    },
  ],
  hints: [
    { en: 'Lesson 9 passes a listener over a unix socket between two unrelated processes: the fd number changes on the way, the inode does not.', zh: '第 9 课演示了在两个不相干的进程之间通过 unix socket 传递监听 socket：途中 fd 编号变了，inode 没变。' },
    { en: 'Node: the receiver pauses its net.Socket before it connects (or libuv reads the message and the fd is lost), then sys.recvFds(sys.fdOf(conn), 1); the sender sys.sendFds(sys.fdOf(conn), [sys.fdOf(server)]).', zh: 'Node：接收方在连接完成前先 pause() 它的 net.Socket（否则 libuv 会读走消息，fd 就丢了），再 sys.recvFds(sys.fdOf(conn), 1)；发送方 sys.sendFds(sys.fdOf(conn), [sys.fdOf(server)])。' },
    { en: 'Go: conn.WriteMsgUnix([]byte("fd"), syscall.UnixRights(fd), nil) inside (*net.TCPListener).SyscallConn().Control; the receiver ReadMsgUnix, ParseSocketControlMessage, ParseUnixRights, net.FileListener.', zh: 'Go：在 (*net.TCPListener).SyscallConn().Control 里调用 conn.WriteMsgUnix([]byte("fd"), syscall.UnixRights(fd), nil)；接收方 ReadMsgUnix、ParseSocketControlMessage、ParseUnixRights、net.FileListener。' },
  ],
  wrong: [
    { dir: 'node-fixed-name', code: 'node', fails: 'path-kept', mistake: 'one handover.sock for every generation, "stale" file removed before bind' },
    { dir: 'go-fixed-name', code: 'go', fails: 'path-kept', mistake: 'one handover.sock for every generation, "stale" file removed before bind' },
  ],

  async scenario(ctx) {
    const gen1 = await ctx.start();
    const { port, row: original, snap: first } = await ctx.waitForListener(gen1);
    const hello = await httpGet(port);
    ctx.record('serves', hello.status === 200, {
      pass: { en: `GET / answered ${hello.status} on port ${port}.`, zh: `GET / 在端口 ${port} 上得到 ${hello.status}。` },
      fail: { en: `GET / on port ${port} got ${hello.status ?? hello.error}.`, zh: `GET / 在端口 ${port} 上得到 ${hello.status ?? hello.error}。` },
    });

    const meet1 = await ctx.waitFor(() => handoverOf(gen1), 3000, 40);
    if (!meet1) return ctx.fault('setup', { en: 'The first generation listens on no unix socket within 3 s: there is nowhere for the next one to connect.', zh: '第一代进程 3 秒内没有在任何 unix socket 上监听：下一代无处可连。' });
    const inside = meet1.path.startsWith(ctx.dir + sep) && isSocketFile(meet1.path);
    ctx.record('private-rendezvous', inside, {
      pass: { en: `Handover socket ${meet1.path} (in the private directory).`, zh: `交接 socket ${meet1.path}（在私有目录里）。` },
      fail: { en: `The handover socket is ${meet1.path}, not a socket file inside ${ctx.dir}.`, zh: `交接 socket 是 ${meet1.path}，不是 ${ctx.dir} 里的 socket 文件。` },
    }, ctx.rows(meet1.snap, [meet1.row]));

    // Generation 2, unrelated to generation 1, under a light load and with a request in flight.
    const load = startLoad({ port, keepAlive: false, concurrency: 2, pauseMs: 10, requestTimeoutMs: 3000, maxRequests: 5000, maxDurationMs: 15_000 });
    // A request in flight on generation 1 until generation 2 has its own handover socket: generation 1
    // must outlive that moment, whatever the machine's speed.
    const held = await holdRequest(port);
    await ctx.sleep(100);
    const gen2 = await ctx.start({ env: { HANDOVER_FROM: meet1.path } });
    const took = await ctx.waitFor(() => {
      const snap = gen2.snapshot();
      const rows = tcpListeners(snap);
      return rows.length > 0 ? { snap, rows } : undefined;
    }, 5000, 30);
    const same = took !== undefined && took.rows.every((row) => row.inode === original.inode && row.socket?.local === original.socket?.local);
    ctx.record('same-socket', same, {
      pass: { en: `Process ${took?.rows[0].pid} serves socket inode ${original.inode}, received from process ${original.pid}.`, zh: `进程 ${took?.rows[0].pid} 服务 socket inode ${original.inode}，它是从进程 ${original.pid} 收到的。` },
      fail: took
        ? { en: `The new generation listens on ${took.rows.map((row) => `${row.socket?.local} inode ${row.inode}`).join(', ')}; the old socket is ${original.socket?.local} inode ${original.inode}.`, zh: `新一代监听的是 ${took.rows.map((row) => `${row.socket?.local} inode ${row.inode}`).join('、')}；原来的 socket 是 ${original.socket?.local} inode ${original.inode}。` }
        : { en: 'The new generation held no TCP listener within 5 s.', zh: '新一代 5 秒内没有持有任何 TCP 监听 socket。' },
    }, [...ctx.rows(first, [original]), ...(took ? ctx.rows(took.snap, took.rows).slice(1) : [])]);

    const meet2 = await ctx.waitFor(() => handoverOf(gen2), 3000, 40);
    const answered = Date.now();
    const status = await held.finish(3000);
    const answer = { status, ms: Date.now() - answered };
    const left = await ctx.waitForNoProcesses(gen1, 5000);
    const removed = !isSocketFile(meet1.path) || meet1.path === meet2?.path;
    ctx.record('old-leaves', answer.status === 200 && left && removed, {
      pass: { en: `The request in flight was answered ${answer.ms} ms after its end was sent; process ${original.pid} exited and ${meet1.path} is gone.`, zh: `正在进行的请求在发完之后 ${answer.ms} 毫秒得到响应；进程 ${original.pid} 已退出，${meet1.path} 已删除。` },
      fail: {
        en: `Request in flight: ${answer.status ?? 'no answer'}; old process ${left ? 'exited' : 'still running 5 s later'}; ${removed ? 'its handover path is gone' : `${meet1.path} is left behind`}.`,
        zh: `正在进行的请求：${answer.status ?? '没有响应'}；旧进程${left ? '已退出' : ' 5 秒后仍在运行'}；${removed ? '它的交接路径已删除' : `${meet1.path} 被留了下来`}。`,
      },
    });
    await ctx.sleep(200);
    const stats = await load.stop();
    ctx.record('no-refused', stats.failed === 0 && stats.ok > 0, {
      pass: { en: `${stats.ok} requests answered, 0 failed.`, zh: `${stats.ok} 个请求得到响应，0 个失败。` },
      fail: { en: `${stats.failed} of ${stats.ok + stats.failed} requests failed (refused ${stats.refused}, reset ${stats.reset}, timeout ${stats.timeout}).`, zh: `${stats.ok + stats.failed} 个请求中 ${stats.failed} 个失败（拒绝 ${stats.refused}，重置 ${stats.reset}，超时 ${stats.timeout}）。` },
    });

    // Generation 3 through generation 2's path, after generation 1 has gone.
    if (!meet2) {
      ctx.fail('path-kept', { en: 'The second generation listens on no unix socket: no way for a third one to take over.', zh: '第二代进程没有在任何 unix socket 上监听：第三代无从接管。' });
      return;
    }
    const kept = isSocketFile(meet2.path);
    const gen3 = kept ? await ctx.start({ env: { HANDOVER_FROM: meet2.path } }) : undefined;
    const third = gen3 && (await ctx.waitFor(() => {
      const snap = gen3.snapshot();
      const rows = tcpListeners(snap);
      return rows.length > 0 ? { snap, rows } : undefined;
    }, 5000, 30));
    const through = !!third && third.rows.every((row) => row.inode === original.inode);
    ctx.record('path-kept', kept && through, {
      pass: { en: `${meet2.path} was still there; a third generation (process ${third ? third.rows[0].pid : ''}) serves socket inode ${original.inode}.`, zh: `${meet2.path} 仍然存在；第三代（进程 ${third ? third.rows[0].pid : ''}）服务 socket inode ${original.inode}。` },
      fail: kept
        ? { en: `${meet2.path} was there, but a third generation started with it held no listener with inode ${original.inode} within 5 s.`, zh: `${meet2.path} 存在，但用它启动的第三代在 5 秒内没有持有 inode 为 ${original.inode} 的监听 socket。` }
        : { en: `${meet2.path} no longer exists, while process ${meet2.row.pid} still listens on it: the old generation removed the path the new one uses.`, zh: `${meet2.path} 已不存在，而进程 ${meet2.row.pid} 仍在它上面监听：旧一代删掉了新一代正在用的路径。` },
    }, [...ctx.rows(meet2.snap, [meet2.row]), ...(third ? ctx.rows(third.snap, third.rows).slice(1) : [])]);
  },
});

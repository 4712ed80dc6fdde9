// Lesson 9: passing a listener over a unix socket (SCM_RIGHTS) between two unrelated processes. The
// rendezvous is a named unix socket in a private directory, the pid in its name; the fd number changes
// on the way, the open file description does not; a plain read drops the passed fd (why a Node receiver
// keeps libuv off the socket); unlinking the name strands the still-listening socket (ENOENT); and
// Node's own child.send(msg, server) is the same mechanism over its IPC socketpair.
import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { answeredOnlyBy, askPort, type Answers } from '../src/lesson/answers.js';
import { listenersOn } from '../src/lesson/kit.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { isNodePlumbing } from '../src/lesson/observe.js';
import { parentOf, rowsOf, rowsTogether, sharing } from '../src/lesson/procview.js';
import type { Lesson, LessonContext } from '../src/lesson/types.js';
import { excerpt, joinText } from '../src/lesson/excerpt.js';
import type { PuppetResults } from '../src/demo/protocol.js';

/** The programs the code excerpts come from (lessons/assets/code). */
const GO = 'go/scm-rights.go';
const NODE = 'node/scm-rights.mjs';

const REQUESTS = 20;

/** The private directory, as the kernel knows it: old's working directory (puppets chdir there). */
const privateDir = (ctx: LessonContext) => readlinkSync(`/proc/${ctx.pid('old')}/cwd`);
const socketPath = (ctx: LessonContext<Vars>) => join(privateDir(ctx), ctx.vars.path);
/** new's fds that refer to old's listener, by inode: what new really holds, whatever it was told. */
const listenerFdsIn = (ctx: LessonContext<Vars>, name: string) => rowsOf(ctx, name).filter((row) => row.inode === ctx.vars.listenerInode).map((row) => row.fd);
const tcpFds = (ctx: LessonContext, name: string) => rowsOf(ctx, name).filter((row) => row.type === 'TCP').map((row) => row.fd);

function lstatOrError(path: string): { socket: boolean; error?: string } {
  try {
    return { socket: lstatSync(path).isSocket() };
  } catch (error) {
    return { socket: false, error: (error as NodeJS.ErrnoException).code };
  }
}

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars {
  /** old's HTTP listener, its port and inode. */
  listenFd: number;
  port: number;
  listenerInode: number | null | undefined;
  /** The unix socket old listens on for the handover (relative to the private directory). */
  path: string;
  unixFd: number;
  /** The two ends of the handover connection: new's, and old's accepted one. */
  newSock: number;
  oldConn: number;
  /** Where the listener arrived in new. */
  received: number;
  plainRead: PuppetResults['recv'];
  answers: Answers;
  lateLines: string;
  workerFd: number;
}

export const lesson: Lesson<Vars> = {
  id: 'scm-rights',
  number: 9,
  chapter: { en: 'Chapter 2 · Handing over the listener', zh: '第二章 · 交接监听 socket' },
  title: { en: 'Passing fds over a unix socket (SCM_RIGHTS)', zh: '通过 unix socket 传递 fd（SCM_RIGHTS）' },
  summary: {
    en: 'Inheritance needs a parent and its child. Two unrelated processes — an old server and a new one started by a supervisor — can still share a listener: the old one sends it as an SCM_RIGHTS control message over a unix socket. The number changes on the way, the open file description does not. Where the socket lives, what it is called, and who reads it decide whether the handover works.',
    zh: '继承需要父子关系。两个毫不相干的进程——旧服务进程和由 supervisor 启动的新进程——照样可以共享监听 socket：旧进程通过 unix socket，把它放在 SCM_RIGHTS 控制消息里发过去。途中 fd 编号变了，打开文件描述（open file description）没变。socket 放在哪里、叫什么名字、由谁来读，决定了这次交接能否成功。',
  },
  recap: [
    { en: 'sendmsg with SCM_RIGHTS passes an open file description to an unrelated process: the receiver gets a new fd on it.', zh: 'sendmsg 搭配 SCM_RIGHTS，能把打开文件描述交给毫不相干的进程：接收方得到一个指向它的新 fd。' },
    { en: 'The meeting point is a unix socket named after the pid, in a 0700 directory (systemd: RuntimeDirectoryMode=0700).', zh: '会合点是一个以 pid 命名的 unix socket，放在 0700 的目录里（systemd：RuntimeDirectoryMode=0700）。' },
    { en: 'Read the control part with recvmsg: a plain read drops the fd.', zh: '要用 recvmsg 读控制部分：普通的 read 会把 fd 丢掉。' },
    { en: 'One name per process: a shared name is unlinked by whoever cleans up first.', zh: '一个进程一个名字：共用的名字会被先清理的那个进程 unlink 掉。' },
  ],
  steps: [
    {
      id: 'rendezvous',
      title: { en: 'A meeting point with the pid in its name', zh: '一个名字里带 pid 的会合点' },
      text: {
        en: 'old is a running HTTP server (its listener made by hand and handed to Node). To give that listener to a process it did not start, it needs a meeting point both can reach: a unix socket with a name in the filesystem. old binds handover-PID.sock — its own pid in the name — inside the tutor\'s private directory, and listens on it.\n\nTwo choices protect it. The directory is mode 0700: connect(2) on a unix socket needs search permission on every directory of the path (and write permission on the socket file), so other users cannot even reach the name. Under systemd, RuntimeDirectory= makes such a directory, but with mode 0755 unless RuntimeDirectoryMode=0700 says otherwise. The pid makes the name belong to one process: two generations, or two instances, never share it — step 6 shows what a shared name costs.',
        zh: 'old 是一个正在运行的 HTTP 服务（监听 socket 手工创建后交给了 Node）。要把这个监听 socket 交给一个不是它启动的进程，需要一个双方都能到达的会合点：一个在文件系统里有名字的 unix socket。old 在教程的私有目录里 bind 了 handover-PID.sock——名字里带着它自己的 pid——并在上面监听。\n\n有两个设计在保护它。目录权限是 0700：对 unix socket 调用 connect(2)，需要路径上每一级目录的搜索（x）权限（以及 socket 文件的写权限），所以别的用户连这个名字都碰不到。在 systemd 下，RuntimeDirectory= 会建这样一个目录，但默认权限是 0755，要写上 RuntimeDirectoryMode=0700 才是 0700。pid 让这个名字只属于一个进程：两代进程、两个实例，永远不会共用同一个名字——第 6 步会展示共用名字的代价。',
      },
      code: {
        go: excerpt(GO, 'rendezvous'),
        node: excerpt(NODE, 'rendezvous'),
      },
      async run(ctx) {
        await ctx.start('old');
        const http = await ctx.call('old', { op: 'listen', serve: 'http' });
        ctx.vars.listenFd = http.result.fd;
        ctx.vars.port = http.result.port;
        ctx.vars.listenerInode = ctx.row('old', ctx.vars.listenFd)?.inode;
        ctx.vars.path = `handover-${ctx.pid('old')}.sock`;
        ctx.vars.unixFd = (await ctx.call('old', { op: 'unix-listen', path: ctx.vars.path })).result.fd;
      },
      show: { processes: ['old'], focus: (row, ctx) => row.fd === ctx.vars.unixFd },
      expect: [
        {
          text: { en: 'the directory holding the socket is mode 0700 and belongs to you', zh: '存放 socket 的目录权限是 0700，属于你自己' },
          check: (ctx) => {
            const dir = privateDir(ctx);
            const info = statSync(dir);
            const mode = (info.mode & 0o777).toString(8);
            return { ok: mode === '700' && info.uid === process.getuid?.(), detail: `${dir}: mode ${mode}, uid ${info.uid}` };
          },
        },
        {
          text: { en: `handover-PID.sock is a socket file there, and old listens on it`, zh: 'handover-PID.sock 是那里的一个 socket 文件，old 正在上面监听' },
          check: (ctx) => {
            const file = lstatOrError(socketPath(ctx));
            const row = ctx.row('old', ctx.vars.unixFd);
            return { ok: file.socket && row?.type === 'UNIX' && row.socket?.state === 'LISTEN', detail: `${ctx.vars.path}: ${file.socket ? 'socket' : (file.error ?? 'not a socket')}; fd ${ctx.vars.unixFd} ${row?.socket?.state ?? '-'}` };
          },
        },
      ],
    },
    {
      id: 'connect',
      title: { en: 'An unrelated process knocks', zh: '一个不相干的进程来敲门' },
      text: {
        en: "new is started by the tutor, not by old: no fork between them, no inheritance; their only link is the name. new connects to handover-PID.sock and old accepts. The two new UNIX rows are the two ends of one connection: each one's peer is the other's inode.\n\nHow does new learn the name? From a convention both sides know — a fixed directory plus old's pid, read from a pid file — or from the command line of whoever starts it. Anything that can reach the directory can knock, which is why the directory is private.",
        zh: 'new 由教程启动，而不是由 old 启动：它们之间没有 fork，没有继承，唯一的联系就是那个名字。new 连接 handover-PID.sock，old 执行 accept。新出现的两行 UNIX 是同一个连接的两端：每一行的 peer inode 正是另一行的 inode。\n\nnew 怎么知道这个名字？靠双方都知道的约定——固定目录加上 old 的 pid（从 pid 文件里读）——或者由启动它的人通过命令行告诉它。能进入这个目录的任何进程都能来敲门，所以目录必须是私有的。',
      },
      code: {
        go: excerpt(GO, 'dial'),
        node: excerpt(NODE, 'dial'),
      },
      async run(ctx) {
        await ctx.start('new');
        ctx.vars.newSock = (await ctx.call('new', { op: 'unix-connect', path: ctx.vars.path })).result.fd;
        ctx.vars.oldConn = (await ctx.call('old', { op: 'accept', fd: ctx.vars.unixFd, timeoutMs: 1000 })).result.fd;
      },
      show: { processes: ['old', 'new'], focus: (row, ctx) => (row.command === 'old' && row.fd === ctx.vars.oldConn) || (row.command === 'new' && row.fd === ctx.vars.newSock) },
      expect: [
        {
          text: { en: 'old and new are unrelated: neither is the parent of the other', zh: 'old 和 new 毫无关系：谁也不是谁的父进程' },
          check: (ctx) => {
            const [oldPid, newPid] = [ctx.pid('old'), ctx.pid('new')];
            const [oldParent, newParent] = [parentOf(oldPid), parentOf(newPid)];
            const ok = oldParent !== undefined && newParent !== undefined && oldParent !== newPid && newParent !== oldPid;
            return { ok, detail: `old ${oldPid} (parent ${oldParent ?? '-'}) · new ${newPid} (parent ${newParent ?? '-'})` };
          },
        },
        {
          text: { en: "new's socket and the one old accepted are the two ends of one connection", zh: 'new 的 socket 和 old accept 得到的 socket 是同一个连接的两端' },
          check: (ctx) => {
            const [mine, theirs] = rowsTogether(ctx, [['new', ctx.vars.newSock], ['old', ctx.vars.oldConn]]);
            const ok = !!mine?.inode && !!theirs?.inode && mine.socket?.peerInode === theirs.inode && theirs.socket?.peerInode === mine.inode;
            return { ok, detail: `new:${ctx.vars.newSock} ${mine?.inode ?? '-'} ↔ old:${ctx.vars.oldConn} ${theirs?.inode ?? '-'}` };
          },
        },
      ],
    },
    {
      id: 'pass',
      title: { en: 'sendmsg with SCM_RIGHTS', zh: 'sendmsg 搭配 SCM_RIGHTS' },
      text: {
        en: 'old sends one message on the connection: two bytes of data ("fd") and a control message of type SCM_RIGHTS carrying its listener\'s fd. new receives it with recvmsg(2) and finds in the control part an fd number of its own — the lowest free one in its table. The kernel copied neither the socket nor the open file description: it installed in new\'s table one more reference to the same description, as dup does, but across processes.\n\nThe number changed, the description did not: the same DESC letter in two pids, the same inode. MSG_CMSG_CLOEXEC made the new fd close-on-exec at once, so it cannot leak into a program new starts (lesson 4).',
        zh: 'old 在这个连接上发送一条消息：两个字节的数据（"fd"），外加一条 SCM_RIGHTS 类型的控制消息，里面装着它的监听 socket 的 fd。new 用 recvmsg(2) 接收，在控制消息里拿到一个属于它自己的 fd 编号——它 fd 表里最小的空位。内核既没有复制 socket，也没有复制打开文件描述：它只是在 new 的 fd 表里装上一个指向同一个描述的新引用，就像 dup 一样，只不过跨越了进程。\n\n编号变了，描述没变：两个 pid 里 DESC 字母相同，inode 相同。MSG_CMSG_CLOEXEC 让新 fd 一到手就带上 close-on-exec，所以它不会泄漏进 new 启动的程序（第 4 课）。',
      },
      code: {
        go: joinText(excerpt(GO, 'send'), excerpt(GO, 'receive')),
        node: joinText(excerpt(NODE, 'send'), excerpt(NODE, 'receive')),
      },
      async run(ctx) {
        await ctx.call('old', { op: 'sendfd', fd: ctx.vars.oldConn, fds: [ctx.vars.listenFd] });
        ctx.vars.received = ((await ctx.call('new', { op: 'recvfd', fd: ctx.vars.newSock, timeoutMs: 1000 })).result.fds as number[])[0];
      },
      show: { processes: ['old', 'new'], focus: (row, ctx) => row.inode === ctx.vars.listenerInode },
      expect: [
        {
          text: { en: "new's received fd is old's listener: one open file description in two processes", zh: 'new 收到的 fd 就是 old 的监听 socket：两个进程，一个打开文件描述' },
          check: (ctx) => {
            const { count, detail } = sharing(ctx, [['old', ctx.vars.listenFd], ['new', ctx.vars.received]]);
            return { ok: count === 1, detail };
          },
        },
        {
          text: { en: 'the same socket inode under a different fd number', zh: 'socket 的 inode 相同，fd 编号不同' },
          check: (ctx) => {
            const [mine, theirs] = rowsTogether(ctx, [['old', ctx.vars.listenFd], ['new', ctx.vars.received]]);
            const ok = !!mine?.inode && mine.inode === theirs?.inode && ctx.vars.listenFd !== ctx.vars.received;
            return { ok, detail: `old fd ${ctx.vars.listenFd} → new fd ${ctx.vars.received}; inode ${mine?.inode ?? '-'} / ${theirs?.inode ?? '-'}` };
          },
        },
        {
          text: { en: 'the received fd is close-on-exec (MSG_CMSG_CLOEXEC)', zh: '收到的 fd 带 close-on-exec（MSG_CMSG_CLOEXEC）' },
          check: (ctx) => {
            const row = ctx.row('new', ctx.vars.received);
            return { ok: row?.cloexec === true, detail: `new fd ${ctx.vars.received}: ${row ? (row.cloexec ? 'cloexec' : '-') : 'not open'}` };
          },
        },
      ],
      quiz: {
        question: { en: 'What did the SCM_RIGHTS message carry from old to new?', zh: 'SCM_RIGHTS 消息从 old 带给 new 的是什么？' },
        choices: [
          { en: "A reference to old's open file description, installed at a free fd in new", zh: '一个指向 old 的打开文件描述的引用，装在 new 的一个空闲 fd 上' },
          { en: 'The number of old\'s fd, which new then opens itself', zh: 'old 的 fd 编号，new 再自己去打开它' },
          { en: 'A copy of the socket, with an accept queue of its own', zh: '一个 socket 副本，有它自己的 accept 队列' },
        ],
        answer: 0,
        explanation: {
          en: "A number means nothing outside its own process, so the kernel translates: it takes the description behind old's fd and gives new a fresh fd pointing at it. One socket, one queue, now reachable from both.",
          zh: 'fd 编号离开自己的进程就毫无意义，所以由内核来翻译：它取出 old 的 fd 背后的描述，在 new 里给出一个指向它的新 fd。一个 socket，一个队列，现在两边都能访问。',
        },
      },
    },
    {
      id: 'read-loses',
      title: { en: 'A plain read drops what rides along', zh: '普通的 read 会丢掉随行的 fd' },
      text: {
        en: "old sends the listener once more. This time new reads the socket the way libuv reads a net.Socket: recv(2), with no room for control messages. new gets the two bytes and nothing else — its table has no new fd. The kernel held the passed reference, found nowhere to put it, and dropped it.\n\nThat is why a Node receiver must keep libuv off the socket. A net.Socket in flowing mode reads as soon as data arrives, and every fd that came with it is lost; only an IPC pipe — the channel spawn makes with 'ipc' — is read by libuv with recvmsg (step 7). So pause() the net.Socket before the message can arrive and read it with recvmsg yourself, or, as the puppets do, never hand the socket to libuv at all.",
        zh: 'old 再把监听 socket 发一次。这一次 new 按 libuv 读 net.Socket 的方式去读：recv(2)，不给控制消息留任何空间。new 拿到了那两个字节，别的什么都没有——它的 fd 表里没有新的 fd。内核手里有那个被传递的引用，却找不到地方放，于是把它丢掉了。\n\n这就是 Node 接收方必须让 libuv 远离这个 socket 的原因。处于流动模式（flowing）的 net.Socket 一有数据就去读，随数据而来的 fd 全部丢失；只有 IPC 管道——spawn 用 \'ipc\' 建立的那条通道——libuv 才用 recvmsg 来读（第 7 步）。所以要在消息到达之前对 net.Socket 调用 pause()，再自己用 recvmsg 去读；或者像傀儡进程这样，根本不把这个 socket 交给 libuv。',
      },
      code: {
        node: joinText(excerpt(NODE, 'mistake'), { en: '', zh: '' }, excerpt(NODE, 'paused')),
        go: excerpt(GO, 'mistake'),
      },
      async run(ctx) {
        await ctx.call('old', { op: 'sendfd', fd: ctx.vars.oldConn, fds: [ctx.vars.listenFd] });
        ctx.vars.plainRead = (await ctx.call('new', { op: 'recv', fd: ctx.vars.newSock, timeoutMs: 1000 })).result;
      },
      show: { processes: ['new'], focus: (row, ctx) => row.inode === ctx.vars.listenerInode },
      expect: [
        {
          text: { en: 'new read the two bytes of the message', zh: 'new 读到了消息里的两个字节' },
          check: (ctx) => ({ ok: ctx.vars.plainRead?.data === 'fd', detail: JSON.stringify(ctx.vars.plainRead?.data ?? null) }),
        },
        {
          text: { en: 'but no fd came with them: new still reaches the listener through one fd only', zh: '但没有 fd 随之而来：new 仍然只通过一个 fd 访问这个监听 socket' },
          check: (ctx) => {
            const fds = listenerFdsIn(ctx, 'new');
            return { ok: fds.length === 1 && fds[0] === ctx.vars.received, detail: `new fds on inode ${ctx.vars.listenerInode}: ${fds.join(', ') || 'none'}` };
          },
        },
      ],
      hint: {
        en: 'strace -e trace=recvmsg,read on a Node receiver shows which call took the message; with read, the SCM_RIGHTS part never reaches the process.',
        zh: '对 Node 接收方执行 strace -e trace=recvmsg,read，可以看到是哪个调用取走了消息；如果是 read，SCM_RIGHTS 部分根本到不了进程里。',
      },
    },
    {
      id: 'new-serves',
      title: { en: 'new serves, old lets go', zh: 'new 接手服务，old 放手' },
      text: {
        en: `new builds its HTTP server on the fd it received (listen({fd})), and old closes its own server. Between those two calls both processes could accept from the one queue; after them only new does. ${REQUESTS} requests all come back from new, on the socket old made in step 1: it never closed, was never bound again, and its queue never went away.`,
        zh: `new 在收到的 fd 上建起自己的 HTTP 服务（listen({fd})），old 关闭自己的服务。在这两次调用之间，两个进程都可以从同一个队列里 accept；之后只剩 new。${REQUESTS} 个请求全部由 new 响应，用的就是 old 在第 1 步创建的那个 socket：它从未关闭，从未重新 bind，它的队列也从未消失。`,
      },
      code: {
        go: joinText(excerpt(GO, 'new-serves'), excerpt(GO, 'old-leaves')),
        node: joinText(excerpt(NODE, 'new-serves'), excerpt(NODE, 'old-leaves')),
      },
      async run(ctx) {
        await ctx.call('new', { op: 'serve-fd', fd: ctx.vars.received });
        await ctx.call('old', { op: 'server-close', fd: ctx.vars.listenFd });
        ctx.vars.answers = await askPort(ctx, ctx.vars.port, REQUESTS);
      },
      show: { processes: ['old', 'new'], focus: (row, ctx) => row.inode === ctx.vars.listenerInode },
      expect: [
        {
          text: { en: 'old holds no TCP socket any more', zh: 'old 不再持有任何 TCP socket' },
          check: (ctx) => ({ ok: tcpFds(ctx, 'old').length === 0, detail: `old TCP fds: ${tcpFds(ctx, 'old').join(', ') || 'none'}` }),
        },
        {
          text: { en: 'every request was answered, by new', zh: '每个请求都得到了响应，全部由 new 响应' },
          check: (ctx) => answeredOnlyBy(ctx.vars.answers, ctx.pid('new')),
        },
        {
          text: { en: 'the port is still served by the socket from step 1', zh: '端口上仍然是第 1 步的那个 socket' },
          check: (ctx) => {
            const listeners = listenersOn(ctx.vars.port);
            return { ok: listeners.length === 1 && listeners[0].inode === ctx.vars.listenerInode, detail: `inode ${listeners.map((l) => l.inode).join(', ') || 'none'} (step 1: ${ctx.vars.listenerInode})` };
          },
        },
      ],
    },
    {
      id: 'unlink',
      title: { en: 'Unlinking the name strands the socket', zh: '删掉名字，socket 就成了孤岛' },
      text: {
        en: 'old removes its socket\'s name: unlink("handover-PID.sock"). The listening unix socket is untouched — old\'s fd still shows it in LISTEN — but the directory entry is gone, and for a socket in the filesystem the name is the only way in. A third process, late, tries to connect and gets ENOENT.\n\nThis happens by accident more often than on purpose. Go\'s UnixListener.Close unlinks its path, and so does libuv when a Node server bound to a path closes. With one fixed name for every generation, the new process must remove the stale name to bind its own, and the old one, exiting, then removes the new one\'s: the next upgrade finds nothing to connect to. With the pid in the name, each process only ever unlinks its own.',
        zh: 'old 删除了它的 socket 的名字：unlink("handover-PID.sock")。监听中的 unix socket 本身毫发无损——old 的 fd 仍然显示它处于 LISTEN——但目录项没了，而对于文件系统里的 socket，名字是唯一的入口。第三个进程 late 尝试连接，得到 ENOENT。\n\n这种情况多半是无意中造成的。Go 的 UnixListener.Close 会 unlink 它的路径，Node 里绑定到路径的服务器关闭时，libuv 也会这样做。如果每一代进程都用同一个固定名字，新进程得先删掉残留的名字才能 bind 自己的，而旧进程退出时又会把新进程的名字删掉：下一次升级就找不到可连接的对象了。名字里带上 pid，每个进程就只会删除自己的那个。',
      },
      code: {
        go: excerpt(GO, 'unlink'),
        node: excerpt(NODE, 'unlink'),
      },
      async run(ctx) {
        await ctx.call('old', { op: 'unlink', path: ctx.vars.path });
        await ctx.start('late');
        const reply = await ctx.call('late', { op: 'unix-connect', path: ctx.vars.path }, { allowFail: true });
        ctx.vars.lateLines = reply.lines.filter((line) => line.startsWith('connect(')).join(' ');
      },
      show: { processes: ['old'], focus: (row, ctx) => row.fd === ctx.vars.unixFd },
      expect: [
        {
          text: { en: 'the name is gone from the directory', zh: '目录里的名字没了' },
          check: (ctx) => {
            const file = lstatOrError(socketPath(ctx));
            return { ok: file.error === 'ENOENT', detail: `lstat ${ctx.vars.path}: ${file.error ?? 'exists'}` };
          },
        },
        {
          text: { en: "old's unix socket still exists and still listens", zh: 'old 的 unix socket 依然存在，依然在监听' },
          check: (ctx) => {
            const row = ctx.row('old', ctx.vars.unixFd);
            return { ok: row?.type === 'UNIX' && row.socket?.state === 'LISTEN', detail: `old fd ${ctx.vars.unixFd}: ${row?.name ?? 'not open'}` };
          },
        },
        {
          text: { en: "late's connect(2) failed with ENOENT", zh: 'late 的 connect(2) 失败，返回 ENOENT' },
          check: (ctx) => ({ ok: /connect\(\d+, .*\) = -1 ENOENT/.test(ctx.vars.lateLines), detail: ctx.vars.lateLines }),
        },
      ],
      quiz: {
        question: { en: 'Why put the pid in the handover socket\'s name?', zh: '为什么要把 pid 放进交接 socket 的名字里？' },
        choices: [
          { en: 'So no process ever removes or replaces a name another generation still uses', zh: '这样任何进程都不会删除或替换另一代进程仍在使用的名字' },
          { en: 'Because the kernel requires one name per pid', zh: '因为内核要求每个 pid 一个名字' },
          { en: 'So that connect(2) skips the permission check', zh: '这样 connect(2) 就能跳过权限检查' },
        ],
        answer: 0,
        explanation: {
          en: 'A name is only a directory entry, and unlink-on-close is the default in Go and libuv. One name per process means each cleanup touches only its own; the 0700 directory is what keeps strangers out.',
          zh: '名字只是一个目录项，而关闭时 unlink 是 Go 和 libuv 的默认行为。一个进程一个名字，每次清理就只会动到自己的；把外人挡在门外的，是 0700 的目录。',
        },
      },
      hint: {
        en: "ss -xl still lists the socket with its old path: the kernel remembers the name it was bound to, the directory no longer has it. Linux's abstract names (a leading NUL byte) have no file to lose, but no file permissions either.",
        zh: 'ss -xl 仍会带着原来的路径列出这个 socket：内核记得它绑定时的名字，目录里却已经没有了。Linux 的抽象命名空间（名字以 NUL 字节开头）没有文件可丢，但也没有文件权限可用。',
      },
    },
    {
      id: 'child-send',
      title: { en: "Node's built-in: child.send(msg, server)", zh: 'Node 自带的方式：child.send(msg, server)' },
      text: {
        en: "Node has SCM_RIGHTS built in for one case: a parent and a child it spawned with an 'ipc' channel. spawn makes a unix socketpair and gives the child one end at fd 3 (NODE_CHANNEL_FD). child.send('server', server) writes a small JSON message on it with the server's fd attached as SCM_RIGHTS; libuv in the child, which reads this pipe with recvmsg, wraps the fd it receives in a listening net.Server. cluster uses the same channel.\n\nnew hands its server to a worker this way. The worker's listener carries new's DESC letter, and the worker's fd 3 is a unix socket whose peer sits in new. It cannot join two unrelated processes: there is no channel between them until they make one, as old and new did.",
        zh: 'Node 在一种情形下内置了 SCM_RIGHTS：父进程和它用 \'ipc\' 通道启动的子进程之间。spawn 会创建一对 unix socket（socketpair），把其中一端放在子进程的 fd 3 上（NODE_CHANNEL_FD）。child.send(\'server\', server) 在这条通道上写一条小小的 JSON 消息，并以 SCM_RIGHTS 附上服务器的 fd；子进程里的 libuv 用 recvmsg 读这条管道，把收到的 fd 包装成一个正在监听的 net.Server。cluster 用的也是这条通道。\n\nnew 用这种方式把自己的服务器交给一个 worker。worker 的监听 socket 带着 new 的 DESC 字母，worker 的 fd 3 是一个 unix socket，它的对端在 new 里。它没法连接两个不相干的进程：在它们自己建立通道之前（就像 old 和 new 那样），两者之间没有任何通道。',
      },
      code: {
        node: joinText(excerpt(NODE, 'pair'), { en: '', zh: '' }, { en: '// in the worker:', zh: '// worker 里：' }, excerpt(NODE, 'worker')),
        go: excerpt(GO, 'pair'),
      },
      async run(ctx) {
        const reply = await ctx.call('new', { op: 'send-server', fd: ctx.vars.received, name: 'worker' });
        ctx.name(reply.result.pid as number, 'worker');
        ctx.vars.workerFd = reply.result.fd;
      },
      show: {
        processes: ['new', 'worker'],
        focus: (row, ctx) => row.inode === ctx.vars.listenerInode || (row.command === 'worker' && row.fd === 3),
        // The worker is not a puppet, so nothing marks Node's own fds in it as plumbing: show its two.
        only: (row, ctx) => (row.command === 'worker' ? row.fd === 3 || row.inode === ctx.vars.listenerInode : !isNodePlumbing(row, ctx)),
      },
      expect: [
        {
          text: { en: "the worker's listener is new's: one open file description", zh: 'worker 的监听 socket 就是 new 的：同一个打开文件描述' },
          check: (ctx) => {
            const { count, detail } = sharing(ctx, [['new', ctx.vars.received], ['worker', ctx.vars.workerFd]]);
            return { ok: count === 1, detail };
          },
        },
        {
          text: { en: "the worker's fd 3 is a unix socket whose peer is in new: the IPC channel", zh: 'worker 的 fd 3 是一个 unix socket，对端在 new 里：这就是 IPC 通道' },
          check: (ctx) => {
            const channel = ctx.row('worker', 3);
            const peer = rowsOf(ctx, 'new').find((row) => row.type === 'UNIX' && row.inode === channel?.socket?.peerInode);
            return { ok: channel?.type === 'UNIX' && peer !== undefined, detail: `worker:3 ${channel?.type ?? 'not open'} ↔ new:${peer?.fd ?? '-'}` };
          },
        },
      ],
      quiz: {
        question: { en: 'Why could old not use child.send() to reach new?', zh: '为什么 old 不能用 child.send() 把 socket 交给 new？' },
        choices: [
          { en: "child.send needs the IPC channel spawn creates, and old did not spawn new", zh: 'child.send 需要 spawn 建立的 IPC 通道，而 new 不是 old 启动的' },
          { en: 'child.send cannot carry listening sockets', zh: 'child.send 不能传递监听 socket' },
          { en: 'SCM_RIGHTS only works between a parent and its child', zh: 'SCM_RIGHTS 只能在父子进程之间使用' },
        ],
        answer: 0,
        explanation: {
          en: 'The mechanism is the same SCM_RIGHTS; what Node provides is the channel, and only between a parent and its child. Unrelated processes make their own unix socket, as steps 1–3 did.',
          zh: '机制是同一个 SCM_RIGHTS；Node 提供的只是那条通道，而且只存在于父子进程之间。不相干的进程得自己建立 unix socket，就像第 1 到第 3 步那样。',
        },
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

// Lesson 6: O_NONBLOCK lives on the open file description, FD_CLOEXEC on the fd. A child that flips
// O_NONBLOCK flips it for its parent; libuv clears it for a listener passed as a child's stdin; Go's Fd()
// clears it whenever a listener goes to a child. In blocking mode a thread sleeps inside accept(2), where
// closing the fd cannot reach it: Go's "Accept hangs after Close", measured here with a real thread.
import type { FdRow } from '../src/fdtable/model.js';
import { isAlive } from '../src/demo/marker.js';
import { listenersOn, sameDescription } from '../src/lesson/kit.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { rowsTogether } from '../src/lesson/procview.js';
import { ACCEPT_WAIT, threadsWaitingIn } from '../src/sys/threads.js';
import type { Lesson, LessonContext } from '../src/lesson/types.js';
import { goSteps, type GoVars } from './06-nonblock-on-description.go.js';
import { excerpt, joinText } from '../src/lesson/excerpt.js';
import type { AcceptOutcome } from '../src/demo/protocol.js';

/** The programs most code excerpts come from (lessons/assets/code); the real Go handover is go/handover.go. */
const GO = 'go/nonblock.go';
const NODE = 'node/nonblock.mjs';

/** How long the helper that gets the listener as its stdin lives: long enough to be seen, then it exits by itself. */
const HELPER_SECONDS = 2;
/** How long the lesson watches the blocked accept4 after the close, before calling it stuck. */
const BLOCKED_MS = 500;
/** The blocked thread's safety net (SO_RCVTIMEO): it gives up by itself after this, whatever happens. */
const GIVE_UP_S = 300;

const isListener = (row: FdRow, ctx: LessonContext<Vars>) =>
  (row.command === 'server' && row.fd === ctx.vars.listenFd) || (row.command !== 'server' && row.socket?.state === 'LISTEN');

/** The server's listener and the given rows of other processes, from one snapshot (DESC letters are per snapshot). */
const withServer = (ctx: LessonContext<Vars>, ...others: Array<[string, number]>) =>
  rowsTogether(ctx, [['server', ctx.vars.listenFd], ...others]);

/** `server fd 19: rw,nonblock · cloexec`: FILE FLAGS, then FD FLAGS, as the table shows them. */
const flagsText = (name: string, row: FdRow | undefined) =>
  row ? `${name} fd ${row.fd}: ${[row.access, row.nonblock ? 'nonblock' : ''].filter(Boolean).join(',')}${row.cloexec ? ' · cloexec' : ''}` : `${name}: -`;

/** sameDescription, with the socket inode as detail: DESC letters are per snapshot, the inode is not. */
const oneDescription = (a: FdRow | undefined, b: FdRow | undefined) => ({
  ok: sameDescription(a, b).ok,
  detail: `socket inode ${a?.inode ?? '-'} / ${b?.inode ?? '-'}`,
});

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars extends GoVars {
  listenFd: number;
  helperPid: number;
  /** gosrv's listener (as Go's net.Listen makes it), on goPort, and its dup as File() makes it. */
  goFd: number;
  goPort: number;
  fileFd: number;
  blocked: AcceptOutcome;
  clientFd: number;
  accepted: AcceptOutcome;
  refusedLine: string | undefined;
}

export const lesson: Lesson<Vars> = {
  id: 'nonblock-on-description',
  number: 6,
  chapter: { en: 'Chapter 1 · Foundations and pitfalls', zh: '第一章 · 基础与陷阱' },
  title: { en: 'O_NONBLOCK lives on the description', zh: 'O_NONBLOCK 挂在打开文件描述上' },
  summary: {
    en: "Two kinds of flags sit on two different objects. FD_CLOEXEC belongs to one fd of one process; O_NONBLOCK belongs to the open file description, which every dup and every inheriting child shares. Flip it anywhere and it flips everywhere: libuv does it for you when a listener becomes a child's stdin, and Go's Fd() does it whenever a listener is handed to a child, until the child's net.FileListener sets it again. In blocking mode, Accept after Close hangs, and Go's Close waits for it.",
    zh: '两类标志挂在两个不同的对象上。FD_CLOEXEC 属于某个进程里的某一个 fd；O_NONBLOCK 属于打开文件描述（open file description），每个 dup 出来的 fd、每个继承它的子进程都共享它。在任何一处改它，处处都跟着变：把 listener 当作子进程的 stdin 时，libuv 会替你改；Go 的 Fd() 在每次把 listener 交给子进程时都会改，直到子进程的 net.FileListener 再把它设回来。一旦变成阻塞模式，Close 之后的 Accept 就会挂住，Go 的 Close 也要等它。',
  },
  recap: [
    { en: 'O_NONBLOCK belongs to the open file description: a child that flips it flips it for its parent.', zh: 'O_NONBLOCK 属于打开文件描述：子进程改了它，父进程也跟着变。' },
    { en: 'FD_CLOEXEC belongs to one fd of one process and travels nowhere.', zh: 'FD_CLOEXEC 只属于某个进程的某一个 fd，不会传到别处。' },
    { en: "libuv makes a child's fds 0 to 2 blocking: pass listeners at fd 3 and above.", zh: 'libuv 会把子进程的 fd 0 到 2 改成阻塞的：监听 socket 要放在 fd 3 及以上。' },
    { en: "Go: File() is an F_DUPFD_CLOEXEC dup; Fd() (called by cmd.Start with ExtraFiles) makes the description blocking until the child's FileListener sets O_NONBLOCK again.", zh: 'Go：File() 是一次 F_DUPFD_CLOEXEC 的 dup；Fd()（带 ExtraFiles 的 cmd.Start 会调用它）把打开文件描述改成阻塞的，直到子进程的 FileListener 重新设上 O_NONBLOCK。' },
    { en: 'In blocking mode a thread sleeps inside accept(2): Close cannot wake it, only a client can.', zh: '阻塞模式下，线程睡在 accept(2) 里：Close 唤不醒它，只有客户端能。' },
  ],
  steps: [
    {
      id: 'inherit',
      title: { en: 'A child inherits the listener at fd 3', zh: '子进程在 fd 3 上继承监听 socket' },
      text: {
        en: "The server listens the Node way, so its socket is non-blocking from birth (SOCK_NONBLOCK): FILE FLAGS reads rw,nonblock. It starts a worker with the listener at the worker's fd 3, the way a hot restart hands a listener to its successor. Both rows carry the same DESC letter: one open file description, two fds in two processes. Placing it at fd 3 changed no flag. The worker's fd 3 says cloexec because Node marks every fd it inherits close-on-exec at start-up.",
        zh: '服务端用 Node 的方式监听，socket 一出生就是非阻塞的（SOCK_NONBLOCK）：FILE FLAGS 显示 rw,nonblock。它启动一个 worker，把监听 socket 放在 worker 的 fd 3 上——热重启把监听 socket 交给后继进程时就是这么做的。两行的 DESC 字母相同：一个打开文件描述，两个进程里的两个 fd。放在 fd 3 上没有改变任何标志。worker 的 fd 3 显示 cloexec，是因为 Node 启动时会给它继承来的每个 fd 设上 close-on-exec。',
      },
      code: {
        go: joinText(excerpt('go/handover.go', 'listen-file'), excerpt('go/handover.go', 'start'), { en: '// in the child:', zh: '// 子进程里：' }, excerpt('go/handover.go', 'rebuild')),
        node: joinText(excerpt(NODE, 'inherit'), { en: '// in the worker:', zh: '// worker 里：' }, excerpt(NODE, 'worker')),
      },
      async run(ctx) {
        await ctx.start('server');
        const reply = await ctx.call('server', { op: 'listen-node' });
        ctx.vars.listenFd = reply.result.fd;
        await ctx.call('server', { op: 'spawn', name: 'worker', fds: { 3: ctx.vars.listenFd } });
        await ctx.waitFor('worker');
      },
      show: { processes: ['server', 'worker'], focus: isListener },
      expect: [
        {
          text: { en: "the server's fd and the worker's fd 3 are one open file description", zh: '服务端的 fd 与 worker 的 fd 3 是同一个打开文件描述' },
          check: (ctx) => {
            const [server, worker] = withServer(ctx, ['worker', 3]);
            return oneDescription(server, worker);
          },
        },
        {
          text: { en: 'both are still non-blocking: passing it at fd 3 changed nothing', zh: '两者仍是非阻塞的：放在 fd 3 上传递什么也没改变' },
          check: (ctx) => {
            const [server, worker] = withServer(ctx, ['worker', 3]);
            return { ok: server?.nonblock === true && worker?.nonblock === true, detail: `${flagsText('server', server)} / ${flagsText('worker', worker)}` };
          },
        },
      ],
    },
    {
      id: 'child-clears',
      title: { en: "The worker clears O_NONBLOCK — on the server's listener too", zh: 'worker 清掉 O_NONBLOCK——服务端的监听 socket 也跟着变了' },
      text: {
        en: "The worker calls fcntl(3, F_SETFL) without O_NONBLOCK, as a program does that wants accept(2) to wait. The server makes no call at all, yet its row changes: FILE FLAGS is plain rw now. F_SETFL writes into the open file description, and the server's fd points at that same one.",
        zh: 'worker 调用 fcntl(3, F_SETFL) 去掉 O_NONBLOCK——想让 accept(2) 阻塞等待的程序就会这么做。服务端自己一个调用都没做，它那一行却变了：FILE FLAGS 现在只剩 rw。F_SETFL 写的是打开文件描述，而服务端的 fd 指向的正是同一个。',
      },
      code: {
        go: excerpt('go/flags.go', 'clear-nonblock'),
        node: excerpt(NODE, 'clear-nonblock'),
      },
      async run(ctx) {
        await ctx.call('worker', { op: 'fcntl', fd: 3, nonblock: false });
      },
      show: { processes: ['server', 'worker'], focus: isListener },
      expect: [
        {
          text: { en: "the server's listener is blocking now, though the server made no call", zh: '服务端的监听 socket 现在是阻塞的，尽管服务端什么调用都没做' },
          check: (ctx) => {
            const [server] = withServer(ctx);
            return { ok: server?.nonblock === false, detail: flagsText('server', server) };
          },
        },
      ],
      quiz: {
        question: { en: "Why did the server's FILE FLAGS change?", zh: '服务端的 FILE FLAGS 为什么变了？' },
        choices: [
          { en: 'O_NONBLOCK is stored in the open file description, which both fds point at', zh: 'O_NONBLOCK 保存在打开文件描述里，而两个 fd 指向的是同一个' },
          { en: "The kernel copies a child's flags to its parent on every fcntl", zh: '每次 fcntl，内核都会把子进程的标志复制给父进程' },
          { en: "Node watches its children's fds and mirrors their flags", zh: 'Node 会监视子进程的 fd 并同步它们的标志' },
        ],
        answer: 0,
        explanation: {
          en: 'Nothing is copied. fcntl(F_SETFL) changes the description itself; every fd that refers to it — dups, inherited fds in other processes — sees the change at once.',
          zh: '什么都没有被复制。fcntl(F_SETFL) 改的是打开文件描述本身；所有指向它的 fd——dup 出来的、其他进程里继承来的——都会立刻看到变化。',
        },
      },
    },
    {
      id: 'cloexec-per-fd',
      title: { en: 'FD_CLOEXEC stays with one fd', zh: 'FD_CLOEXEC 只属于一个 fd' },
      text: {
        en: "In one call the worker sets O_NONBLOCK again and clears FD_CLOEXEC on its fd 3. The first travels: the server's row reads rw,nonblock again. The second does not: the worker's FD FLAGS column goes blank while the server's still says cloexec. Fd flags live in each process's own fd table.",
        zh: 'worker 在一次调用里重新设上 O_NONBLOCK，同时清掉自己 fd 3 上的 FD_CLOEXEC。前者会传过去：服务端那一行又是 rw,nonblock。后者不会：worker 的 FD FLAGS 一栏变空，服务端的仍然是 cloexec。fd 标志保存在每个进程自己的 fd 表里。',
      },
      code: {
        go: excerpt('go/flags.go', 'flags'),
        node: excerpt(NODE, 'flags'),
      },
      async run(ctx) {
        await ctx.call('worker', { op: 'fcntl', fd: 3, nonblock: true, cloexec: false });
      },
      show: { processes: ['server', 'worker'], focus: isListener },
      expect: [
        {
          text: { en: "the server's listener is non-blocking again (shared)", zh: '服务端的监听 socket 又变回非阻塞（共享的）' },
          check: (ctx) => {
            const [server] = withServer(ctx);
            return { ok: server?.nonblock === true, detail: flagsText('server', server) };
          },
        },
        {
          text: { en: "the worker's fd 3 lost FD_CLOEXEC; the server's fd kept it (per fd)", zh: 'worker 的 fd 3 失去了 FD_CLOEXEC，服务端的 fd 仍然保留（按 fd 区分）' },
          check: (ctx) => {
            const [server, worker] = withServer(ctx, ['worker', 3]);
            return { ok: worker?.cloexec === false && server?.cloexec === true, detail: `${flagsText('server', server)} / ${flagsText('worker', worker)}` };
          },
        },
      ],
    },
    {
      id: 'stdin',
      title: { en: "A listener as a child's stdin: libuv makes it blocking", zh: '把监听 socket 当作子进程的 stdin：libuv 把它改成阻塞的' },
      text: {
        en: `Now the server starts a helper program (sleep ${HELPER_SECONDS}) with the listener as its stdin, fd 0, as a careless stdio: [listenFd, ...] would. libuv makes a child's fds 0 to 2 blocking, since most programs expect blocking stdio: in the forked child, before exec, it runs fcntl(0, F_SETFL, O_RDWR). The child's fd 0 shares the server's description, so the listener is blocking for the server and the worker too. Neither asked for it.`,
        zh: `现在服务端启动一个辅助程序（sleep ${HELPER_SECONDS}），把监听 socket 当作它的 stdin，也就是 fd 0——就像不小心写了 stdio: [listenFd, ...] 那样。libuv 会把子进程的 fd 0 到 2 改成阻塞模式，因为大多数程序默认 stdio 是阻塞的：它在 fork 出来的子进程里、exec 之前执行 fcntl(0, F_SETFL, O_RDWR)。子进程的 fd 0 与服务端共享同一个打开文件描述，于是对服务端和 worker 来说，监听 socket 也都变成了阻塞的。它们谁也没要求过。`,
      },
      code: {
        go: excerpt(GO, 'stdin'),
        node: excerpt(NODE, 'stdin'),
      },
      async run(ctx) {
        const reply = await ctx.call('server', { op: 'spawn', name: 'helper', command: ['sleep', String(HELPER_SECONDS)], fds: { 0: ctx.vars.listenFd } });
        ctx.vars.helperPid = reply.result.pid;
        ctx.name(ctx.vars.helperPid, 'helper');
      },
      show: {
        processes: ['server', 'worker', 'helper'],
        // The helper's fd 0 is stdio, which tables hide by default: show every TCP row instead.
        only: (row) => row.type === 'TCP',
        focus: (row, ctx) => row.command === 'helper' || (row.command === 'server' && row.fd === ctx.vars.listenFd),
      },
      expect: [
        {
          text: { en: "the helper's fd 0 is the server's listener (same description)", zh: '辅助进程的 fd 0 就是服务端的监听 socket（同一个打开文件描述）' },
          check: (ctx) => {
            const [server, helper] = withServer(ctx, ['helper', 0]);
            return oneDescription(server, helper);
          },
        },
        {
          text: { en: "the server's listener lost O_NONBLOCK", zh: '服务端的监听 socket 失去了 O_NONBLOCK' },
          check: (ctx) => {
            const [server] = withServer(ctx);
            return { ok: server?.nonblock === false, detail: flagsText('server', server) };
          },
        },
      ],
      hint: {
        en: 'The spawn line "[pid N] fcntl(0, F_SETFL, O_RDWR)" is what strace -f shows libuv doing in the child.',
        zh: '日志里的「[pid N] fcntl(0, F_SETFL, O_RDWR)」正是 strace -f 能看到 libuv 在子进程里做的事。',
      },
    },
    {
      id: 'stays',
      title: { en: 'The child exits; the flag stays off', zh: '子进程退出了，标志却没有恢复' },
      text: {
        en: `The helper ends by itself after ${HELPER_SECONDS} seconds (the lesson waits for it). Its fd 0 is gone, the description is not: the server and the worker still hold it, and nothing puts O_NONBLOCK back. Node's server now listens on a blocking socket. libuv copes, because it calls accept4 only after epoll reports a waiting connection; code that calls accept(2) without such a report now waits inside the kernel instead of getting EAGAIN. The last three steps show what that means.`,
        zh: `辅助进程在 ${HELPER_SECONDS} 秒后自己结束（本课会等它）。它的 fd 0 没了，打开文件描述却还在：服务端和 worker 仍持有它，也没有谁把 O_NONBLOCK 设回去。Node 的服务现在监听在一个阻塞 socket 上。libuv 还能应付，因为它只在 epoll 报告有连接等待之后才调用 accept4；而没有这种通知就调用 accept(2) 的代码，现在会在内核里一直等，而不是拿到 EAGAIN。最后三步展示这意味着什么。`,
      },
      code: {
        go: joinText(excerpt(GO, 'restore-call'), excerpt(GO, 'keep')),
        node: excerpt(NODE, 'pass-above'),
      },
      async run(ctx) {
        await ctx.until(() => !isAlive(ctx.vars.helperPid), (HELPER_SECONDS + 5) * 1000, 50);
      },
      show: { processes: ['server', 'worker'], focus: isListener },
      expect: [
        {
          text: { en: 'the helper has exited', zh: '辅助进程已经退出' },
          check: (ctx) => ({ ok: !isAlive(ctx.vars.helperPid), detail: `pid ${ctx.vars.helperPid}` }),
        },
        {
          text: { en: "the server's listener is still blocking", zh: '服务端的监听 socket 仍是阻塞的' },
          check: (ctx) => {
            const [server] = withServer(ctx);
            return { ok: server?.nonblock === false, detail: flagsText('server', server) };
          },
        },
      ],
      quiz: {
        question: { en: 'How do you hand a Node listener to a child without changing its mode?', zh: '怎样把 Node 的监听 socket 交给子进程，而不改变它的阻塞模式？' },
        choices: [
          { en: 'Place it at fd 3 or above; libuv only touches a child\'s fds 0 to 2', zh: '放在 fd 3 或更高的位置；libuv 只会动子进程的 fd 0 到 2' },
          { en: "Place it at fd 0: stdin is meant for the child's input", zh: '放在 fd 0：stdin 本来就是给子进程输入用的' },
          { en: 'Call server.close() before spawning', zh: '在 spawn 之前先调用 server.close()' },
        ],
        answer: 0,
        explanation: {
          en: "Step 1 showed fd 3 leaves the flags alone; step 4 showed fd 0 clears O_NONBLOCK for every holder. Go's parent is worse off: os.StartProcess calls Fd() on every file, so it must restore the mode itself (through SyscallConn, which does not touch it).",
          zh: '第 1 步说明放在 fd 3 不会动标志；第 4 步说明放在 fd 0 会替所有持有者清掉 O_NONBLOCK。Go 的父进程更麻烦：os.StartProcess 会对每个文件调用 Fd()，所以它得自己把模式改回来（通过不会改变模式的 SyscallConn）。',
        },
      },
    },
    {
      id: 'go-fd',
      title: { en: "Go's File() and Fd(): blocking mode for every holder", zh: 'Go 的 File() 与 Fd()：所有持有者都变成阻塞模式' },
      text: {
        en: "A new process, gosrv, a puppet, plays a Go server, so that the next two steps can look inside the kernel; steps 9 and 10 run the real Go program. Go's net.Listen makes a non-blocking socket; the puppet makes it by hand and then sets O_NONBLOCK. ln.File() is a dup (fcntl F_DUPFD_CLOEXEC). Since Go 1.11 File() leaves the mode alone, but f.Fd() switches the description to blocking, and os.StartProcess calls Fd() on every file it hands a child. (Before Go 1.11, CL 108297, File() itself made the description blocking, the listener's own fd included, even with no child at all.) The puppet makes the same calls: dup, then fcntl on the copy without O_NONBLOCK. The listener's own fd, untouched, is blocking too.",
        zh: '新进程 gosrv 是一个傀儡进程（puppet），扮演 Go 服务，好让接下来两步能看清内核里的情形；第 9、10 步运行真正的 Go 程序。Go 的 net.Listen 创建非阻塞 socket；傀儡进程手工创建，再设上 O_NONBLOCK。ln.File() 是一次 dup（fcntl F_DUPFD_CLOEXEC）。从 Go 1.11 起 File() 不再改模式，但 f.Fd() 会把这个打开文件描述切换成阻塞模式，而 os.StartProcess 会对交给子进程的每个文件调用 Fd()。（Go 1.11 之前，即 CL 108297 之前，File() 自己就会把打开文件描述改成阻塞的，连 listener 自己的 fd 也一起，哪怕根本没有子进程。）傀儡进程做同样的调用：dup，再在副本上用 fcntl 去掉 O_NONBLOCK。listener 自己的 fd 没被碰过，也变成了阻塞的。',
      },
      code: {
        go: excerpt(GO, 'file-fd'),
        node: excerpt(NODE, 'dup-blocking'),
      },
      async run(ctx) {
        await ctx.start('gosrv');
        const reply = await ctx.call('gosrv', { op: 'listen' });
        ctx.vars.goFd = reply.result.fd;
        ctx.vars.goPort = reply.result.port;
        await ctx.call('gosrv', { op: 'fcntl', fd: ctx.vars.goFd, nonblock: true });
        ctx.vars.fileFd = (await ctx.call('gosrv', { op: 'dup', fd: ctx.vars.goFd })).result.fd;
        await ctx.call('gosrv', { op: 'fcntl', fd: ctx.vars.fileFd, nonblock: false });
      },
      show: { processes: ['gosrv'], focus: (row, ctx) => row.fd === ctx.vars.goFd || row.fd === ctx.vars.fileFd },
      expect: [
        {
          text: { en: "File()'s copy and the listener are one description", zh: 'File() 得到的副本与 listener 是同一个打开文件描述' },
          check: (ctx) => oneDescription(...(rowsTogether(ctx, [['gosrv', ctx.vars.goFd], ['gosrv', ctx.vars.fileFd]]) as [FdRow, FdRow])),
        },
        {
          text: { en: "the listener's own fd is blocking now", zh: 'listener 自己的 fd 现在也是阻塞的' },
          check: (ctx) => {
            const row = ctx.row('gosrv', ctx.vars.goFd);
            return { ok: row?.nonblock === false, detail: flagsText('gosrv', row) };
          },
        },
      ],
    },
    {
      id: 'accept-hangs',
      title: { en: 'Accept after Close: a thread the kernel keeps', zh: 'Close 之后的 Accept：被内核扣住的线程' },
      text: {
        en: [
          'A goroutine calls Accept. With O_NONBLOCK, accept(2) would answer EAGAIN at once and the goroutine would wait in the netpoller (epoll), where ln.Close() wakes it with "use of closed network connection". In blocking mode accept(2) itself sleeps in the kernel, and nothing done to the fd reaches it.',
          `The puppet calls accept4 on a helper thread, without polling first, then closes both fds (ln.Close() and f.Close()) from its main thread. The SO_RCVTIMEO it sets first is only a safety net: the thread gives up by itself after ${GIVE_UP_S / 60} minutes.`,
          'The table is empty: gosrv has no fd for the socket any more. Yet the port is still in LISTEN, because the sleeping accept4 holds its own reference to the open file description.',
        ].join('\n\n'),
        zh: [
          '一个 goroutine 调用 Accept。如果有 O_NONBLOCK，accept(2) 会立刻返回 EAGAIN，goroutine 去 netpoller（epoll）里等，ln.Close() 会用「use of closed network connection」把它唤醒。在阻塞模式下，睡在内核里的是 accept(2) 本身，对 fd 做什么都传不到它那里。',
          `puppet 在一个辅助线程上直接调用 accept4（不先 poll），再从主线程关闭两个 fd（相当于 ln.Close() 和 f.Close()）。它事先设的 SO_RCVTIMEO 只是安全网：${GIVE_UP_S / 60} 分钟后线程会自己放弃。`,
          'fd 表是空的：gosrv 已经没有任何 fd 指向这个 socket。端口却仍处于 LISTEN，因为睡着的 accept4 自己持有对这个打开文件描述的引用。',
        ].join('\n\n'),
      },
      code: {
        go: excerpt('go/handover.go', 'close-hangs'),
        node: excerpt(NODE, 'accept'),
      },
      async run(ctx) {
        await ctx.call('gosrv', { op: 'accept-blocking', fd: ctx.vars.goFd, giveUpAfterS: GIVE_UP_S });
        await ctx.call('gosrv', { op: 'close', fd: ctx.vars.goFd });
        await ctx.call('gosrv', { op: 'close', fd: ctx.vars.fileFd });
        ctx.vars.blocked = (await ctx.call('gosrv', { op: 'accept-result', timeoutMs: BLOCKED_MS })).result;
      },
      show: {
        processes: ['gosrv'],
        caption: { en: 'gosrv, after closing both fds of the listener:', zh: 'gosrv 关闭 listener 的两个 fd 之后：' },
      },
      expect: [
        {
          text: { en: 'gosrv holds no fd for the listening socket', zh: 'gosrv 不再持有指向这个监听 socket 的 fd' },
          check: (ctx) => {
            const held = ctx.snapshot(['gosrv']).rows.filter((row) => row.socket?.state === 'LISTEN');
            return { ok: held.length === 0, detail: held.length ? held.map((row) => `fd ${row.fd}`).join(', ') : ctx.t({ en: 'no LISTEN row', zh: '没有 LISTEN 行' }) };
          },
        },
        {
          text: { en: 'yet the port is still in LISTEN', zh: '端口却仍处于 LISTEN' },
          check: (ctx) => ({ ok: listenersOn(ctx.vars.goPort).length === 1, detail: `127.0.0.1:${ctx.vars.goPort}` }),
        },
        {
          text: { en: 'a gosrv thread sleeps in the kernel\'s accept (wchan inet_csk_accept)', zh: 'gosrv 有一个线程睡在内核的 accept 里（wchan 为 inet_csk_accept）' },
          check: (ctx) => {
            const tids = threadsWaitingIn(ctx.pid('gosrv'), ACCEPT_WAIT);
            const ms = ctx.vars.blocked?.blockedMs;
            const pending = ctx.vars.blocked?.pending ? ctx.t({ en: `; accept4 still pending ${ms} ms after it began, fds closed meanwhile`, zh: `；accept4 开始 ${ms} ms 后仍未返回，其间 fd 已关闭` }) : '';
            return { ok: tids.length === 1, detail: `${tids.length ? `tid ${tids.join(', ')}` : ctx.t({ en: 'no such thread', zh: '没有这样的线程' })}${pending}` };
          },
        },
      ],
      hint: {
        en: 'cat /proc/PID/task/*/wchan shows inet_csk_accept for the sleeping thread; ss -ltnp lists the port with no process, since no fd refers to it.',
        zh: 'cat /proc/PID/task/*/wchan 能看到睡着的线程停在 inet_csk_accept；ss -ltnp 列出了这个端口，却没有对应的进程，因为没有任何 fd 指向它。',
      },
    },
    {
      id: 'client-wakes',
      title: { en: 'Only a client wakes it', zh: '只有客户端能唤醒它' },
      text: {
        en: "A client connects. The kernel queues the connection on the socket everyone else believes closed; the sleeping accept4 takes it and returns a new fd: an Accept that succeeds after Close. Only then does the thread drop its reference, and the listening socket goes away for good. A second client is refused.",
        zh: '一个客户端发起连接。内核把它放进这个在所有人看来都已关闭的 socket 的队列；睡着的 accept4 取走它，返回一个新 fd：Close 之后 Accept 反而成功了。直到这时线程才放下引用，监听 socket 才真正消失。第二个客户端被拒绝（connection refused）。',
      },
      code: {
        go: excerpt(GO, 'keep'),
        node: excerpt(NODE, 'keep'),
      },
      async run(ctx) {
        await ctx.start('client');
        ctx.vars.clientFd = (await ctx.call('client', { op: 'connect', port: ctx.vars.goPort })).result.fd;
        ctx.vars.accepted = (await ctx.call('gosrv', { op: 'accept-result', timeoutMs: 2000 })).result;
        await ctx.until(() => listenersOn(ctx.vars.goPort).length === 0, 2000);
        const refused = await ctx.call('client', { op: 'connect', port: ctx.vars.goPort }, { allowFail: true });
        ctx.vars.refusedLine = refused.lines.find((line) => line.startsWith('connect(')) ?? refused.error;
      },
      show: {
        processes: ['gosrv', 'client'],
        focus: (row, ctx) => (row.command === 'gosrv' && row.fd === ctx.vars.accepted?.fd) || (row.command === 'client' && row.fd === ctx.vars.clientFd),
      },
      expect: [
        {
          text: { en: 'the sleeping accept4 returned a connection, after Close', zh: '睡着的 accept4 在 Close 之后返回了一个连接' },
          check: (ctx) => {
            const fd = ctx.vars.accepted?.fd;
            const row = typeof fd === 'number' ? ctx.row('gosrv', fd) : undefined;
            const ok = row?.socket?.state === 'ESTABLISHED' && row.socket.local === `127.0.0.1:${ctx.vars.goPort}`;
            const after = ctx.t({ en: `returned ${ctx.vars.accepted?.afterMs} ms after the call`, zh: `调用 ${ctx.vars.accepted?.afterMs} ms 后返回` });
            return { ok, detail: row ? `fd ${fd}: ${row.name}; ${after}` : ctx.t({ en: 'no accepted fd', zh: '没有 accept 到的 fd' }) };
          },
        },
        {
          text: { en: 'now nothing listens: the next client is refused', zh: '现在没有人监听了：下一个客户端被拒绝' },
          check: (ctx) => ({ ok: listenersOn(ctx.vars.goPort).length === 0 && String(ctx.vars.refusedLine).includes('ECONNREFUSED'), detail: ctx.vars.refusedLine }),
        },
      ],
      quiz: {
        question: { en: 'Why could ln.Close() not wake the goroutine in Accept?', zh: '为什么 ln.Close() 唤不醒阻塞在 Accept 里的 goroutine？' },
        choices: [
          { en: 'Its thread was inside accept(2) on a blocking fd; closing an fd does not interrupt a call already using it', zh: '它的线程正在一个阻塞 fd 上执行 accept(2)；关闭 fd 不会打断已经在使用它的系统调用' },
          { en: 'Go ignores Close while an Accept is running', zh: 'Accept 运行期间 Go 会忽略 Close' },
          { en: 'close(2) failed with EBUSY', zh: 'close(2) 以 EBUSY 失败了' },
        ],
        answer: 0,
        explanation: {
          en: 'With O_NONBLOCK the goroutine waits in epoll, which the runtime controls: Close evicts the fd and wakes it. In blocking mode it waits in the kernel\'s accept, which holds its own reference to the socket; only a connection (or the SO_RCVTIMEO timeout) ends that wait.',
          zh: '有 O_NONBLOCK 时，goroutine 在 epoll 里等待，那是运行时能控制的地方：Close 把 fd 移出并唤醒它。阻塞模式下，它在内核的 accept 里等待，而 accept 自己持有对 socket 的引用；只有一个新连接（或 SO_RCVTIMEO 超时）才能结束这次等待。',
        },
      },
      hint: {
        en: 'facebookarchive/grace#40 and golang/go#29277 report this hang: after File(), Close no longer ends a pending Accept (in #29277 Close itself never returns).',
        zh: 'facebookarchive/grace#40 和 golang/go#29277 报告的就是这个挂起：调用过 File() 之后，Close 再也结束不了正在等待的 Accept（#29277 里连 Close 自己都不返回）。',
      },
    },
    ...goSteps,
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

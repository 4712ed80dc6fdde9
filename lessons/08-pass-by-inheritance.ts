// Lesson 8: passing listeners by inheritance. A parent's fd numbers depend on its history; the child's do
// not: listed fds land at 3, 4, … in list order. Two parents with different numbers give their children
// the same 3 and 4; each child rebuilds a server on fd 3 (listen({fd: 3})) and answers from the very same
// socket, before and after its parent closes its copies.
import type { FdRow } from '../src/fdtable/model.js';
import { answeredOnlyBy, askPort, type Answers } from '../src/lesson/answers.js';
import { listenersOn } from '../src/lesson/kit.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { rowsOf, rowsTogether, sharing } from '../src/lesson/procview.js';
import { readSysctl } from '../src/lesson/sysctl.js';
import type { Lesson, LessonContext } from '../src/lesson/types.js';
import { excerpt, GO_EXEC_KEEPS_NONBLOCK, joinText } from '../src/lesson/excerpt.js';

const PARENTS = ['alpha', 'beta'] as const;
type Parent = (typeof PARENTS)[number];
/** The parents listen with a small backlog, so the child's own listen(2) shows as a change of limit. */
const PARENT_BACKLOG = 128;
/** What Node's listen({ fd }) asks for. */
const NODE_REQUESTED = 511;
/** The kernel caps every backlog at net.core.somaxconn (4096 since Linux 5.4, 128 before). */
const SOMAXCONN = Number(readSysctl('net.core.somaxconn')) || 4096;
/** What the child's listen(2) really sets: min(requested, somaxconn). */
const NODE_BACKLOG = Math.min(NODE_REQUESTED, SOMAXCONN);
const REQUESTS = 20;

const child = (parent: Parent) => `${parent}-child`;
const isListener = (row: FdRow) => row.socket?.state === 'LISTEN';
const fdsOf = (ctx: LessonContext<Vars>, parent: Parent): { http: number; admin: number } => ctx.vars.fds[parent];
const portsOf = (ctx: LessonContext<Vars>, parent: Parent): { http: number; admin: number } => ctx.vars.ports[parent];
const tcpFds = (ctx: LessonContext, name: string) => rowsOf(ctx, name).filter((row) => row.type === 'TCP' || row.type === 'TCP6').map((row) => row.fd);

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars {
  /** Each parent's two listeners. */
  fds: Record<string, { http: number; admin: number }>;
  ports: Record<string, { http: number; admin: number }>;
  /** Who answered on each parent's http port, before and after the parents were gone. */
  answers: Partial<Record<Parent, Answers>>;
  after: Partial<Record<Parent, Answers>>;
}

export const lesson: Lesson<Vars> = {
  id: 'pass-by-inheritance',
  number: 8,
  chapter: { en: 'Chapter 2 · Handing over the listener', zh: '第二章 · 交接监听 socket' },
  title: { en: 'Passing listeners by inheritance', zh: '通过继承传递监听 socket' },
  summary: {
    en: 'The classic hot restart (endless, grace, tableflip) starts the new program with the listening sockets already open. The parent lists them; the child finds them at 3, 4, … in the order listed, whatever numbers they had in the parent, rebuilds its server on fd 3 and answers from the very same socket: no second bind, no gap, one accept queue.',
    zh: '经典的热重启（endless、grace、tableflip）在启动新程序时，让监听 socket 保持打开、直接传过去。父进程把它们列出来；子进程按列出的顺序在 3、4、……上找到它们，不管它们在父进程里是几号；子进程在 fd 3 上重建服务器，用同一个 socket 响应请求：不用再次 bind，没有空档，始终只有一个 accept 队列。',
  },
  recap: [
    { en: 'A listener passed by inheritance is the same socket: same inode, same accept queue, a new fd number.', zh: '通过继承传递的监听 socket 就是同一个 socket：inode 相同，accept 队列相同，只是 fd 编号不同。' },
    { en: 'Listed fds land at 3, 4, … whatever numbers the parent used; LISTEN_FDS says how many.', zh: '不管父进程用的是什么编号，列出的 fd 都落在 3、4、……；LISTEN_FDS 说明有几个。' },
    { en: 'listen(2) on a listening socket keeps it and its queue, only the limit changes: min(requested, net.core.somaxconn).', zh: '对已在监听的 socket 再调用 listen(2)，socket 和队列都保留，只改上限：min(申请值, net.core.somaxconn)。' },
    { en: 'The parent then closes its own fds: the socket never closes, only the set of processes holding it changes.', zh: '然后父进程关掉自己的 fd：socket 从未关闭，变的只是持有它的进程集合。' },
  ],
  steps: [
    {
      id: 'two-parents',
      title: { en: 'Two parents, two numberings', zh: '两个父进程，两套编号' },
      text: {
        en: `Two servers, alpha and beta, each listen twice: an http port and an admin port (made by hand — socket, bind, listen with a backlog of ${PARENT_BACKLOG} — and nobody accepts yet). beta opened two log files before listening, as a server that sets up logging first would. Compare the FD column: the same two kinds of listener sit at different numbers in the two processes.\n\nAn fd number is only the lowest free slot in that process's table at the moment of the call, so it depends on everything the process opened before: the runtime's own fds, config files, logs, and in which order. A child cannot know its parent's numbers, and should not have to.`,
        zh: `两个服务进程 alpha 和 beta，各自监听两次：一个 http 端口，一个管理（admin）端口（手工创建——socket、bind、listen，backlog 为 ${PARENT_BACKLOG}——暂时没人 accept）。beta 在监听之前先打开了两个日志文件，就像先初始化日志的服务那样。对比 FD 列：同样的两个监听 socket，在两个进程里编号不同。\n\nfd 编号只是调用那一刻该进程 fd 表里最小的空位，所以取决于进程之前打开过的一切：运行时自己的 fd、配置文件、日志，以及打开的先后顺序。子进程不可能知道父进程的编号，也不应该需要知道。`,
      },
      code: {
        go: excerpt('go/pass-listeners.go', 'open'),
        node: excerpt('node/pass-listeners.mjs', 'open'),
      },
      async run(ctx) {
        ctx.vars.fds = {};
        ctx.vars.ports = {};
        for (const parent of PARENTS) await ctx.start(parent);
        await ctx.call('beta', { op: 'open', path: 'beta-access.log', mode: 'a' });
        await ctx.call('beta', { op: 'open', path: 'beta-error.log', mode: 'a' });
        for (const parent of PARENTS) {
          const http = (await ctx.call(parent, { op: 'listen', backlog: PARENT_BACKLOG })).result;
          const admin = (await ctx.call(parent, { op: 'listen', backlog: PARENT_BACKLOG })).result;
          ctx.vars.fds[parent] = { http: http.fd, admin: admin.fd };
          ctx.vars.ports[parent] = { http: http.port, admin: admin.port };
        }
      },
      show: { processes: [...PARENTS], focus: isListener },
      expect: [
        {
          text: { en: 'alpha and beta each hold two listening sockets of their own', zh: 'alpha 和 beta 各自持有两个自己的监听 socket' },
          check: (ctx) => {
            const refs = PARENTS.flatMap((p): Array<[string, number]> => [[p, fdsOf(ctx, p).http], [p, fdsOf(ctx, p).admin]]);
            const rows = rowsTogether(ctx, refs);
            const inodes = new Set(rows.map((row) => row?.inode));
            const ok = rows.every((row) => row?.socket?.state === 'LISTEN') && inodes.size === 4;
            return { ok, detail: refs.map(([name, fd], i) => `${name}:${fd} ${rows[i]?.socket?.state ?? 'not listening'}`).join(' · ') };
          },
        },
        {
          text: { en: "the numbers differ: beta's listeners are not where alpha's are", zh: '编号不同：beta 的监听 socket 不在 alpha 的那些编号上' },
          check: (ctx) => {
            const [a, b] = [fdsOf(ctx, 'alpha'), fdsOf(ctx, 'beta')];
            return { ok: a.http !== b.http && a.admin !== b.admin, detail: `alpha ${a.http}, ${a.admin} · beta ${b.http}, ${b.admin}` };
          },
        },
      ],
    },
    {
      id: 'list-them',
      title: { en: 'List them: ExtraFiles, stdio, ProcAttr.Files', zh: '把它们列出来：ExtraFiles、stdio、ProcAttr.Files' },
      text: {
        en: "Each parent starts a child and lists its two listeners, http first. The parents' numbers differ; the lists are the same. Node's stdio array is indexed by the child's fd: stdio[3] becomes fd 3. Go's exec.Cmd.ExtraFiles[i] becomes fd 3+i; one level down, syscall.ForkExec takes ProcAttr.Files, where index i is the child's fd i (0, 1, 2 being stdio). Between fork and exec the child dup2s each entry into place (see the log), and exec keeps them, because dup2 leaves the copy without FD_CLOEXEC.\n\nThe four tables together: alpha's two listeners and alpha-child's fds 3 and 4 carry the same DESC letters, and so do beta's and beta-child's. Both children hold their listeners at 3 and 4, so the code that picks them up can be the same in every generation.",
        zh: '每个父进程启动一个子进程，并列出自己的两个监听 socket，http 在前。两个父进程的编号不同，列表却一样。Node 的 stdio 数组以子进程的 fd 编号为下标：stdio[3] 就是 fd 3。Go 的 exec.Cmd.ExtraFiles[i] 成为 fd 3+i；再往下一层，syscall.ForkExec 接受 ProcAttr.Files，下标 i 就是子进程的 fd i（0、1、2 是标准输入输出）。在 fork 和 exec 之间，子进程把每一项 dup2 到对应位置（见日志），而 dup2 出来的副本不带 FD_CLOEXEC，所以 exec 会保留它们。\n\n把四张表放在一起看：alpha 的两个监听 socket 与 alpha-child 的 fd 3、fd 4 字母（DESC）相同，beta 与 beta-child 也一样。两个子进程都在 3 和 4 上拿到监听 socket，所以接手它们的代码每一代都可以完全相同。',
      },
      code: {
        go: joinText(excerpt('go/pass-listeners.go', 'extrafiles'), excerpt('go/pass-listeners.go', 'forkexec')),
        node: excerpt('node/pass-listeners.mjs', 'spawn'),
        note: GO_EXEC_KEEPS_NONBLOCK,
      },
      async run(ctx) {
        for (const parent of PARENTS) {
          const { http, admin } = fdsOf(ctx, parent);
          await ctx.call(parent, { op: 'spawn', name: child(parent), fds: { 3: http, 4: admin }, env: { LISTEN_FDS: '2' } });
          await ctx.waitFor(child(parent));
        }
      },
      show: { processes: PARENTS.flatMap((p) => [p, child(p)]), focus: isListener },
      expect: [
        ...PARENTS.map((parent) => ({
          text: {
            en: `${child(parent)}'s fd 3 and fd 4 are ${parent}'s http and admin listeners: same descriptions, in list order`,
            zh: `${child(parent)} 的 fd 3 和 fd 4 就是 ${parent} 的 http 和 admin 监听 socket：打开文件描述相同，顺序与列表一致`,
          },
          check: (ctx: LessonContext<Vars>) => {
            const { http, admin } = fdsOf(ctx, parent);
            const first = sharing(ctx, [[parent, http], [child(parent), 3]]);
            const second = sharing(ctx, [[parent, admin], [child(parent), 4]]);
            const apart = sharing(ctx, [[child(parent), 3], [child(parent), 4]]);
            return { ok: first.count === 1 && second.count === 1 && apart.count === 2, detail: `${first.detail}; ${second.detail}` };
          },
        })),
        {
          text: { en: 'both children hold TCP sockets at fds 3 and 4 and nowhere else', zh: '两个子进程都只在 fd 3 和 fd 4 上持有 TCP socket' },
          check: (ctx) => {
            const found = PARENTS.map((parent) => `${child(parent)}: ${tcpFds(ctx, child(parent)).join(', ') || 'none'}`);
            return { ok: PARENTS.every((parent) => tcpFds(ctx, child(parent)).join() === '3,4'), detail: found.join(' · ') };
          },
        },
      ],
      quiz: {
        question: {
          en: 'A Go parent sets cmd.ExtraFiles = []*os.File{httpFile, adminFile, metricsFile}. Which fd is metricsFile in the child?',
          zh: 'Go 父进程设置 cmd.ExtraFiles = []*os.File{httpFile, adminFile, metricsFile}。metricsFile 在子进程里是几号 fd？',
        },
        choices: [
          { en: '5', zh: '5' },
          { en: 'The number it has in the parent', zh: '它在父进程里的编号' },
          { en: 'Whatever the child opens next', zh: '子进程下一个打开的编号' },
        ],
        answer: 0,
        explanation: {
          en: "ExtraFiles[i] becomes fd 3+i, so index 2 is fd 5. The parent's own number plays no part: the child gets positions, which is why the protocol between generations is an order (or names), never numbers.",
          zh: 'ExtraFiles[i] 成为 fd 3+i，下标 2 就是 fd 5。父进程里的编号不起任何作用：子进程拿到的是位置，所以两代进程之间约定的是顺序（或名字），而不是编号。',
        },
      },
      hint: {
        en: 'ls -l /proc/PID/fd/3 for a child shows socket:[INODE]; the parent\'s listener shows the same inode.',
        zh: '对子进程执行 ls -l /proc/PID/fd/3 会看到 socket:[INODE]；父进程的监听 socket 显示的是同一个 inode。',
      },
    },
    {
      id: 'rebuild',
      title: { en: 'The child rebuilds a server on fd 3', zh: '子进程在 fd 3 上重建服务器' },
      text: {
        en: `Each child runs the line a Node successor runs: http.createServer(handler).listen({ fd: 3 }). libuv asks the kernel what fd 3 is (getsockname, getsockopt SO_TYPE — lesson 10 looks closer), makes it non-blocking and calls listen(2) on it again, asking for ${NODE_REQUESTED}. On a socket that is already listening that call keeps the socket and its queue and only updates the limit: QUEUE now reads 0/${NODE_BACKLOG} instead of 0/${PARENT_BACKLOG}, on the same inode. The kernel grants min(requested, net.core.somaxconn); somaxconn is ${SOMAXCONN} on this machine (it was 128 before Linux 5.4, which capped Node's 511 at 128).\n\nThen ${REQUESTS} requests go to each parent's http port. The X-Puppet header of every answer names the process that accepted the connection: alpha-child on alpha's port, beta-child on beta's — the same code, under parents that numbered their fds differently.`,
        zh: `每个子进程都执行 Node 后继进程会执行的那一行：http.createServer(handler).listen({ fd: 3 })。libuv 先问内核 fd 3 是什么（getsockname、getsockopt SO_TYPE——第 10 课细看），把它设为非阻塞，再对它调用一次 listen(2)，申请 ${NODE_REQUESTED}。对一个已经在监听的 socket，这次调用保留 socket 和它的队列，只更新上限：同一个 inode 上，QUEUE 从 0/${PARENT_BACKLOG} 变成了 0/${NODE_BACKLOG}。内核给的是 min(申请值, net.core.somaxconn)；本机的 somaxconn 是 ${SOMAXCONN}（Linux 5.4 之前是 128，会把 Node 的 511 压到 128）。\n\n然后向每个父进程的 http 端口各发 ${REQUESTS} 个请求。每个响应的 X-Puppet 头写着 accept 这个连接的进程：alpha 的端口由 alpha-child 响应，beta 的端口由 beta-child 响应——同一份代码，跑在给 fd 编号完全不同的两个父进程之下。`,
      },
      code: {
        go: excerpt('go/pass-listeners.go', 'child'),
        node: excerpt('node/pass-listeners.mjs', 'child'),
      },
      async run(ctx) {
        ctx.vars.answers = {};
        for (const parent of PARENTS) await ctx.call(child(parent), { op: 'serve-fd', fd: 3 });
        for (const parent of PARENTS) ctx.vars.answers[parent] = await askPort(ctx, portsOf(ctx, parent).http, REQUESTS);
      },
      show: { processes: PARENTS.flatMap((p) => [p, child(p)]), focus: (row) => isListener(row) && row.fd === 3 },
      expect: [
        ...PARENTS.map((parent) => ({
          text: { en: `every request to ${parent}'s port was answered by ${child(parent)}`, zh: `发往 ${parent} 端口的每个请求都由 ${child(parent)} 响应` },
          check: (ctx: LessonContext<Vars>) => answeredOnlyBy(ctx.vars.answers[parent], ctx.pid(child(parent))),
        })),
        {
          text: {
            en: `still one socket per port, the parent's: fd 3 of each child is its inode, its limit now ${NODE_BACKLOG} = min(${NODE_REQUESTED}, somaxconn ${SOMAXCONN})`,
            zh: `每个端口上仍然只有一个 socket，就是父进程的那个：子进程的 fd 3 是同一个 inode，上限变成了 ${NODE_BACKLOG} = min(${NODE_REQUESTED}, somaxconn ${SOMAXCONN})`,
          },
          check: (ctx) => {
            const found = PARENTS.map((parent) => {
              const [mine, theirs] = rowsTogether(ctx, [[parent, fdsOf(ctx, parent).http], [child(parent), 3]]);
              const one = listenersOn(portsOf(ctx, parent).http).length === 1;
              const ok = one && !!mine?.inode && mine.inode === theirs?.inode && theirs?.socket?.backlog === NODE_BACKLOG;
              return { ok, text: `${parent} ${mine?.inode ?? '-'} / ${child(parent)}:3 ${theirs?.inode ?? '-'} ${theirs?.socket?.acceptQueue ?? '?'}/${theirs?.socket?.backlog ?? '?'}` };
            });
            return { ok: found.every((f) => f.ok), detail: found.map((f) => f.text).join(' · ') };
          },
        },
      ],
      quiz: {
        question: { en: 'alpha-child called listen(2) on fd 3, which was already listening. What did the kernel do?', zh: 'alpha-child 对已经在监听的 fd 3 又调用了一次 listen(2)。内核做了什么？' },
        choices: [
          { en: 'Kept the socket and its accept queue; only the backlog limit changed', zh: '保留这个 socket 和它的 accept 队列，只改了 backlog 上限' },
          { en: 'Made a second socket on the same port', zh: '在同一个端口上又建了一个 socket' },
          { en: 'Failed with EADDRINUSE, so Node retried', zh: '返回 EADDRINUSE，于是 Node 重试' },
        ],
        answer: 0,
        explanation: {
          en: 'listen(2) works on the socket behind the fd; on one already in LISTEN it just sets the new limit. No bind, no new socket: the inode and the port are unchanged, as the table shows.',
          zh: 'listen(2) 作用于 fd 背后的 socket；对已经处于 LISTEN 的 socket，它只设置新的上限。没有 bind，也没有新 socket：inode 和端口都没变，表里看得到。',
        },
      },
    },
    {
      id: 'parents-let-go',
      title: { en: 'The parents let go', zh: '父进程放手' },
      text: {
        en: "Now the parents close their copies, as a Go parent does with f.Close() after cmd.Start() and ln.Close() once the child is ready. close(2) drops one reference each; the children still hold the sockets, so the ports stay in LISTEN — the same sockets, the same accept queues — and requests keep being answered by the children.\n\nThis is the whole trick of a restart by inheritance: the listening socket never closes, only the set of processes holding it changes. A parent that forgets to close keeps the port alive after its child is gone: lesson 5's leak.",
        zh: '现在父进程关闭自己手里的副本，就像 Go 的父进程在 cmd.Start() 之后 f.Close()、在子进程就绪后 ln.Close() 那样。每次 close(2) 只减少一个引用；子进程仍然持有这些 socket，所以端口依旧处于 LISTEN——同样的 socket，同样的 accept 队列——请求继续由子进程响应。\n\n这就是基于继承的重启的全部诀窍：监听 socket 从未关闭，变化的只是持有它的进程集合。父进程如果忘了关闭，子进程退出后端口仍然活着：这就是第 5 课讲的泄漏。',
      },
      code: {
        go: excerpt('go/pass-listeners.go', 'let-go'),
        node: excerpt('node/pass-listeners.mjs', 'let-go'),
      },
      async run(ctx) {
        for (const parent of PARENTS) {
          const { http, admin } = fdsOf(ctx, parent);
          await ctx.call(parent, { op: 'close', fd: http });
          await ctx.call(parent, { op: 'close', fd: admin });
        }
        ctx.vars.after = {};
        for (const parent of PARENTS) ctx.vars.after[parent] = await askPort(ctx, portsOf(ctx, parent).http, REQUESTS);
      },
      show: { processes: PARENTS.flatMap((p) => [p, child(p)]), focus: isListener },
      expect: [
        {
          text: { en: 'the parents hold no TCP socket any more', zh: '父进程不再持有任何 TCP socket' },
          check: (ctx) => {
            const left = PARENTS.map((parent) => `${parent}: ${tcpFds(ctx, parent).join(', ') || 'none'}`);
            return { ok: PARENTS.every((parent) => tcpFds(ctx, parent).length === 0), detail: left.join(' · ') };
          },
        },
        {
          text: { en: "each http port still has its one listening socket, now held only by the child's fd 3", zh: '每个 http 端口仍然只有它那一个监听 socket，现在只由子进程的 fd 3 持有' },
          check: (ctx) => {
            const found = PARENTS.map((parent) => {
              const row = ctx.row(child(parent), 3);
              const listeners = listenersOn(portsOf(ctx, parent).http);
              return { ok: row?.socket?.state === 'LISTEN' && listeners.length === 1 && listeners[0].inode === row.inode, text: `${child(parent)}:3 ${row?.name ?? 'not open'}` };
            });
            return { ok: found.every((f) => f.ok), detail: found.map((f) => f.text).join(' · ') };
          },
        },
        ...PARENTS.map((parent) => ({
          text: { en: `requests to ${parent}'s port are still all answered, by ${child(parent)}`, zh: `发往 ${parent} 端口的请求仍然全部由 ${child(parent)} 响应` },
          check: (ctx: LessonContext<Vars>) => answeredOnlyBy(ctx.vars.after[parent], ctx.pid(child(parent))),
        })),
      ],
      quiz: {
        question: { en: 'A client connected to the http port just as alpha closed its copy. What happened to that connection?', zh: '就在 alpha 关闭自己副本的那一刻，一个客户端连到了 http 端口。这个连接会怎样？' },
        choices: [
          { en: 'It waited in the socket\'s accept queue, and alpha-child accepted it', zh: '它在 socket 的 accept 队列里等待，然后被 alpha-child accept' },
          { en: 'It was reset, because the listener was closed', zh: '它被重置了，因为监听 socket 被关闭了' },
          { en: 'It was refused until the child called listen() again', zh: '在子进程再次调用 listen() 之前，它会被拒绝' },
        ],
        answer: 0,
        explanation: {
          en: "The accept queue belongs to the socket, not to a process or an fd. alpha's close dropped a reference, not the socket, so nothing was lost; a socket is only destroyed (and its queue reset) when the last fd to it closes.",
          zh: 'accept 队列属于 socket，而不属于某个进程或某个 fd。alpha 的 close 只减少了一个引用，并没有销毁 socket，所以什么也没丢；只有指向它的最后一个 fd 关闭时，socket 才会被销毁（队列随之被重置）。',
        },
      },
      hint: {
        en: 'ss -ltnp shows which processes hold each listening socket: after this step, only the children.',
        zh: 'ss -ltnp 会显示每个监听 socket 由哪些进程持有：这一步之后，只剩子进程。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

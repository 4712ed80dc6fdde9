// Lesson 6, the real Go: lessons/assets/code/go/handover.go, built with the machine's Go and run one stage
// per SIGUSR1, shows what steps 6 to 8 play with a puppet: File() is an F_DUPFD_CLOEXEC dup that leaves
// the listener non-blocking; cmd.Start with ExtraFiles (through Fd()) makes the shared description
// blocking and puts it at the child's fd 3; ln.Close() then waits for a pending Accept until a client
// comes; and the child's net.FileListener makes the description non-blocking again, for the parent too.
// Without go on PATH the two steps say so in one line and their checks are skipped.
import { join } from 'node:path';
import type { FdRow } from '../src/fdtable/model.js';
import { excerpt, joinText } from '../src/lesson/excerpt.js';
import { NO_GO } from '../src/lesson/gobuild.js';
import { buildOrSayNoGo, fdFlagsText, logText as goLogText, waitLogLine, withGo, type GoRunVars } from '../src/lesson/golog.js';
import { sameDescription } from '../src/lesson/kit.js';
import { ACCEPT_WAIT, threadsWaitingIn } from '../src/sys/threads.js';
import type { LessonContext, Step } from '../src/lesson/types.js';

/** What the Go steps carry; lesson 6's Vars extends it. */
export interface GoVars extends GoRunVars {
  /** The Go parent's listener fd, File()'s dup of it, and the child started with ExtraFiles. */
  goLnFd: number;
  goFileFd: number;
  goChildPid: number | undefined;
  /** The rows right after File(), before the child started. */
  afterFile: { ln?: FdRow; file?: FdRow; child?: FdRow };
  /** ln.Close() had not returned after CLOSE_WAIT_MS; threads then blocked in accept; Close's duration. */
  closePending: boolean;
  acceptThreads: number;
  closeMs: number;
}
type GoContext = LessonContext<GoVars>;

const SOURCE = 'go/handover.go';
const LOG = 'handover.log';
/** How long the lesson watches ln.Close() not returning before a client comes. */
const CLOSE_WAIT_MS = 500;

const logText = (ctx: LessonContext) => goLogText(ctx, LOG);
const waitLine = (ctx: GoContext, pattern: RegExp) => waitLogLine(ctx, LOG, pattern);

/** One SIGUSR1 to a process of the Go program: it moves on by one stage. */
const nextStage = (ctx: GoContext, name: string) => ctx.call('server', { op: 'kill', pid: ctx.pid(name), signal: 'SIGUSR1' });

/** The rows of the Go parent's two fds (and the child's fd 3) from one snapshot. */
function goRows(ctx: GoContext): { ln?: FdRow; file?: FdRow; child?: FdRow } {
  const names = ctx.vars.goChildPid ? ['goparent', 'gochild'] : ['goparent'];
  const rows = ctx.snapshot(names).rows;
  const of = (pid: number, fd: number) => rows.find((row) => row.pid === pid && row.fd === fd);
  return { ln: of(ctx.pid('goparent'), ctx.vars.goLnFd), file: of(ctx.pid('goparent'), ctx.vars.goFileFd), child: ctx.vars.goChildPid ? of(ctx.vars.goChildPid, 3) : undefined };
}

const flags = fdFlagsText;

const isGoListener = (row: FdRow, ctx: GoContext) =>
  (row.command === 'goparent' && (row.fd === ctx.vars.goLnFd || row.fd === ctx.vars.goFileFd)) || (row.command === 'gochild' && row.socket?.state === 'LISTEN');

export const goSteps: Step<GoVars>[] = [
  {
    id: 'go-real-start',
    title: { en: 'The real Go program: File(), then cmd.Start with ExtraFiles', zh: '真正的 Go 程序：File()，然后带 ExtraFiles 的 cmd.Start' },
    text: {
      en: 'Now real Go: lessons/assets/code/go/handover.go, built with this machine\'s go and run as goparent, one stage at a time. It listens (rw,nonblock, cloexec), then calls ln.File(): a second fd, made by fcntl(F_DUPFD_CLOEXEC), so it is close-on-exec, and the description is still non-blocking — File() alone changes no mode (the tutor keeps the table of that moment). Then cmd.Start with cmd.ExtraFiles = []*os.File{f}: os.StartProcess calls f.Fd() on every file, and Fd() puts the description in blocking mode. gochild gets it at fd 3, ExtraFiles[0], without close-on-exec, as dup3(fd, 3, 0) in the forked child leaves it.',
      zh: '现在是真正的 Go：lessons/assets/code/go/handover.go，用本机的 go 编译，作为 goparent 运行，一次走一个阶段。它先监听（rw,nonblock，cloexec），再调用 ln.File()：得到第二个 fd，由 fcntl(F_DUPFD_CLOEXEC) 创建，所以带 close-on-exec，而打开文件描述仍是非阻塞的——单独调用 File() 不改变任何模式（教程保存了那一刻的 fd 表）。然后是设置了 cmd.ExtraFiles = []*os.File{f} 的 cmd.Start：os.StartProcess 会对每个文件调用 f.Fd()，而 Fd() 把打开文件描述切换成阻塞模式。gochild 在 fd 3（ExtraFiles[0]）上拿到它，没有 close-on-exec，因为 fork 出来的子进程里 dup3(fd, 3, 0) 不设这个标志。',
    },
    code: {
      go: joinText(excerpt(SOURCE, 'listen-file'), excerpt(SOURCE, 'start')),
      node: excerpt('node/handover.mjs', 'start'),
    },
    async run(ctx) {
      const binary = await buildOrSayNoGo(ctx, SOURCE);
      if (!binary) return;
      const spawned = await ctx.call('server', { op: 'spawn', name: 'goparent', command: [binary, join(ctx.supervisor.dir, LOG)] });
      ctx.name(spawned.result.pid as number, 'goparent');
      ctx.vars.goLnFd = Number((await waitLine(ctx, /^parent: listen fd (\d+)/m))[1]);
      await nextStage(ctx, 'goparent');
      ctx.vars.goFileFd = Number((await waitLine(ctx, /^parent: file fd (\d+)/m))[1]);
      ctx.vars.afterFile = goRows(ctx);
      await nextStage(ctx, 'goparent');
      ctx.vars.goChildPid = Number((await waitLine(ctx, /^parent: started child pid (\d+)/m))[1]);
      ctx.name(ctx.vars.goChildPid, 'gochild');
      await waitLine(ctx, /^child: pid \d+ holds/m);
    },
    show: { processes: ['goparent', 'gochild'], only: (row) => row.type === 'TCP', focus: isGoListener },
    expect: [
      withGo({ en: 'after File(): a second fd, close-on-exec, same description, still non-blocking', zh: 'File() 之后：第二个 fd，带 close-on-exec，同一个打开文件描述，仍然非阻塞' }, (ctx) => {
        const { ln, file } = ctx.vars.afterFile as ReturnType<typeof goRows>;
        const ok = sameDescription(ln, file).ok && file?.cloexec === true && ln?.nonblock === true && file.nonblock === true;
        return { ok, detail: `${flags(ln)} / ${flags(file)}` };
      }),
      withGo({ en: "after cmd.Start: gochild's fd 3 is that description, without close-on-exec", zh: 'cmd.Start 之后：gochild 的 fd 3 就是这个打开文件描述，没有 close-on-exec' }, (ctx) => {
        const { ln, child } = goRows(ctx);
        return { ok: sameDescription(ln, child).ok && child?.cloexec === false, detail: `gochild ${flags(child)}` };
      }),
      withGo({ en: "and it is blocking now, for goparent's listener too: Fd() did it", zh: '而且现在是阻塞的，goparent 的 listener 也一样：是 Fd() 干的' }, (ctx) => {
        const { ln, file, child } = goRows(ctx);
        return { ok: [ln, file, child].every((row) => row?.nonblock === false), detail: `goparent ${flags(ln)} · ${flags(file)}` };
      }),
    ],
    hint: {
      en: 'strace -f -e trace=fcntl,dup3 on the Go program shows fcntl(7, F_DUPFD_CLOEXEC, 0) for File(), fcntl(8, F_SETFL, O_RDWR) for Fd(), and dup3(8, 3, 0) in the child.',
      zh: '用 strace -f -e trace=fcntl,dup3 跟踪这个 Go 程序，可以看到 File() 的 fcntl(7, F_DUPFD_CLOEXEC, 0)、Fd() 的 fcntl(8, F_SETFL, O_RDWR)，以及子进程里的 dup3(8, 3, 0)。',
    },
  },
  {
    id: 'go-real-close',
    title: { en: 'Real Go: ln.Close() waits for a client; the child makes it non-blocking again', zh: '真正的 Go：ln.Close() 要等客户端；子进程又把它改回非阻塞' },
    text: {
      en: `goparent starts a goroutine in ln.Accept() and then calls ln.Close(). The description is blocking, so the goroutine's thread sleeps inside accept(2), and Go's Close waits for the last user of the fd before it returns: ${CLOSE_WAIT_MS} ms later it still has not. A client connects; the sleeping accept4 takes it, and only then does Close return.\n\nLast, gochild rebuilds its listener: net.FileListener(os.NewFile(3, ...)) dups fd 3 and sets O_NONBLOCK on the dup — that is, on the shared description. goparent's remaining fd (f, from File()) reads rw,nonblock again. So the blocking window of a Go handover runs from cmd.Start until the child's FileListener (the tRPC article says so too); a Close or an Accept inside that window is what hangs.`,
      zh: `goparent 启动一个 goroutine 调用 ln.Accept()，然后调用 ln.Close()。打开文件描述是阻塞的，于是这个 goroutine 的线程睡在 accept(2) 里，而 Go 的 Close 要等这个 fd 的最后一个使用者结束才返回：${CLOSE_WAIT_MS} ms 之后它仍未返回。一个客户端连上来；睡着的 accept4 取走它，Close 这才返回。\n\n最后，gochild 重建自己的 listener：net.FileListener(os.NewFile(3, ...)) dup 出 fd 3 的副本，并在副本上设置 O_NONBLOCK——也就是设在共享的打开文件描述上。goparent 剩下的那个 fd（File() 得到的 f）又显示为 rw,nonblock。所以 Go 交接时的阻塞窗口，是从 cmd.Start 到子进程调用 FileListener 为止（tRPC 的文章也这么说）；落在这个窗口里的 Close 或 Accept 才会挂住。`,
    },
    code: {
      go: joinText(excerpt(SOURCE, 'close-hangs'), { en: '// in the child:', zh: '// 子进程里：' }, excerpt(SOURCE, 'rebuild')),
      node: excerpt('node/handover.mjs', 'rebuild'),
    },
    async run(ctx) {
      if (ctx.vars.noGo) {
        ctx.log(NO_GO, 'error');
        return;
      }
      await nextStage(ctx, 'goparent');
      await waitLine(ctx, /^parent: close called/m);
      await ctx.sleep(CLOSE_WAIT_MS);
      ctx.vars.closePending = !/^parent: close returned/m.test(logText(ctx));
      ctx.vars.acceptThreads = threadsWaitingIn(ctx.pid('goparent'), ACCEPT_WAIT).length;
      await ctx.call('client', { op: 'connect', port: Number(/port (\d+)/.exec(logText(ctx))?.[1]) });
      ctx.vars.closeMs = Number((await waitLine(ctx, /^parent: close returned after (\d+) ms/m))[1]);
      await waitLine(ctx, /^parent: accept returned/m);
      await nextStage(ctx, 'gochild');
      await waitLine(ctx, /^child: rebuilt the listener at fd \d+/m);
    },
    show: { processes: ['goparent', 'gochild'], only: (row) => row.type === 'TCP' && row.socket?.state !== 'ESTABLISHED', focus: isGoListener },
    expect: [
      withGo({ en: `ln.Close() had not returned ${CLOSE_WAIT_MS} ms after the call; a goparent thread slept in the kernel's accept`, zh: `调用 ln.Close() ${CLOSE_WAIT_MS} ms 后它仍未返回；goparent 有一个线程睡在内核的 accept 里` }, (ctx) => ({
        ok: ctx.vars.closePending === true && ctx.vars.acceptThreads === 1,
        detail: ctx.t({ en: `threads in inet_csk_accept: ${ctx.vars.acceptThreads}`, zh: `停在 inet_csk_accept 的线程：${ctx.vars.acceptThreads}` }),
      })),
      withGo({ en: 'a client ended it: Accept returned a connection, then Close returned', zh: '是一个客户端结束了它：Accept 返回了一个连接，随后 Close 返回' }, (ctx) => {
        // The two goroutines log in either order: Close returns as soon as accept(2) has let go of the fd.
        const accepted = /^parent: accept returned a connection/m.test(logText(ctx));
        return { ok: accepted && ctx.vars.closeMs >= CLOSE_WAIT_MS, detail: `Close: ${ctx.vars.closeMs} ms` };
      }),
      withGo({ en: "after gochild's net.FileListener, goparent's fd is non-blocking again", zh: 'gochild 调用 net.FileListener 之后，goparent 的 fd 又变回非阻塞' }, (ctx) => {
        const { file } = goRows(ctx);
        return { ok: file?.nonblock === true, detail: `goparent ${flags(file)}` };
      }),
    ],
    quiz: {
      question: { en: 'In a Go handover with ExtraFiles, when is the shared listener blocking?', zh: '用 ExtraFiles 做 Go 交接时，共享的监听 socket 在什么时候是阻塞的？' },
      choices: [
        { en: "From cmd.Start (Fd()) until the child's net.FileListener sets O_NONBLOCK again", zh: '从 cmd.Start（Fd()）开始，直到子进程的 net.FileListener 重新设上 O_NONBLOCK' },
        { en: 'From ln.File() on, for as long as the parent lives', zh: '从 ln.File() 开始，只要父进程活着就一直是' },
        { en: 'Never: Go keeps its listeners non-blocking', zh: '从不：Go 会让它的 listener 一直保持非阻塞' },
      ],
      answer: 0,
      explanation: {
        en: 'File() (Go 1.11 and later) leaves the mode alone; Fd(), which os.StartProcess calls, clears O_NONBLOCK on the description; the child\'s FileListener sets it again on its dup, the same description. Inside that window a pending Accept sleeps in the kernel and Close waits for it.',
        zh: 'File()（Go 1.11 起）不改模式；os.StartProcess 调用的 Fd() 清掉打开文件描述上的 O_NONBLOCK；子进程的 FileListener 在它的 dup 上——同一个打开文件描述——重新设上它。在这个窗口里，正在等待的 Accept 睡在内核里，Close 也要等它。',
      },
    },
  },
];

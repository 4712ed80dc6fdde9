// Lesson 2: fork. A small C program forks for real: parent and child share every inherited open file
// description (same DESC letters, one file offset, one listening socket), yet only the thread that
// called fork lives on in the child. Node cannot do this — a fork from JavaScript dies by SIGSEGV, its
// heap marked do-not-copy — so Node and Go only ever fork to exec at once.
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../src/demo/marker.js';
import type { FdRow } from '../src/fdtable/model.js';
import type { CheckResult, Lesson, LessonContext } from '../src/lesson/types.js';
import type { PuppetResults } from '../src/demo/protocol.js';
import { LessonActionError } from '../src/lesson/types.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { listenersOn, sameDescription } from '../src/lesson/kit.js';
import { dontForkMappings, parentPid, threadCount, type DontForkMappings } from '../src/lesson/proc.js';
import { excerpt, GO_EXEC_KEEPS_NONBLOCK, joinText } from '../src/lesson/excerpt.js';
import { buildC } from '../src/lesson/cbuild.js';

const SOURCE = fileURLToPath(new URL('./assets/code/c/fork-demo.c', import.meta.url));
const LOG = 'fork-demo.log';
const FILE_FD = 3;
const SOCKET_FD = 4;
const IDLE_THREADS = 2; // as in fork-demo.c

/** What fork-demo wrote: the line before fork, and one line per process after it. */
interface ForkLog {
  text: string;
  parent: number;
  port: number;
  /** pid -> what fork() returned in that process */
  returned: Map<number, number>;
  ppidOf: Map<number, number>;
}

function readForkLog(dir: string): ForkLog | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, LOG), 'utf8');
  } catch {
    return undefined;
  }
  const before = /^before fork: pid (\d+), .* on 127\.0\.0\.1:(\d+),/m.exec(text);
  const returned = new Map<number, number>();
  const ppidOf = new Map<number, number>();
  for (const [, value, pid, ppid] of text.matchAll(/^fork\(\) returned (-?\d+) in pid (\d+) \(ppid (\d+)\)$/gm)) {
    returned.set(Number(pid), Number(value));
    ppidOf.set(Number(pid), Number(ppid));
  }
  if (!before || returned.size < 2) return undefined;
  return { text, parent: Number(before[1]), port: Number(before[2]), returned, ppidOf };
}

/** Expectations about fork-demo hold trivially (and say so) on a machine without a C compiler. */
function needsCc(check: (ctx: LessonContext<Vars>) => CheckResult | Promise<CheckResult>): (ctx: LessonContext<Vars>) => CheckResult | Promise<CheckResult> {
  return (ctx) => (ctx.vars.noCompiler ? { ok: false, skipped: true, detail: ctx.t({ en: 'no C compiler', zh: '没有 C 编译器' }) } : check(ctx));
}

/** fork-demo's own fds: the log file and the listener (0-2 are /dev/null). */
const forkDemoRows = (row: FdRow) => row.fd === FILE_FD || row.fd === SOCKET_FD;

/** A size of reserved address space, most of it never touched. */
const addressSpace = (ctx: LessonContext, kB: number) => {
  const mb = Math.round(kB / 1024);
  return ctx.t({ en: `${mb} MB of address space`, zh: `${mb} MB 地址空间` });
};
const dcText = (ctx: LessonContext, dc: DontForkMappings | undefined) =>
  dc ? ctx.t({ en: `${dc.count} mappings marked dc, ${addressSpace(ctx, dc.kB)}`, zh: `${dc.count} 个标记为 dc 的映射，${addressSpace(ctx, dc.kB)}` }) : '?';

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars {
  /** Set when there is no cc: the fork-demo steps are skipped. */
  noCompiler: boolean;
  /** fork-demo's two processes, and the port of its listener. */
  parent: number;
  child: number;
  port: number;
  log: ForkLog;
  forked: PuppetResults['ffi-fork'];
  nodeDc: DontForkMappings | undefined;
  cDc: DontForkMappings | undefined;
  listenerInode: number | null | undefined;
  sleep: number;
}

export const lesson: Lesson<Vars> = {
  id: 'fork',
  number: 2,
  chapter: { en: 'Chapter 1 · Foundations and pitfalls', zh: '第一章 · 基础与陷阱' },
  title: { en: 'fork: one process becomes two', zh: 'fork：一个进程变成两个' },
  summary: {
    en: 'fork(2) makes a copy of the calling process. The copy inherits every fd, and each inherited fd refers to the same open file description as the parent\'s — which is how a listening socket can outlive the process that opened it. But only the calling thread is copied, and that is why Node (and Go) never fork without exec right after.',
    zh: 'fork(2) 复制出调用它的进程。副本继承所有 fd，而且每个继承来的 fd 与父进程的 fd 指向同一个打开文件描述（open file description）——监听 socket 正是靠这一点活得比打开它的进程更久。但被复制的只有调用 fork 的那一个线程，所以 Node（以及 Go）从不单独 fork，而是 fork 之后立刻 exec。',
  },
  recap: [
    { en: "fork returns twice: the child's pid in the parent, 0 in the child (the kernel zeroes the child's return register).", zh: 'fork 返回两次：父进程里是子进程的 pid，子进程里是 0（内核把子进程的返回值寄存器置 0）。' },
    { en: 'Inherited fds share their open file descriptions: one offset, one listening socket, in both processes.', zh: '继承来的 fd 共享打开文件描述：两个进程里是同一个偏移量、同一个监听 socket。' },
    { en: 'Only the calling thread is copied; V8 marks its heap do-not-copy, so Node (and Go) fork only to exec at once.', zh: '只有调用 fork 的线程被复制；V8 把堆标记为不复制，所以 Node（和 Go）只在紧接着 exec 时才 fork。' },
    { en: 'A socket lives as long as some fd refers to it: the child keeps listening after its parent exits.', zh: '只要还有 fd 指向它，socket 就一直存在：父进程退出后，子进程照样在监听。' },
    { en: "Go's os/exec calls Fd() on the files it passes, which makes a listener blocking: restore O_NONBLOCK, or pass raw fds to syscall.ForkExec.", zh: 'Go 的 os/exec 会对传递的文件调用 Fd()，从而把 listener 变成阻塞的：要么把 O_NONBLOCK 设回去，要么把原始 fd 交给 syscall.ForkExec。' },
  ],
  steps: [
    {
      id: 'fork',
      title: { en: 'A real fork', zh: '一次真正的 fork' },
      text: {
        en: 'fork-demo is a small C program (lessons/assets/code/c/fork-demo.c), compiled now with cc. It opens a file (its log) as fd 3 and a TCP listener on 127.0.0.1 as fd 4, starts two idle threads, and calls fork() once. Both processes then write one line to the log — what fork() returned, their pid and their parent\'s pid — and pause.\n\nfork() returns twice: in the parent it returns the child\'s pid, in the child it returns 0. One call, two values, because there are two threads of execution afterwards: the kernel copies the calling thread\'s saved registers into the child and sets the child\'s return-value register (rax on x86-64, x0 on arm64) to 0 before it first runs; the parent\'s call returns normally, with the new pid. The two log lines show both. A Node process (launcher) starts fork-demo, so the tutor\'s clean-up covers parent and child alike.',
        zh: 'fork-demo 是一个很小的 C 程序（lessons/assets/code/c/fork-demo.c），现在用 cc 编译。它把一个文件（它的日志）打开为 fd 3，在 127.0.0.1 上建一个 TCP 监听 socket 作为 fd 4，启动两个空闲线程，然后调用一次 fork()。之后两个进程各往日志里写一行——fork() 的返回值、自己的 pid、父进程的 pid——然后暂停。\n\nfork() 返回两次：在父进程里返回子进程的 pid，在子进程里返回 0。一次调用、两个返回值，是因为此后有两条执行流：内核把调用线程保存的寄存器复制给子进程，并在子进程第一次运行之前把它的返回值寄存器（x86-64 上是 rax，arm64 上是 x0）置为 0；父进程的这次调用照常返回，带回新进程的 pid。日志里的两行把两种返回值都显示出来了。fork-demo 由一个 Node 进程（launcher）启动，这样教程的清理机制对父子两个进程同样有效。',
      },
      code: {
        other: { label: 'C', code: excerpt('c/fork-demo.c', 'fork') },
      },
      async run(ctx) {
        await ctx.start('launcher');
        const binary = await buildC(ctx, SOURCE, ['-pthread']);
        if (!binary) {
          ctx.vars.noCompiler = true;
          ctx.log({ en: 'There is no C compiler (cc) on this machine, so the fork-demo steps are skipped; the Node steps still run.', zh: '本机没有 C 编译器（cc），所以跳过 fork-demo 相关的步骤；Node 相关的步骤照常运行。' }, 'error');
          return;
        }
        const spawned = await ctx.call('launcher', { op: 'spawn', name: 'fork-demo', command: [binary, LOG] });
        const parent = spawned.result.pid as number;
        ctx.name(parent, 'parent');
        const log = await ctx.until(() => readForkLog(ctx.supervisor.dir), 5000);
        if (!log) throw new LessonActionError({ en: 'fork-demo did not write both of its lines within 5 s', zh: 'fork-demo 在 5 秒内没有写完它的两行' });
        const child = [...log.returned].find(([, value]) => value === 0)?.[0];
        if (child === undefined) throw new LessonActionError({ en: 'no process of fork-demo says fork() returned 0', zh: 'fork-demo 的进程中没有一个说 fork() 返回了 0' });
        ctx.name(child, 'child');
        Object.assign(ctx.vars, { parent, child, port: log.port, log } satisfies Partial<Vars>);
        for (const line of log.text.trim().split('\n')) ctx.log(line, 'event', LOG);
      },
      expect: [
        {
          text: { en: "the child's parent is fork-demo (PPid in /proc/CHILD/status)", zh: '子进程的父进程就是 fork-demo（/proc/CHILD/status 中的 PPid）' },
          check: needsCc((ctx) => {
            const ppid = parentPid(ctx.vars.child);
            const ok = ppid === ctx.vars.parent && isAlive(ctx.vars.parent) && (ctx.vars.log as ForkLog).parent === ctx.vars.parent;
            return { ok, detail: `child ${ctx.vars.child}: PPid ${ppid}, parent ${ctx.vars.parent}` };
          }),
        },
        {
          text: { en: "fork() returned the child's pid in the parent, and 0 in the child", zh: 'fork() 在父进程中返回子进程的 pid，在子进程中返回 0' },
          check: needsCc((ctx) => {
            const log: ForkLog = ctx.vars.log;
            const inParent = log.returned.get(ctx.vars.parent);
            const inChild = log.returned.get(ctx.vars.child);
            return { ok: inParent === ctx.vars.child && inChild === 0 && log.ppidOf.get(ctx.vars.child) === ctx.vars.parent, detail: `parent: ${inParent}, child: ${inChild}` };
          }),
        },
      ],
      show: { processes: ['parent', 'child'], only: forkDemoRows },
      hint: {
        en: 'pstree -p PID (the launcher\'s pid) shows launcher → fork-demo → fork-demo, and ls -l /proc/PID/fd lists each table.',
        zh: 'pstree -p PID（launcher 的 pid）会显示 launcher → fork-demo → fork-demo；ls -l /proc/PID/fd 可以列出每个进程的 fd 表。',
      },
    },
    {
      id: 'shared',
      title: { en: 'Inherited fds share their descriptions', zh: '继承来的 fd 共享打开文件描述' },
      text: {
        en: "fork copies the fd table, not the files: the child's fd 3 and 4 refer to the very same open file descriptions as the parent's — same DESC letters. Everything stored in a description is shared: the file offset, the status flags (O_NONBLOCK, O_APPEND), and for fd 4 the socket itself. There is one listening socket on the port, held by two processes.\n\nThe log shows the shared offset at work. It is opened without O_APPEND, yet the child's line did not overwrite the parent's: each write moved the one offset both processes use.",
        zh: 'fork 复制的是 fd 表，而不是文件：子进程的 fd 3 和 fd 4 与父进程的指向完全相同的打开文件描述——DESC 字母相同。存放在描述里的东西全都是共享的：文件偏移量、状态标志（O_NONBLOCK、O_APPEND），对 fd 4 来说还有 socket 本身。端口上只有一个监听 socket，却被两个进程同时持有。\n\n日志文件展示了共享偏移量的效果。它打开时没有带 O_APPEND，子进程写的那一行却没有覆盖父进程的：每次写入移动的都是两个进程共用的同一个偏移量。',
      },
      show: {
        processes: ['parent', 'child'],
        only: forkDemoRows,
        focus: forkDemoRows,
        caption: { en: 'fork-demo after fork: two processes, the same descriptions', zh: 'fork 之后的 fork-demo：两个进程，同样的描述' },
      },
      expect: [
        {
          text: { en: 'fd 3 (the file) is one description in both processes', zh: 'fd 3（文件）在两个进程中是同一个描述' },
          check: needsCc((ctx) => sameDescription(ctx.row('parent', FILE_FD), ctx.row('child', FILE_FD))),
        },
        {
          text: { en: 'fd 4 is one listening socket, held by two processes', zh: 'fd 4 是同一个监听 socket，由两个进程持有' },
          check: needsCc((ctx) => {
            const same = sameDescription(ctx.row('parent', SOCKET_FD), ctx.row('child', SOCKET_FD));
            const listeners = listenersOn(ctx.vars.port).length;
            return { ok: same.ok && listeners === 1, detail: `${same.detail}; ${listeners} listener(s) on 127.0.0.1:${ctx.vars.port}` };
          }),
        },
        {
          text: { en: 'one offset: both fds stand at the end of the file, and all 3 lines are intact', zh: '同一个偏移量：两个 fd 都停在文件末尾，3 行内容完好' },
          check: needsCc((ctx) => {
            const size = statSync(join(ctx.supervisor.dir, LOG)).size;
            const offsets = [ctx.row('parent', FILE_FD)?.offset, ctx.row('child', FILE_FD)?.offset];
            const lines = readFileSync(join(ctx.supervisor.dir, LOG), 'utf8').split('\n').filter(Boolean);
            const intact = lines.length === 3 && lines.every((line) => /^(before fork|fork\(\) returned)/.test(line));
            return { ok: offsets.every((offset) => offset === size) && intact, detail: `size ${size}, OFFSET ${offsets.join(' / ')}, ${lines.length} lines` };
          }),
        },
      ],
      quiz: {
        question: { en: 'The parent now writes 10 more bytes to fd 3. Where does the child\'s next write land?', zh: '父进程接着往 fd 3 写 10 个字节。子进程下一次写入会落在哪里？' },
        choices: [
          { en: 'Right after those 10 bytes', zh: '紧跟在这 10 个字节之后' },
          { en: 'At the child\'s own offset, over the parent\'s 10 bytes', zh: '在子进程自己的偏移量处，覆盖父进程的 10 个字节' },
          { en: 'At the start of the file', zh: '文件开头' },
        ],
        answer: 0,
        explanation: {
          en: 'The offset belongs to the open file description, and after fork there is only one. Two processes that open the same path separately would get two descriptions and two offsets — and would overwrite each other.',
          zh: '偏移量属于打开文件描述，而 fork 之后只有一个描述。如果两个进程各自 open 同一个路径，就会得到两个描述、两个偏移量——那样才会互相覆盖。',
        },
      },
    },
    {
      id: 'threads',
      title: { en: 'Only the calling thread is copied', zh: '只复制调用 fork 的那个线程' },
      text: {
        en: `fork copies the address space (copy-on-write; step 5 shows what it leaves out) but only one thread: the one that called fork. fork-demo's parent runs ${1 + IDLE_THREADS} threads (main and ${IDLE_THREADS} idle ones); its child has 1. Compare /proc/PID/status, line Threads:.\n\nThe missing threads are a real danger. If one of them held a lock at the moment of fork — inside malloc, in a logger — the lock is copied locked, and the thread that would release it does not exist in the child. So after fork a multi-threaded program's child may only make async-signal-safe calls until it execs; fork-demo's child uses write, getpid, getppid and pause, and formats its numbers by hand.\n\nEvery Node process is multi-threaded: the launcher shows its count too.`,
        zh: `fork 复制地址空间（写时复制，copy-on-write；第 5 步会看到它漏掉了什么），却只复制一个线程：调用 fork 的那个。fork-demo 的父进程有 ${1 + IDLE_THREADS} 个线程（主线程加 ${IDLE_THREADS} 个空闲线程）；子进程只有 1 个。对比 /proc/PID/status 里的 Threads: 一行。\n\n少掉的线程是实实在在的危险。如果 fork 的那一刻其中某个线程正持有一把锁——在 malloc 里、在日志库里——这把锁会以「已加锁」的状态被复制过去，而本该释放它的线程在子进程里根本不存在。所以多线程程序 fork 出的子进程，在 exec 之前只能调用异步信号安全（async-signal-safe）的函数；fork-demo 的子进程只用 write、getpid、getppid 和 pause，连数字都是手工格式化的。\n\n每个 Node 进程都是多线程的：launcher 的线程数也列在下面。`,
      },
      looksOnly: true,
      async run(ctx) {
        const counts: Array<[string, number | undefined]> = [['launcher (Node)', threadCount(ctx.pid('launcher'))]];
        if (!ctx.vars.noCompiler) counts.push(['parent', threadCount(ctx.vars.parent)], ['child', threadCount(ctx.vars.child)]);
        ctx.log(counts.map(([name, n]) => `${name}: Threads ${n ?? '?'}`).join(' · '), 'event');
      },
      expect: [
        {
          text: { en: `fork-demo's parent has ${1 + IDLE_THREADS} threads, its child 1`, zh: `fork-demo 的父进程有 ${1 + IDLE_THREADS} 个线程，子进程只有 1 个` },
          check: needsCc((ctx) => {
            const [parent, child] = [threadCount(ctx.vars.parent), threadCount(ctx.vars.child)];
            return { ok: parent === 1 + IDLE_THREADS && child === 1, detail: `parent ${parent}, child ${child}` };
          }),
        },
        {
          text: { en: 'a Node process runs at least 7 threads', zh: '一个 Node 进程至少有 7 个线程' },
          check: (ctx) => {
            const threads = threadCount(ctx.pid('launcher'));
            return { ok: (threads ?? 0) >= 7, detail: `launcher: ${threads}` };
          },
        },
      ],
      quiz: {
        question: { en: 'At the moment of fork another thread held the malloc lock. What happens when the child calls malloc?', zh: 'fork 的那一刻，另一个线程正持有 malloc 的锁。子进程调用 malloc 会怎样？' },
        choices: [
          { en: 'It may wait forever: the lock was copied locked, and its owner does not exist in the child', zh: '可能永远等下去：锁是以加锁状态复制过来的，而持有它的线程在子进程里不存在' },
          { en: 'The kernel releases every lock during fork', zh: '内核在 fork 时会释放所有锁' },
          { en: 'The other thread is copied too and releases it', zh: '另一个线程也被复制过来，由它释放这把锁' },
        ],
        answer: 0,
        explanation: {
          en: 'Only the calling thread exists in the child. That is why POSIX allows only async-signal-safe calls between fork and exec in a multi-threaded program (glibc works hard to keep its own malloc usable, but no library promises that for its locks).',
          zh: '子进程里只有调用 fork 的那个线程。正因如此，POSIX 规定多线程程序在 fork 和 exec 之间只能调用异步信号安全的函数（glibc 会特意保证它自己的 malloc 在 fork 后仍可用，但没有哪个库会为它自己的锁做这种承诺）。',
        },
      },
    },
    {
      id: 'node-fork',
      title: { en: 'Why Node has no fork()', zh: '为什么 Node 没有 fork()' },
      text: {
        en: "Node has no fork() API; child_process.fork() starts a new node program instead. The launcher now calls libc's fork() directly through the FFI (koffi), as a native addon could. In the parent, fork returns the child's pid. The child wakes up with one thread, returns from fork into JavaScript — and is killed by SIGSEGV at once. The launcher itself carries on.",
        zh: 'Node 没有 fork() 这个 API；child_process.fork() 其实是启动一个新的 node 程序。现在 launcher 通过 FFI（koffi）直接调用 libc 的 fork()，就像原生扩展（native addon）也能做的那样。在父进程里，fork 返回子进程的 pid。子进程醒来时只有一个线程，从 fork 返回到 JavaScript——然后立即被 SIGSEGV 杀死。launcher 本身安然无恙。',
      },
      code: {
        node: excerpt('node/fork.mjs', 'fork'),
        go: excerpt('go/fork.go', 'no-fork'),
      },
      async run(ctx) {
        const reply = await ctx.call('launcher', { op: 'ffi-fork' });
        ctx.vars.forked = reply.result;
      },
      expect: [
        {
          text: { en: 'the forked Node child was killed by SIGSEGV (waitpid status)', zh: 'fork 出来的 Node 子进程被 SIGSEGV 杀死（waitpid 状态）' },
          check: (ctx) => ({ ok: ctx.vars.forked?.signal === 'SIGSEGV', detail: `pid ${ctx.vars.forked?.pid}: ${ctx.vars.forked?.signal ?? `exit ${ctx.vars.forked?.exitCode}`}` }),
        },
        {
          text: { en: 'the child is gone, the launcher is alive', zh: '子进程已经消失，launcher 仍然活着' },
          check: (ctx) => ({ ok: ctx.vars.forked?.pid !== undefined && !isAlive(ctx.vars.forked.pid) && isAlive(ctx.pid('launcher')), detail: `child ${ctx.vars.forked?.pid}, launcher ${ctx.pid('launcher')}` }),
        },
      ],
      hint: {
        en: 'The op turns off core dumps for the attempt (PR_SET_DUMPABLE 0), so the crash leaves no core file or crash report behind.',
        zh: '这个操作在尝试期间关闭了 core dump（PR_SET_DUMPABLE 0），所以这次崩溃不会留下 core 文件或崩溃报告。',
      },
    },
    {
      id: 'dont-fork',
      title: { en: 'The evidence: memory marked do-not-copy', zh: '证据：被标记为「不要复制」的内存' },
      text: {
        en: "Why the crash? V8, Node's JavaScript engine, calls madvise(MADV_DONTFORK) on the memory it reserves for its heap. /proc/PID/smaps lists every mapping of a process, and a mapping with that mark shows dc in its VmFlags. fork leaves those mappings out of the child: the child returns into JavaScript whose objects sit at addresses that do not exist in it. Even without the mark, the child would lack the threads V8 and libuv depend on.\n\nfork-demo, plain C, has no such mapping: its child kept all of its memory.",
        zh: '为什么会崩溃？Node 的 JavaScript 引擎 V8 对它为堆预留的内存调用了 madvise(MADV_DONTFORK)。/proc/PID/smaps 列出进程的每一段内存映射，带这个标记的映射在 VmFlags 里显示 dc。fork 不会把这些映射复制给子进程：子进程返回到 JavaScript，而 JavaScript 对象所在的地址在它那里根本不存在。即使没有这个标记，子进程也缺少 V8 和 libuv 赖以运行的那些线程。\n\nfork-demo 是纯 C 程序，没有这样的映射：它的子进程保留了全部内存。',
      },
      code: {
        other: { label: 'shell', code: "grep -c 'VmFlags:.* dc' /proc/$(pgrep -n node)/smaps   # mappings fork will not copy" },
      },
      async run(ctx) {
        ctx.vars.nodeDc = dontForkMappings(ctx.pid('launcher'));
        ctx.vars.cDc = ctx.vars.noCompiler ? undefined : dontForkMappings(ctx.vars.parent);
        const lines = [`launcher (Node): ${dcText(ctx, ctx.vars.nodeDc)}`, ...(ctx.vars.noCompiler ? [] : [`fork-demo: ${dcText(ctx, ctx.vars.cDc)}`])];
        ctx.log(lines.join(' · '), 'event');
      },
      expect: [
        {
          text: { en: 'the Node process has mappings marked dc', zh: 'Node 进程有标记为 dc 的映射' },
          check: (ctx) => ({ ok: (ctx.vars.nodeDc?.count ?? 0) > 0, detail: dcText(ctx, ctx.vars.nodeDc) }),
        },
        {
          text: { en: 'fork-demo has none', zh: 'fork-demo 一个都没有' },
          check: needsCc((ctx) => ({ ok: ctx.vars.cDc?.count === 0, detail: dcText(ctx, ctx.vars.cDc) })),
        },
      ],
      hint: {
        en: 'Watch V8 do it: strace -f -e trace=madvise node -e 0 2>&1 | grep MADV_DONTFORK',
        zh: '亲眼看 V8 这么做：strace -f -e trace=madvise node -e 0 2>&1 | grep MADV_DONTFORK',
      },
    },
    {
      id: 'parent-exits',
      title: { en: 'The parent exits, the socket stays', zh: '父进程退出，socket 留下' },
      text: {
        en: "Now fork-demo's parent is terminated (SIGTERM). The kernel closes its fds — but a close only drops the parent's references. The child's fds 3 and 4 still refer to the same descriptions, so the socket keeps listening on the same port, with the same inode. A client that connects now (the launcher does) lands in its accept queue as if nothing had happened.\n\nThis is the heart of every hot restart: a listening socket belongs to no single process; it lives as long as some fd refers to it. The orphaned child was re-parented: its PPid is no longer the old parent's.",
        zh: '现在终止 fork-demo 的父进程（SIGTERM）。内核关闭它的所有 fd——但 close 只去掉父进程自己的那些引用。子进程的 fd 3 和 fd 4 仍指向同样的描述，所以这个 socket 继续在同一个端口上监听，inode 也不变。此时连上来的客户端（由 launcher 发起）照样进入它的 accept 队列，仿佛什么都没发生。\n\n这正是每一种热重启的核心：监听 socket 不属于任何单个进程；只要还有某个 fd 指向它，它就一直存在。成了孤儿的子进程被重新指定了父进程：它的 PPid 不再是原来那个父进程。',
      },
      async run(ctx) {
        if (ctx.vars.noCompiler) return;
        ctx.vars.listenerInode = ctx.row('child', SOCKET_FD)?.inode;
        process.kill(ctx.vars.parent, 'SIGTERM');
        ctx.log(`kill(${ctx.vars.parent}, SIGTERM) = 0`, 'event');
        await ctx.until(() => !isAlive(ctx.vars.parent), 10_000);
        await ctx.call('launcher', { op: 'connect', port: ctx.vars.port });
      },
      show: { processes: ['child'], only: forkDemoRows, focus: (row) => row.fd === SOCKET_FD },
      expect: [
        {
          text: { en: 'the parent is gone; the child was re-parented', zh: '父进程已经退出；子进程换了父进程' },
          check: needsCc(async (ctx) => {
            // Polled: on a busy machine the parent's exit can take a moment to be visible.
            const reparented = () => !isAlive(ctx.vars.parent) && ![undefined, ctx.vars.parent].includes(parentPid(ctx.vars.child));
            const ok = await ctx.until(reparented, 10_000);
            return { ok, detail: `child ${ctx.vars.child}: PPid ${parentPid(ctx.vars.child)}` };
          }),
        },
        {
          text: { en: "the same socket still listens, held by the child alone, and queues the new client", zh: '同一个 socket 仍在监听，只由子进程持有，新客户端在它的队列里排队' },
          check: needsCc(async (ctx) => {
            const row = await ctx.until(() => {
              const r = ctx.row('child', SOCKET_FD);
              return r?.socket?.acceptQueue === 1 ? r : undefined;
            });
            const listeners = listenersOn(ctx.vars.port).length;
            const ok = row?.socket?.state === 'LISTEN' && row.inode === ctx.vars.listenerInode && listeners === 1;
            return { ok, detail: `inode ${ctx.vars.listenerInode} -> ${row?.inode ?? 'gone'}, QUEUE ${row?.socket?.acceptQueue ?? '?'}, ${listeners} listener(s)` };
          }),
        },
      ],
      hint: {
        en: 'A hot restart plays the same scene with the roles swapped: the new version is the child that keeps the socket, the old one is the parent that leaves.',
        zh: '热重启上演的是同一幕，只是角色互换：新版本是留住 socket 的子进程，旧版本是离开的父进程。',
      },
    },
    {
      id: 'fork-exec',
      title: { en: 'fork + exec: how Node and Go start processes', zh: 'fork + exec：Node 和 Go 启动进程的方式' },
      text: {
        en: "Node's spawn does fork too: libuv calls fork() from C, and the child runs only a few system calls — dup2 to put chosen fds in place, execve — before exec replaces its whole memory with a new program. It never returns into JavaScript, so the missing heap and threads do not matter. Go's exec.Cmd does the same through syscall.ForkExec.\n\nThe launcher spawns sleep: its parent is the launcher, and it is an entirely new program — one thread, no dc mappings, and only the fds 0–2 it was given. This fork + exec, with a listener placed among the fds, is the first half of every hot restart.",
        zh: 'Node 的 spawn 其实也要 fork：libuv 在 C 代码里调用 fork()，子进程只执行少数几个系统调用——用 dup2 把指定的 fd 放到位、execve——然后 exec 用一个新程序替换掉它的全部内存。它从不返回到 JavaScript，所以缺失的堆和线程都无关紧要。Go 的 exec.Cmd 通过 syscall.ForkExec 做的是同一件事。\n\nlauncher 启动 sleep：它的父进程是 launcher，而它完全是一个新程序——一个线程，没有 dc 映射，只有分给它的 fd 0–2。这种 fork + exec，再把监听 socket 放进要传递的 fd 里，就是每一次热重启的前半部分。',
      },
      code: {
        go: joinText(excerpt('go/pass-listeners.go', 'extrafiles'), excerpt('go/pass-listeners.go', 'forkexec')),
        node: excerpt('node/fork.mjs', 'spawn'),
        note: GO_EXEC_KEEPS_NONBLOCK,
      },
      async run(ctx) {
        const reply = await ctx.call('launcher', { op: 'spawn', name: 'sleep', command: ['sleep', '600'] });
        ctx.vars.sleep = reply.result.pid;
        ctx.name(ctx.vars.sleep, 'sleep');
      },
      show: { processes: ['sleep'], only: () => true, caption: { en: 'sleep: only what it was given', zh: 'sleep：只有分给它的 fd' } },
      expect: [
        {
          text: { en: 'sleep was forked by the launcher, then exec replaced the program', zh: 'sleep 由 launcher fork 出来，随后 exec 替换了程序' },
          check: (ctx) => {
            const ppid = parentPid(ctx.vars.sleep);
            let exe = '?';
            try {
              exe = readlinkSync(`/proc/${ctx.vars.sleep}/exe`);
            } catch {
              /* gone */
            }
            return { ok: ppid === ctx.pid('launcher') && /\/sleep$/.test(exe), detail: `PPid ${ppid}, exe ${exe}` };
          },
        },
        {
          text: { en: 'a fresh image: 1 thread, no dc mappings, fds 0–2 only', zh: '全新的进程映像：1 个线程，没有 dc 映射，只有 fd 0–2' },
          check: (ctx) => {
            const threads = threadCount(ctx.vars.sleep);
            const dc = dontForkMappings(ctx.vars.sleep);
            const fds = ctx.snapshot(['sleep']).rows.map((row) => row.fd);
            return { ok: threads === 1 && dc?.count === 0 && fds.join(',') === '0,1,2', detail: `Threads ${threads}, dc ${dc?.count ?? '?'}, fds ${fds.join(',')}` };
          },
        },
      ],
      quiz: {
        question: { en: 'Why can Node spawn a child when fork() from JavaScript crashes?', zh: '既然从 JavaScript 调 fork() 会崩溃，为什么 Node 还能 spawn 子进程？' },
        choices: [
          { en: 'Between fork and exec the child runs only a few C calls that never touch the JS heap; exec then replaces its memory', zh: '在 fork 和 exec 之间，子进程只执行几个从不碰 JS 堆的 C 调用；随后 exec 替换了它的内存' },
          { en: 'spawn asks the kernel to copy the V8 heap as well', zh: 'spawn 会让内核把 V8 堆也复制过去' },
          { en: 'spawn runs the child inside a libuv thread', zh: 'spawn 在一个 libuv 线程里运行子进程' },
        ],
        answer: 0,
        explanation: {
          en: 'The do-not-copy heap and the missing threads only hurt a child that goes on running the parent\'s code. A child that execs at once needs neither — and keeps every fd that is not close-on-exec, which is what a hot restart hands over.',
          zh: '不被复制的堆和缺失的线程，只会伤到那些继续运行父进程代码的子进程。立刻 exec 的子进程两者都不需要——而且它会保留所有没有设置 close-on-exec 的 fd，热重启要交接的正是这些。',
        },
      },
      hint: {
        en: 'strace -f -e trace=clone,execve node -e "require(\'child_process\').spawn(\'true\')" shows the clone (glibc\'s fork) and the execve.',
        zh: 'strace -f -e trace=clone,execve node -e "require(\'child_process\').spawn(\'true\')" 可以看到 clone（glibc 的 fork）和 execve。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

// Lesson 4: which fds a child gets, and how it learns what they are. execve(2) keeps every fd without
// FD_CLOEXEC, at its number; listed fds land at 3, 4, ...; Node re-marks what it inherited; the
// environment (HOT_RESTART, LISTEN_FDS, LISTEN_PID) tells the child, and LISTEN_PID keeps the
// message from counting for the child's own children, which inherit the environment too.
import type { FdRow } from '../src/fdtable/model.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { isNodePlumbing } from '../src/lesson/observe.js';
import { commOf, environOf, openFds, parentOf, rowsOf, rowsTogether, sharing } from '../src/lesson/procview.js';
import { LessonActionError, type Lesson } from '../src/lesson/types.js';
import { excerpt, GO_EXEC_KEEPS_NONBLOCK, joinText } from '../src/lesson/excerpt.js';

/** The programs the code excerpts come from (lessons/assets/code). */
const GO = 'go/cloexec.go';
const NODE = 'node/cloexec.mjs';

/** The variables a successor reads at start-up. */
const MARKERS = ['HOT_RESTART', 'LISTEN_FDS', 'LISTEN_PID'];
/** What a socket-activated server is started through when its parent cannot run code between fork
 *  and exec: $$ is the shell's pid, which exec keeps. The background sleep plays a child the server
 *  starts with its environment forwarded. */
const WRAPPER = 'export LISTEN_PID=$$; sleep 600 & exec sleep 600';

const is = (row: FdRow, name: string, ...fds: number[]) => row.command === name && fds.includes(row.fd);
const markerText = (env: Map<string, string>) => MARKERS.map((name) => `${name}=${env.get(name) ?? '(unset)'}`).join(' ');
/** What the process itself read with getenv (the env op) is what /proc/PID/environ holds, marker by marker. */
const readAsEnviron = (read: Record<string, string | null> | undefined, env: Map<string, string>) =>
  read !== undefined && MARKERS.every((name) => (read[name] ?? undefined) === env.get(name));
const cloexecText = (rows: Array<FdRow | undefined>) => rows.map((row) => (row ? `fd ${row.fd} ${row.cloexec ? 'cloexec' : '-'}` : 'not open')).join(', ');

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars {
  /** parent's listener L on port, its dup D, and the admin listener A. */
  L: number;
  D: number;
  A: number;
  port: number;
  heirEnv: Record<string, string | null>;
  helperEnv: Record<string, string | null>;
}

export const lesson: Lesson<Vars> = {
  id: 'inheritance-cloexec',
  number: 4,
  chapter: { en: 'Chapter 1 · Foundations and pitfalls', zh: '第一章 · 基础与陷阱' },
  title: { en: 'Inheritance and close-on-exec', zh: '继承与 close-on-exec' },
  summary: {
    en: 'A child gets every fd of its parent that is not marked close-on-exec, at the same number, whether anyone meant it or not; the fds you list land at 3, 4, … in order. Then the child has to be told what it got: an environment marker such as HOT_RESTART=1, or systemd\'s LISTEN_FDS with LISTEN_PID — which must name the child itself, because the environment reaches every descendant.',
    zh: '子进程会得到父进程所有没有标记 close-on-exec 的 fd，编号不变，不管是不是有意的；你明确列出的 fd 按顺序落在 3、4、……上。然后还得告诉子进程它拿到了什么：用 HOT_RESTART=1 这样的环境变量标记，或者 systemd 的 LISTEN_FDS 加 LISTEN_PID——后者必须写子进程自己的 pid，因为环境变量会传给所有后代进程。',
  },
  recap: [
    { en: 'execve keeps every fd without close-on-exec, at the same number, whether anyone meant it or not.', zh: 'execve 会保留每一个没有 close-on-exec 的 fd，编号不变，不管是不是有意为之。' },
    { en: "The fds you list land at 3, 4, … in order: Node's stdio[3], Go's ExtraFiles[0].", zh: '你列出的 fd 按顺序落在 3、4、……：Node 的 stdio[3]，Go 的 ExtraFiles[0]。' },
    { en: 'Tell the child what it got: HOT_RESTART=1, or LISTEN_FDS with LISTEN_PID naming the child itself.', zh: '要告诉子进程它拿到了什么：HOT_RESTART=1，或者 LISTEN_FDS 加上指名子进程自己的 LISTEN_PID。' },
    { en: 'The environment reaches every descendant, fds only where they are inherited: LISTEN_PID keeps a grandchild from taking fds that are not its own.', zh: '环境变量会传给所有后代，fd 却只传给继承它的进程：LISTEN_PID 防止孙进程误拿不属于它的 fd。' },
  ],
  steps: [
    {
      id: 'two-fds',
      title: { en: 'One socket, two fds, two flags', zh: '一个 socket，两个 fd，两个标志' },
      text: {
        en: "parent listens (fd L; libuv makes the socket with SOCK_CLOEXEC) and dups it (fd D, as C code or an FFI call would; dup(2) never sets FD_CLOEXEC). One socket, one description, two fds — with different FD FLAGS.\n\nFD_CLOEXEC is the one flag that belongs to an fd rather than to its description, and it decides one thing: whether the fd survives execve(2).",
        zh: 'parent 开始监听（fd L；libuv 创建 socket 时带 SOCK_CLOEXEC），然后 dup 一份（fd D，就像 C 代码或 FFI 调用那样；dup(2) 从不设置 FD_CLOEXEC）。一个 socket，一个打开文件描述，两个 fd——FD FLAGS 却不同。\n\nFD_CLOEXEC 是唯一属于 fd 本身、而不属于打开文件描述的标志，它只决定一件事：这个 fd 能否活过 execve(2)。',
      },
      code: {
        go: excerpt(GO, 'two-fds'),
        node: excerpt(NODE, 'two-fds'),
      },
      async run(ctx) {
        await ctx.start('parent');
        const reply = await ctx.call('parent', { op: 'listen-node' });
        ctx.vars.L = reply.result.fd;
        ctx.vars.port = reply.result.port;
        ctx.vars.D = (await ctx.call('parent', { op: 'dup', fd: ctx.vars.L })).result.fd;
      },
      show: { processes: ['parent'], focus: (row, ctx) => is(row, 'parent', ctx.vars.L, ctx.vars.D) },
      expect: [
        {
          text: { en: 'L and D share one description', zh: 'L 和 D 共享同一个打开文件描述' },
          check: (ctx) => {
            const { count, detail } = sharing(ctx, [['parent', ctx.vars.L], ['parent', ctx.vars.D]]);
            return { ok: count === 1, detail };
          },
        },
        {
          text: { en: 'L is close-on-exec, D is not', zh: 'L 带 close-on-exec，D 没有' },
          check: (ctx) => {
            const [l, d] = rowsTogether(ctx, [['parent', ctx.vars.L], ['parent', ctx.vars.D]]);
            return { ok: l?.cloexec === true && d?.cloexec === false, detail: cloexecText([l, d]) };
          },
        },
      ],
    },
    {
      id: 'exec-keeps',
      title: { en: 'execve keeps what is not close-on-exec', zh: 'execve 会保留没有 close-on-exec 的 fd' },
      text: {
        en: "parent starts sleep 600 and lists no fds for it: stdio goes to /dev/null, nothing else is asked for. Yet sleep holds the listening socket — at fd D, the dup's own number — and not at L.\n\nexecve(2) closes every fd marked close-on-exec and keeps every other one, at the same number. Node's spawn does not close the rest for you: it relies on everything being opened close-on-exec, so one careless dup leaks into every program you start.",
        zh: 'parent 启动 sleep 600，没有给它列出任何 fd：stdio 指向 /dev/null，别的什么都没要。可 sleep 还是持有了这个监听 socket——在 fd D 上，也就是 dup 出来的那个编号——而 L 没有跟过去。\n\nexecve(2) 会关闭所有标记了 close-on-exec 的 fd，其余的全部保留，编号不变。Node 的 spawn 不会替你关掉其余的 fd：它依赖所有 fd 在打开时就带 close-on-exec，所以一次粗心的 dup 会泄漏到你启动的每一个程序里。',
      },
      code: {
        go: excerpt(GO, 'exec-keeps'),
        node: excerpt(NODE, 'exec-keeps'),
      },
      async run(ctx) {
        const reply = await ctx.call('parent', { op: 'spawn', name: 'sleeper', command: ['sleep', '600'] });
        ctx.name(reply.result.pid as number, 'sleeper');
      },
      show: { processes: ['parent', 'sleeper'], focus: (row, ctx) => is(row, 'sleeper', ctx.vars.D) },
      expect: [
        {
          text: { en: "sleep's fd D is the parent's listener: same number, same description", zh: 'sleep 的 fd D 就是 parent 的监听 socket：编号相同，打开文件描述相同' },
          check: (ctx) => {
            const { count, detail, rows } = sharing(ctx, [['parent', ctx.vars.L], ['sleeper', ctx.vars.D]]);
            return { ok: count === 1 && rows[1]?.socket?.state === 'LISTEN', detail };
          },
        },
        {
          text: { en: 'beyond stdio, sleep has fd D and nothing else: L did not follow', zh: '除了 stdio，sleep 只有 fd D：L 没有跟过去' },
          check: (ctx) => {
            const extra = openFds(ctx, 'sleeper').filter((fd) => fd > 2);
            return { ok: extra.length === 1 && extra[0] === ctx.vars.D, detail: `sleep fds > 2: ${extra.join(', ') || 'none'}` };
          },
        },
      ],
      quiz: {
        question: { en: 'Which change in parent would have kept the listener out of sleep?', zh: 'parent 做哪一处改动，就能让监听 socket 不进入 sleep？' },
        choices: [
          { en: 'fcntl(D, F_SETFD, FD_CLOEXEC), or close(D), before the spawn', zh: '在 spawn 之前 fcntl(D, F_SETFD, FD_CLOEXEC)，或者 close(D)' },
          { en: "stdio: 'ignore' for sleep's fd 3", zh: '把 sleep 的 fd 3 设为 stdio: \'ignore\'' },
          { en: 'Setting O_NONBLOCK on D', zh: '给 D 设置 O_NONBLOCK' },
        ],
        answer: 0,
        explanation: {
          en: "Only the fd flag decides. 'ignore' is about fd 3, but the leak came at fd D's own number; O_NONBLOCK is a description flag and has nothing to do with exec.",
          zh: '只有 fd 标志说了算。\'ignore\' 管的是 fd 3，而泄漏发生在 D 自己的编号上；O_NONBLOCK 是打开文件描述的标志，和 exec 无关。',
        },
      },
    },
    {
      id: 'listed',
      title: { en: 'Listed fds land at 3, 4, … in order', zh: '列出的 fd 按顺序落在 3、4、……' },
      text: {
        en: "First parent plugs the leak: fcntl(D, F_SETFD, FD_CLOEXEC) — the flag can be set at any time. Then it opens a second listener (A, an admin port) and starts heir with the main listener and the admin listener, in that order.\n\nNode's stdio array is indexed by the child's fd number: stdio[3] becomes fd 3, stdio[4] fd 4. Go's cmd.ExtraFiles[i] becomes fd 3+i (lesson 6 runs a real Go program and shows its child's fd 3). Between fork and exec libuv dup2s each listed fd into place; dup2 clears FD_CLOEXEC on the copy, so it survives the exec. (The environment heir gets is step 5's subject.)",
        zh: '首先 parent 堵上泄漏：fcntl(D, F_SETFD, FD_CLOEXEC)——这个标志随时都可以设置。然后它再开一个监听 socket（A，管理端口），启动 heir，依次交给它主监听 socket 和管理监听 socket。\n\nNode 的 stdio 数组以子进程的 fd 编号为下标：stdio[3] 成为 fd 3，stdio[4] 成为 fd 4。Go 的 cmd.ExtraFiles[i] 成为 fd 3+i（第 6 课运行一个真正的 Go 程序，能看到它子进程的 fd 3）。在 fork 和 exec 之间，libuv 把每个列出的 fd dup2 到对应位置；dup2 会清掉副本上的 FD_CLOEXEC，所以它能活过 exec。（heir 拿到的环境变量留到第 5 步再讲。）',
      },
      code: {
        go: joinText(excerpt('go/pass-listeners.go', 'extrafiles'), excerpt('go/pass-listeners.go', 'restore')),
        node: excerpt(NODE, 'listed'),
        note: GO_EXEC_KEEPS_NONBLOCK,
      },
      async run(ctx) {
        await ctx.call('parent', { op: 'fcntl', fd: ctx.vars.D, cloexec: true });
        ctx.vars.A = (await ctx.call('parent', { op: 'listen-node' })).result.fd;
        await ctx.call('parent', { op: 'spawn', name: 'heir', fds: { 3: ctx.vars.L, 4: ctx.vars.A }, env: { HOT_RESTART: '1', LISTEN_FDS: '2' } });
        await ctx.waitFor('heir');
      },
      show: {
        processes: ['parent', 'heir'],
        focus: (row, ctx) => is(row, 'parent', ctx.vars.L, ctx.vars.A, ctx.vars.D) || is(row, 'heir', 3, 4),
      },
      expect: [
        {
          text: { en: 'D is close-on-exec now', zh: '现在 D 带 close-on-exec 了' },
          check: (ctx) => {
            const row = ctx.row('parent', ctx.vars.D);
            return { ok: row?.cloexec === true, detail: cloexecText([row]) };
          },
        },
        {
          text: { en: "heir's fd 3 is parent's L, its fd 4 is parent's A: the order of the list", zh: 'heir 的 fd 3 是 parent 的 L，fd 4 是 parent 的 A：与列出的顺序一致' },
          check: (ctx) => {
            const main = sharing(ctx, [['parent', ctx.vars.L], ['heir', 3]]);
            const admin = sharing(ctx, [['parent', ctx.vars.A], ['heir', 4]]);
            const apart = sharing(ctx, [['heir', 3], ['heir', 4]]);
            return { ok: main.count === 1 && admin.count === 1 && apart.count === 2, detail: `${main.detail}; ${admin.detail}` };
          },
        },
        {
          text: { en: 'heir holds no other TCP socket', zh: 'heir 没有别的 TCP socket' },
          check: (ctx) => {
            const tcp = rowsOf(ctx, 'heir').filter((row) => row.type === 'TCP' || row.type === 'TCP6').map((row) => row.fd);
            return { ok: tcp.join() === '3,4', detail: `TCP fds: ${tcp.join(', ') || 'none'}` };
          },
        },
      ],
    },
    {
      id: 'node-remarks',
      title: { en: 'Node marks what it inherited close-on-exec', zh: 'Node 会把继承来的 fd 标记为 close-on-exec' },
      text: {
        en: "Look at heir's fds 3 and 4: cloexec. dup2 cleared the flag before the exec, and heir set it again itself: Node, as it starts, marks the fds it inherited close-on-exec (libuv's uv_disable_stdio_inheritance). So a Node process never passes on what it inherited unless it lists it again.\n\nheir starts sleep with nothing listed: the grandchild gets neither fd 3 nor fd 4. A Go heir would differ: its runtime leaves fd 3 as it found it, inheritable, until the program closes it.",
        zh: '看 heir 的 fd 3 和 fd 4：cloexec。dup2 在 exec 之前清掉了这个标志，是 heir 自己又把它设上的：Node 启动时会把继承来的 fd 标记为 close-on-exec（libuv 的 uv_disable_stdio_inheritance）。所以 Node 进程除非再次列出，否则从不把继承来的 fd 传下去。\n\nheir 启动 sleep，什么都没列：孙进程既拿不到 fd 3，也拿不到 fd 4。换成 Go 写的 heir 就不一样了：它的运行时不会动 fd 3，它保持可继承，直到程序自己关掉它。',
      },
      code: {
        go: excerpt(GO, 'remark'),
        node: excerpt(NODE, 'remark'),
      },
      async run(ctx) {
        const reply = await ctx.call('heir', { op: 'spawn', name: 'grandchild', command: ['sleep', '600'] });
        ctx.name(reply.result.pid as number, 'grandchild');
      },
      show: {
        processes: ['heir', 'grandchild'],
        focus: (row) => is(row, 'heir', 3, 4),
        caption: { en: 'grandchild (sleep) shows no row: it has nothing beyond stdio.', zh: 'grandchild（sleep）一行都没有：除了 stdio 它什么也没有。' },
      },
      expect: [
        {
          text: { en: "heir's fds 3 and 4 are close-on-exec: Node set the flag at start-up", zh: 'heir 的 fd 3 和 fd 4 带 close-on-exec：Node 启动时设置的' },
          check: (ctx) => {
            const rows = rowsTogether(ctx, [['heir', 3], ['heir', 4]]);
            return { ok: rows.every((row) => row?.cloexec === true), detail: cloexecText(rows) };
          },
        },
        {
          text: { en: 'the grandchild got neither fd 3 nor fd 4', zh: '孙进程既没拿到 fd 3，也没拿到 fd 4' },
          check: (ctx) => {
            const extra = openFds(ctx, 'grandchild').filter((fd) => fd > 2);
            return { ok: extra.length === 0, detail: `sleep fds > 2: ${extra.join(', ') || 'none'}` };
          },
        },
      ],
      quiz: {
        question: { en: 'heir wants its own successor to get the listener. What must it do?', zh: 'heir 想让它自己的后继进程也拿到监听 socket，该怎么做？' },
        choices: [
          { en: 'List fd 3 again for that child (stdio[3] = 3, or ExtraFiles in Go)', zh: '为那个子进程再次列出 fd 3（stdio[3] = 3，Go 里用 ExtraFiles）' },
          { en: 'Nothing: an inherited fd is inherited again automatically', zh: '什么都不用做：继承来的 fd 会自动再被继承' },
          { en: 'Clear O_NONBLOCK on fd 3 first', zh: '先清掉 fd 3 上的 O_NONBLOCK' },
        ],
        answer: 0,
        explanation: {
          en: 'heir\'s fd 3 is close-on-exec now, so only an explicit entry brings it through: libuv dup2s it into place, which clears the flag on the child\'s copy.',
          zh: 'heir 的 fd 3 现在带 close-on-exec，只有明确列出才能带过去：libuv 会把它 dup2 到位，而 dup2 会清掉子进程那份副本上的标志。',
        },
      },
      hint: {
        en: 'strace -e trace=fcntl node -e 0 3</dev/null shows the start-up loop: fcntl(fd, F_SETFD, FD_CLOEXEC) for fd 0, 1, 2, 3, … — it always covers 0 to 15 and above that stops at the first number that is not open.',
        zh: 'strace -e trace=fcntl node -e 0 3</dev/null 可以看到启动时的这个循环：对 fd 0、1、2、3……依次 fcntl(fd, F_SETFD, FD_CLOEXEC)——0 到 15 总会覆盖，15 以上遇到第一个没打开的编号就停。',
      },
    },
    {
      id: 'markers',
      title: { en: 'Telling the child: HOT_RESTART, LISTEN_FDS', zh: '告诉子进程：HOT_RESTART、LISTEN_FDS' },
      text: {
        en: "An fd does not say who meant it for you: fd 3 could be a listener your parent left you, or something you opened yourself. So the parent says it in the environment. Ad-hoc markers like HOT_RESTART=1 work (endless uses ENDLESS_CONTINUE, grace uses LISTEN_FDS); systemd's convention is LISTEN_FDS=n — fds 3 to 3+n-1 are listening sockets for you — plus LISTEN_PID, the pid they are for.\n\nheir reads its environment: HOT_RESTART=1, LISTEN_FDS=2, and fds 3 and 4 are indeed its two listeners. LISTEN_PID is unset: parent could not know heir's pid before the fork, and Node's spawn, like Go's os/exec, runs none of your code between fork and exec. systemd sets it in the forked child; step 7 shows the usual way around.",
        zh: 'fd 本身不会告诉你它是不是给你的：fd 3 可能是父进程留给你的监听 socket，也可能是你自己打开的东西。所以父进程要通过环境变量说明。临时约定的标记如 HOT_RESTART=1 就可以（endless 用 ENDLESS_CONTINUE，grace 用 LISTEN_FDS）；systemd 的约定是 LISTEN_FDS=n——fd 3 到 3+n-1 是给你的监听 socket——再加上 LISTEN_PID，写明这些 fd 是给哪个 pid 的。\n\nheir 读取自己的环境变量：HOT_RESTART=1，LISTEN_FDS=2，而 fd 3 和 fd 4 也确实是它的两个监听 socket。LISTEN_PID 没有设置：fork 之前 parent 不可能知道 heir 的 pid，而 Node 的 spawn 和 Go 的 os/exec 一样，在 fork 和 exec 之间不会运行你的任何代码。systemd 是在 fork 出来的子进程里设置它的；第 7 步展示常见的变通办法。',
      },
      code: {
        go: excerpt(GO, 'markers'),
        node: excerpt(NODE, 'markers'),
      },
      async run(ctx) {
        ctx.vars.heirEnv = (await ctx.call('heir', { op: 'env', names: MARKERS })).result.vars;
      },
      show: { processes: ['heir'], focus: (row) => is(row, 'heir', 3, 4) },
      expect: [
        {
          text: { en: "heir reads HOT_RESTART=1 and LISTEN_FDS=2, LISTEN_PID unset (getenv, as /proc/PID/environ says)", zh: 'heir 读到 HOT_RESTART=1 和 LISTEN_FDS=2，没有 LISTEN_PID（getenv，与 /proc/PID/environ 一致）' },
          check: (ctx) => {
            const env = environOf(ctx.pid('heir'));
            return { ok: env.get('HOT_RESTART') === '1' && env.get('LISTEN_FDS') === '2' && !env.has('LISTEN_PID') && readAsEnviron(ctx.vars.heirEnv, env), detail: markerText(env) };
          },
        },
        {
          text: { en: 'fds 3 to 3+LISTEN_FDS-1 are listening sockets', zh: 'fd 3 到 3+LISTEN_FDS-1 都是监听 socket' },
          check: (ctx) => {
            const count = Number(environOf(ctx.pid('heir')).get('LISTEN_FDS'));
            const fds = Array.from({ length: count || 0 }, (_, i) => 3 + i);
            const rows = rowsTogether(ctx, fds.map((fd) => ['heir', fd]));
            return { ok: count > 0 && rows.every((row) => row?.socket?.state === 'LISTEN'), detail: rows.map((row, i) => `fd ${fds[i]} ${row?.name ?? 'not open'}`).join('; ') };
          },
        },
      ],
    },
    {
      id: 'forwarded',
      title: { en: 'The environment travels further than the fds', zh: '环境变量比 fd 传得更远' },
      text: {
        en: "The environment is inherited by default: every spawn without an explicit env, every exec.Command without cmd.Env, passes it on whole. heir starts a helper (a log shipper, say) that way, listing no fds.\n\nhelper reads HOT_RESTART=1 and LISTEN_FDS=2 — but nobody gave it any fds. Its fds 3 and 4 are Node's own (the table shows what they are): a helper that trusted the markers would try to serve on its own event-loop internals.",
        zh: '环境变量默认就会被继承：每次不指定 env 的 spawn、每个不设置 cmd.Env 的 exec.Command，都会把它原样传下去。heir 就这样启动了一个 helper（比如日志转发进程），没有列出任何 fd。\n\nhelper 读到 HOT_RESTART=1 和 LISTEN_FDS=2——可根本没人给它 fd。它的 fd 3 和 fd 4 是 Node 自己的（表里能看到是什么）：如果 helper 相信这些标记，就会试图在自己事件循环的内部 fd 上提供服务。',
      },
      async run(ctx) {
        await ctx.call('heir', { op: 'spawn', name: 'helper' });
        await ctx.waitFor('helper');
        ctx.vars.helperEnv = (await ctx.call('helper', { op: 'env', names: MARKERS })).result.vars;
      },
      show: {
        processes: ['heir', 'helper'],
        // helper's fds 3 and 4 are Node's plumbing, hidden by default: they are the point here.
        only: (row, ctx) => is(row, 'helper', 3, 4) || (row.command === 'heir' && !isNodePlumbing(row, ctx)),
        focus: (row) => is(row, 'helper', 3, 4),
      },
      expect: [
        {
          text: { en: 'helper inherited HOT_RESTART=1 and LISTEN_FDS=2, and reads them', zh: 'helper 继承了 HOT_RESTART=1 和 LISTEN_FDS=2，也读到了它们' },
          check: (ctx) => {
            const env = environOf(ctx.pid('helper'));
            return { ok: env.get('HOT_RESTART') === '1' && env.get('LISTEN_FDS') === '2' && readAsEnviron(ctx.vars.helperEnv, env), detail: markerText(env) };
          },
        },
        {
          text: { en: "helper's fds 3 and 4 are not listening sockets", zh: 'helper 的 fd 3 和 fd 4 不是监听 socket' },
          check: (ctx) => {
            const rows = rowsTogether(ctx, [['helper', 3], ['helper', 4]]);
            return { ok: rows.every((row) => row !== undefined && row.socket?.state !== 'LISTEN'), detail: rows.map((row, i) => `fd ${3 + i} ${row ? `${row.type} ${row.name}` : 'not open'}`).join('; ') };
          },
        },
      ],
    },
    {
      id: 'listen-pid',
      title: { en: 'LISTEN_PID: the fds are for this pid only', zh: 'LISTEN_PID：这些 fd 只属于这个 pid' },
      text: {
        en: "The usual way to set LISTEN_PID without code between fork and exec is a tiny shell there: sh -c 'export LISTEN_PID=$$; exec \"$0\" \"$@\"' server. $$ is the shell's pid, and exec keeps the pid, so the server finds LISTEN_PID equal to its own.\n\nparent starts such a wrapper around sleep, with L at fd 3 and LISTEN_FDS=1. Before its exec, the wrapper also starts a sidecar in the background — a child that inherits the environment, as helper did. The sidecar even holds fd 3 (sh does not mark inherited fds close-on-exec), yet its LISTEN_PID names another process: a reader that compares LISTEN_PID with getpid() leaves the socket alone. That is why LISTEN_PID must be the child's own pid: the environment reaches every descendant, the pid check makes the message count for one process only.",
        zh: '在 fork 和 exec 之间没法运行代码时，设置 LISTEN_PID 的常见办法是在那里垫一个小 shell：sh -c \'export LISTEN_PID=$$; exec "$0" "$@"\' server。$$ 是 shell 的 pid，exec 不改变 pid，所以 server 看到的 LISTEN_PID 正好等于它自己的 pid。\n\nparent 用这样的包装启动 sleep，把 L 放在 fd 3，并设置 LISTEN_FDS=1。包装脚本在 exec 之前还在后台启动了一个 sidecar——一个继承了环境变量的子进程，就像 helper 那样。sidecar 甚至也持有 fd 3（sh 不会把继承来的 fd 标记为 close-on-exec），但它的 LISTEN_PID 指的是另一个进程：把 LISTEN_PID 和 getpid() 作比较的程序就不会去碰这个 socket。这就是 LISTEN_PID 必须是子进程自己 pid 的原因：环境变量会传给所有后代，pid 检查让这条消息只对一个进程有效。',
      },
      code: {
        go: joinText(excerpt(GO, 'listen-pid'), excerpt(GO, 'activated')),
        node: joinText(excerpt(NODE, 'listen-pid'), { en: '// in the child:', zh: '// 子进程里：' }, excerpt(NODE, 'activated')),
      },
      async run(ctx) {
        const reply = await ctx.call('parent', { op: 'spawn', name: 'activated', command: ['sh', '-c', WRAPPER], fds: { 3: ctx.vars.L }, env: { LISTEN_FDS: '1' } });
        const activated = reply.result.pid as number;
        ctx.name(activated, 'activated');
        // The shell forks the sidecar and then execs: wait for both before looking.
        const sidecar = await ctx.until(() => {
          if (commOf(activated) !== 'sleep') return undefined;
          return ctx.supervisor.pids().find((pid) => parentOf(pid) === activated && commOf(pid) === 'sleep');
        }, 5000);
        if (!sidecar) throw new LessonActionError({ en: 'the wrapper did not exec sleep and start its sidecar within 5 s', zh: '包装脚本在 5 秒内没有 exec sleep 并启动它的 sidecar' });
        ctx.name(sidecar, 'sidecar');
      },
      show: {
        processes: ['parent', 'activated', 'sidecar'],
        focus: (row, ctx) => is(row, 'parent', ctx.vars.L) || is(row, 'activated', 3) || is(row, 'sidecar', 3),
      },
      expect: [
        {
          text: { en: 'activated is sleep, exec\'d by the wrapper, and its LISTEN_PID is its own pid', zh: 'activated 是由包装脚本 exec 出来的 sleep，它的 LISTEN_PID 就是它自己的 pid' },
          check: (ctx) => {
            const pid = ctx.pid('activated');
            const env = environOf(pid);
            return { ok: commOf(pid) === 'sleep' && env.get('LISTEN_PID') === String(pid) && env.get('LISTEN_FDS') === '1', detail: `pid ${pid}: ${markerText(env)}` };
          },
        },
        {
          text: { en: "activated's fd 3 is parent's listener", zh: 'activated 的 fd 3 就是 parent 的监听 socket' },
          check: (ctx) => {
            const { count, detail } = sharing(ctx, [['parent', ctx.vars.L], ['activated', 3]]);
            return { ok: count === 1, detail };
          },
        },
        {
          text: { en: 'sidecar inherited the same LISTEN_FDS and LISTEN_PID — a pid that is not its own', zh: 'sidecar 继承了同样的 LISTEN_FDS 和 LISTEN_PID——那不是它自己的 pid' },
          check: (ctx) => {
            const pid = ctx.pid('sidecar');
            const env = environOf(pid);
            return { ok: env.get('LISTEN_FDS') === '1' && env.get('LISTEN_PID') === String(ctx.pid('activated')) && env.get('LISTEN_PID') !== String(pid), detail: `pid ${pid}: ${markerText(env)}` };
          },
        },
        {
          text: { en: 'sidecar holds the listener at fd 3 too: only LISTEN_PID tells it the socket is not its own', zh: 'sidecar 的 fd 3 上也是这个监听 socket：只有 LISTEN_PID 能告诉它这不是给它的' },
          check: (ctx) => {
            const { count, detail } = sharing(ctx, [['parent', ctx.vars.L], ['sidecar', 3]]);
            return { ok: count === 1, detail };
          },
        },
      ],
      quiz: {
        question: { en: 'Why must LISTEN_PID name the child itself, not the parent that set it?', zh: '为什么 LISTEN_PID 必须写子进程自己的 pid，而不是设置它的父进程的 pid？' },
        choices: [
          { en: "So that the child's own children, which inherit the same environment, can tell the fds are not theirs", zh: '这样子进程自己的子进程虽然继承了同样的环境变量，也能判断出这些 fd 不是给它们的' },
          { en: 'Because the kernel passes fds only to the pid named in LISTEN_PID', zh: '因为内核只把 fd 传给 LISTEN_PID 指定的那个 pid' },
          { en: 'So that the parent can signal the child later', zh: '这样父进程之后可以给子进程发信号' },
        ],
        answer: 0,
        explanation: {
          en: 'The kernel knows nothing of LISTEN_*: sidecar holds fd 3 all the same. The variables are a message, and the environment delivers it to every descendant; naming one pid makes it addressed.',
          zh: '内核对 LISTEN_* 一无所知：sidecar 照样持有 fd 3。这些变量只是一条消息，而环境变量会把它送到每一个后代进程；写上一个 pid，消息才有了明确的收件人。',
        },
      },
      hint: {
        en: "go-systemd's activation.Files(true) also unsets LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES once read, so they do not reach the process's children at all.",
        zh: 'go-systemd 的 activation.Files(true) 在读取之后还会 unset LISTEN_PID、LISTEN_FDS 和 LISTEN_FDNAMES，这样它们根本不会传到子进程。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

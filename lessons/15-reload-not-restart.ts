// Lesson 15: reload is not restart. nginx's HUP (new workers with the new config, the old ones drain; the
// same master, the same listening socket), the articles' config reload on SIGUSR1 in a real Go program,
// and the same in Node on SIGHUP — because Node's SIGUSR1 opens its inspector, shown live. In each case the
// new configuration takes effect while no listener changes: same pid, same inode.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../src/demo/marker.js';
import type { FdRow } from '../src/fdtable/model.js';
import { CODE_DIR, excerpt } from '../src/lesson/excerpt.js';
import { buildGo, NO_GO } from '../src/lesson/gobuild.js';
import { listenersOn } from '../src/lesson/kit.js';
import { formatLoadStats, type LoadStats } from '../src/lesson/load.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { findNginx, Nginx, programLine, type NginxAnswer } from '../src/lesson/nginx.js';
import { answeredBy, answersFrom, underLoad } from '../src/lesson/nginx-load.js';
import { nginxOf, sharedListener, withNginx } from '../src/lesson/nginx-view.js';
import { fetchText, readText, showReload, type Reload } from '../src/lesson/reload-programs.js';
import { LessonActionError, type CheckResult, type Lesson, type LessonContext } from '../src/lesson/types.js';

const isTcp = (row: FdRow) => row.type === 'TCP';
const isListener = (row: FdRow) => row.socket?.state === 'LISTEN';

interface Vars {
  nginx: Nginx;
  master: number;
  oldWorkers: number[];
  newWorkers: number[];
  inode: number | null;
  hup: LoadStats;
  afterHup: NginxAnswer;
  /** error.log lines after nginx's own USR1. */
  reopened: string[];
  /** The Go server's reload on SIGUSR1 ('no-go' without a Go toolchain), and the Node server's on SIGHUP. */
  go: Reload | 'no-go';
  node: Reload;
  /** After SIGUSR1: the inspector's line on stderr, and what the server answered (its file changed again). */
  inspectorLine: string;
  inspectorPort: number;
  afterUsr1: string;
}

type Ctx = LessonContext<Vars>;

/** A check about a reload (the Go server's or the Node server's): skipped without go, failed before it ran. */
function withReload(which: 'go' | 'node', check: (ctx: Ctx, reload: Reload) => CheckResult): (ctx: Ctx) => CheckResult {
  return (ctx) => {
    const reload = ctx.vars[which];
    if (reload === 'no-go') return { ok: false, skipped: true, detail: ctx.t({ en: 'go is not installed', zh: '没有安装 go' }) };
    return reload ? check(ctx, reload) : { ok: false, detail: ctx.t({ en: 'the server was not started', zh: '服务没有启动' }) };
  };
}

/** The answer did not change with the file alone, and did after the signal. */
function answerChanged(ctx: Ctx, reload: Reload, label: string): CheckResult {
  return { ok: reload.before === `${label} v1` && reload.after === `${label} v2`, detail: `${ctx.t({ en: 'before the signal', zh: '信号之前' })} "${reload.before}", ${ctx.t({ en: 'after', zh: '之后' })} "${reload.after}"` };
}

/** Same pid, alive, and the same listening socket (inode) at fd 3 as when it started. */
function sameProcessAndSocket(ctx: Ctx, { started }: Reload): CheckResult {
  const sockets = listenersOn(started.port);
  const row = ctx.snapshot([started.name]).rows.find((r) => r.fd === 3);
  const ok = isAlive(started.pid) && sockets.length === 1 && sockets[0].inode === started.inode && row?.inode === started.inode;
  return { ok, detail: `${started.name} pid ${started.pid} ${isAlive(started.pid) ? ctx.t({ en: 'running', zh: '运行中' }) : ctx.t({ en: 'gone', zh: '已退出' })}; fd 3 inode ${row?.inode ?? '-'} (${ctx.t({ en: 'at start', zh: '启动时' })} ${started.inode})` };
}

const NODE_SERVER = fileURLToPath(new URL('node/reload.mjs', CODE_DIR));

export const lesson: Lesson<Vars> = {
  id: 'reload-not-restart',
  number: 15,
  chapter: { en: 'Chapter 3 · Operations', zh: '第三章 · 运维' },
  title: { en: 'Reload is not restart', zh: '重新加载不是重启' },
  summary: {
    en: 'A new configuration needs no new process, let alone a new listening socket. nginx reloads on HUP with new workers under the same master; the articles\' Go server re-reads its file on SIGUSR1; a Node server does the same on SIGHUP — its SIGUSR1 belongs to the inspector, which this lesson opens to show why. Each time the pid and the listening socket\'s inode stay the same, and the answers change.',
    zh: '换一份配置不需要换进程，更不需要换监听 socket。nginx 收到 HUP 时，在同一个 master 下换上新的 worker；文章里的 Go 服务收到 SIGUSR1 时重新读取配置文件；Node 服务则用 SIGHUP 做同样的事——它的 SIGUSR1 属于调试器（inspector），本课会把它打开给你看看为什么。每一次，pid 和监听 socket 的 inode 都不变，而回答变了。',
  },
  recap: [
    { en: 'nginx HUP: the same master reads the new config, starts new workers on the same socket, and the old workers finish what they have.', zh: 'nginx 的 HUP：同一个 master 读取新配置，在同一个 socket 上启动新 worker，旧 worker 处理完手头的请求后退出。' },
    { en: 'A reload keeps the pid and the listening socket: nothing is refused, nothing is handed over.', zh: '重新加载保留 pid 和监听 socket：没有连接被拒绝，也没有什么需要交接。' },
    { en: 'In Go, SIGUSR1 is free for a reload; in nginx it reopens the log files; in Node it opens the inspector — use SIGHUP.', zh: '在 Go 里，SIGUSR1 可以拿来做重新加载；在 nginx 里，它表示重新打开日志文件；在 Node 里，它会打开调试器——请用 SIGHUP。' },
    { en: 'A restart (stop, then start) closes the socket and refuses clients; a reload, like a binary upgrade, keeps it.', zh: '重启（先停再启动）会关闭 socket、拒绝客户端；重新加载和二进制升级一样，保留着它。' },
  ],
  steps: [
    {
      id: 'nginx-hup',
      title: { en: 'nginx: HUP, new workers, same master, same socket', zh: 'nginx：HUP，新 worker，同一个 master，同一个 socket' },
      text: {
        en: 'nginx starts as in lesson 14 (a socket from the launcher at fd 3), answering "config v1". Under load, the config file is changed to answer "config v2", and the master gets HUP — what `nginx -s reload` and `systemctl reload nginx` send. The master reads the file again, starts new workers with it, and tells the old workers to finish their requests and exit.\n\nThe master stays, and so does the socket: the new workers are forked by the same master and get the same fd 3. A restart — stop, then start — would close the socket and refuse clients until the new process listens (lesson 13). The Go article compares its binary upgrade to nginx\'s "restart" and its config reload to "reload"; nginx has no hot "restart": its binary upgrade is USR2 (lesson 14).',
        zh: 'nginx 按第 14 课的方式启动（socket 来自 launcher，位于 fd（文件描述符）3），回答「config v1」。在负载下，把配置文件改成回答「config v2」，然后给 master 发 HUP——也就是 `nginx -s reload` 和 `systemctl reload nginx` 发送的信号。master 重新读取文件，用它启动新的 worker，并让旧 worker 处理完手头的请求后退出。\n\nmaster 留下，socket 也留下：新 worker 由同一个 master fork 出来，拿到的是同一个 fd 3。而重启——先停再启动——会关闭 socket，在新进程 listen 之前拒绝客户端（第 13 课）。那篇 Go 文章把它的二进制热升级比作 nginx 的「restart」，把配置热更新比作「reload」；nginx 并没有热的「restart」：它的二进制升级是 USR2（第 14 课）。',
      },
      async run(ctx) {
        const program = findNginx();
        ctx.log(programLine(program));
        if (!program) return;
        const nginx = (ctx.vars.nginx = new Nginx(ctx, program, { name: 'nginx15', launcher: 'launcher', text: 'config v1' }));
        const master = (ctx.vars.master = await nginx.start());
        const old = (ctx.vars.oldWorkers = nginx.workersOf(master));
        ctx.vars.inode = nginx.handedInode;
        ctx.vars.hup = await underLoad(ctx, nginx, async (load) => {
          nginx.writeConf('config v2');
          ctx.log({ en: 'nginx.conf now answers "config v2"', zh: 'nginx.conf 现在回答「config v2」' }, 'event', 'launcher');
          await nginx.signal(master, 'SIGHUP');
          const fresh = await ctx.until(() => {
            const now = nginx.workersOf(master).filter((pid) => !old.includes(pid));
            return now.length >= 2 ? now : undefined;
          }, 10_000);
          if (!fresh) throw new LessonActionError({ en: 'nginx started no new workers after HUP', zh: 'HUP 之后 nginx 没有启动新的 worker' });
          nginx.nameWorkers(master);
          ctx.vars.newWorkers = fresh;
          await ctx.until(() => old.every((pid) => !isAlive(pid)), 10_000);
          await ctx.until(() => answersFrom(load.stats(), fresh) > 0, 3000, 10);
        });
        ctx.vars.afterHup = await nginx.get();
        for (const line of nginx.logLines('reconfiguring')) ctx.log(line, 'event', 'error.log');
      },
      show: { processes: ['*'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: 'the same master (nginx.pid unchanged); its old workers are gone, two new ones serve', zh: '还是同一个 master（nginx.pid 没变）；旧 worker 已退出，两个新 worker 在服务' },
          check: withNginx((ctx, nginx) => {
            const fresh = (ctx.vars.newWorkers ?? []).filter(isAlive);
            const oldLeft = (ctx.vars.oldWorkers ?? []).filter(isAlive);
            return { ok: nginx.pidIn('nginx.pid') === ctx.vars.master && fresh.length >= 2 && oldLeft.length === 0, detail: `nginx.pid ${nginx.pidIn('nginx.pid') ?? '-'} (master ${ctx.vars.master}); ${ctx.t({ en: 'new workers', zh: '新 worker' })} ${fresh.map((pid) => nginx.nameOf(pid)).join(', ') || '-'}; ${ctx.t({ en: 'old left', zh: '剩余旧 worker' })} ${oldLeft.length}` };
          }),
        },
        {
          text: { en: 'the same listening socket: one inode, one DESC letter in the master and the new workers', zh: '还是同一个监听 socket：master 和新 worker 里同一个 inode、同一个 DESC 字母' },
          check: withNginx((ctx, nginx) => {
            const shared = sharedListener(ctx, [ctx.vars.master, ...(ctx.vars.newWorkers ?? [])], 3);
            const sockets = listenersOn(nginx.port);
            return { ok: shared.ok && sockets.length === 1 && sockets[0].inode === ctx.vars.inode && (ctx.vars.newWorkers ?? []).length > 0, detail: `${shared.detail} (${ctx.t({ en: 'before HUP', zh: 'HUP 之前' })}: ${ctx.vars.inode})` };
          }),
        },
        {
          text: { en: 'the new config answers ("config v2", from a new worker), and under load none failed', zh: '新配置生效（「config v2」，由新 worker 回答），负载下失败 0 个' },
          check: withNginx((ctx, nginx) => {
            const answer = ctx.vars.afterHup;
            const stats = ctx.vars.hup;
            if (!answer || !stats) return { ok: false, detail: ctx.t({ en: 'no reload happened', zh: '没有发生重新加载' }) };
            const ok = answer.body === 'config v2' && ctx.vars.newWorkers.includes(answer.pid) && stats.failed === 0 && answersFrom(stats, ctx.vars.oldWorkers) > 0;
            return { ok, detail: `"${answer.body}" x-pid ${nginx.nameOf(answer.pid)}; ${formatLoadStats(stats, ctx.lang)} — ${answeredBy(nginx, stats)}` };
          }),
        },
      ],
      quiz: {
        question: { en: 'After HUP, which of these changed?', zh: 'HUP 之后，下面哪一项变了？' },
        choices: [
          { en: 'The worker pids', zh: 'worker 的 pid' },
          { en: "The master's pid", zh: 'master 的 pid' },
          { en: 'The listening socket (its inode)', zh: '监听 socket（它的 inode）' },
        ],
        answer: 0,
        explanation: {
          en: 'HUP replaces the workers only: the master forks new ones with the new configuration and the old ones drain. The master and its fd 3 stay, so the accept queue is never without a listener.',
          zh: 'HUP 只替换 worker：master 用新配置 fork 出新 worker，旧 worker 排空后退出。master 和它的 fd 3 都留着，所以 accept 队列从来不缺监听者。',
        },
      },
      hint: {
        en: 'Compare the NODE column with the inode logged before HUP, and the PID of master1 with nginx.pid.',
        zh: '把 NODE 列和 HUP 之前记录的 inode 比一比，再把 master1 的 PID 和 nginx.pid 比一比。',
      },
    },
    {
      id: 'go-usr1',
      title: { en: "Go: the articles' reload on SIGUSR1", zh: 'Go：文章里的 SIGUSR1 重新加载' },
      text: {
        en: 'The article reloads its configuration on SIGUSR1: signal.Notify, and a goroutine that calls the load function for every signal. Here that pattern runs in a real Go program (lessons/assets/code/go/reload.go), given its socket at fd 3 by the launcher. Its file is changed from "go v1" to "go v2": nothing happens until SIGUSR1 — then it answers "go v2", with the same pid and the same socket. (Its table shows the socket twice, at fd 3 and fd 4, with one DESC letter: net.FileListener dup()s the fd it is given.)\n\nThe article describes this reload as "stop accepting new connections, wait for the current ones to end, reload, restart the server". Its own code does none of that, and rightly: a reload needs no pause. Nor is SIGUSR1 a reload everywhere: nginx takes it to mean "reopen the log files", as its error.log shows when the nginx of step 1 gets one.',
        zh: '文章用 SIGUSR1 重新加载配置：signal.Notify，再加一个 goroutine，每收到一个信号就调用一次加载函数。这里，这个模式运行在一个真正的 Go 程序里（lessons/assets/code/go/reload.go），它的 socket 由 launcher 放在 fd 3 交给它。把它的配置文件从「go v1」改成「go v2」：在 SIGUSR1 到来之前什么都不会发生——之后它回答「go v2」，pid 不变，socket 也不变。（它的 fd 表里这个 socket 出现了两次，在 fd 3 和 fd 4，DESC 字母相同：net.FileListener 会 dup() 传给它的 fd。）\n\n文章把这种重新加载描述为「停止接受新的连接，等待当前连接停止，重新载入配置文件，重启服务器」。它自己的代码根本没这么做，而且做得对：重新加载不需要暂停。SIGUSR1 也不是到处都表示重新加载：nginx 把它理解为「重新打开日志文件」，第 1 步的 nginx 收到一个 SIGUSR1 时，它的 error.log 就是这么写的。',
      },
      code: { go: excerpt('go/reload.go', 'reload') },
      async run(ctx) {
        const nginx = ctx.vars.nginx;
        if (nginx) {
          await nginx.signal(ctx.vars.master, 'SIGUSR1');
          ctx.vars.reopened = (await ctx.until(() => nginx.logLines('reopening').length > 0 && nginx.logLines('reopening'), 3000)) || [];
          for (const line of ctx.vars.reopened) ctx.log(line, 'event', 'error.log');
        }
        const binary = await buildGo('go/reload.go', ctx);
        if (!binary) {
          ctx.log(NO_GO);
          ctx.vars.go = 'no-go';
          return;
        }
        const go = (ctx.vars.go = await showReload(ctx, 'go-reload', 'go', (config) => [binary, config], 'SIGUSR1'));
        ctx.log(readText(go.started.stderr).trim() || '-', 'event', 'go-reload');
      },
      show: { processes: ['go-reload'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: 'the changed file alone changed nothing; after SIGUSR1 the Go server answers "go v2"', zh: '只改文件什么都没变；SIGUSR1 之后 Go 服务回答「go v2」' },
          check: withReload('go', (ctx, reload) => answerChanged(ctx, reload, 'go')),
        },
        {
          text: { en: 'the same process and the same listening socket (inode) as before the reload', zh: '和重新加载之前是同一个进程、同一个监听 socket（inode）' },
          check: withReload('go', sameProcessAndSocket),
        },
        {
          text: { en: 'nginx took its SIGUSR1 as "reopen the log files", not as a reload', zh: 'nginx 把收到的 SIGUSR1 理解为「重新打开日志文件」，而不是重新加载' },
          check: (ctx) => {
            const nginx = nginxOf(ctx);
            if (!(nginx instanceof Nginx)) return nginx;
            const lines = ctx.vars.reopened ?? [];
            return { ok: lines.length > 0 && lines.every((line) => !line.includes('reconfiguring')), detail: lines[0]?.replace(/^.*\[notice\] /, '') ?? ctx.t({ en: 'no such line in error.log', zh: 'error.log 里没有这样的行' }) };
          },
        },
      ],
      hint: {
        en: 'A reload is a function call in a running process: whatever holds the listener (an fd) is untouched by it.',
        zh: '重新加载只是运行中进程里的一次函数调用：持有监听 socket 的 fd 完全不受影响。',
      },
    },
    {
      id: 'node-sighup',
      title: { en: 'Node: the same reload on SIGHUP', zh: 'Node：用 SIGHUP 做同样的重新加载' },
      text: {
        en: 'The same server in Node (lessons/assets/code/node/reload.mjs), listening on the socket at fd 3 (listen({ fd: 3 })), re-reads its file on SIGHUP. SIGHUP is what nginx, sshd and most daemons take for "reload": a daemon has no terminal that could hang up.\n\nIt is started as `node --inspect-port=0 reload.mjs`: the flag starts nothing by itself, it only tells Node which port its inspector would use (0: one the kernel chooses, instead of the default 9229). The next step needs it.',
        zh: '同样的服务换成 Node（lessons/assets/code/node/reload.mjs），在 fd 3 的 socket 上监听（listen({ fd: 3 })），收到 SIGHUP 时重新读取配置文件。nginx、sshd 和大多数守护进程都把 SIGHUP 当作「重新加载」：守护进程没有终端，也就不会有「挂断」。\n\n它以 `node --inspect-port=0 reload.mjs` 启动：这个参数本身什么也不启动，只是告诉 Node 它的调试器将使用哪个端口（0：由内核挑选，而不是默认的 9229）。下一步要用到它。',
      },
      code: { node: excerpt('node/reload.mjs', 'reload') },
      async run(ctx) {
        ctx.vars.node = await showReload(ctx, 'node-reload', 'node', (config) => [process.execPath, '--inspect-port=0', NODE_SERVER, config], 'SIGHUP');
      },
      show: { processes: ['node-reload'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: 'after SIGHUP the Node server answers "node v2" (not before)', zh: 'SIGHUP 之后 Node 服务回答「node v2」（之前不是）' },
          check: withReload('node', (ctx, reload) => answerChanged(ctx, reload, 'node')),
        },
        {
          text: { en: 'the same process and the same listening socket (inode)', zh: '同一个进程、同一个监听 socket（inode）' },
          check: withReload('node', sameProcessAndSocket),
        },
      ],
    },
    {
      id: 'node-usr1',
      title: { en: "Why not SIGUSR1 in Node: it opens the inspector", zh: 'Node 为什么不用 SIGUSR1：它会打开调试器' },
      text: {
        en: 'Node installs a handler for SIGUSR1 at start-up (lesson 11 read it in SigCgt): the signal starts the inspector, a debugger server on 127.0.0.1. Here the config file is changed to "node v3" and node-reload gets SIGUSR1, as a Go habit would send. The configuration does not change — and a new listening socket appears in its fd table: the inspector, announced on stderr as "Debugger listening on ws://127.0.0.1:PORT/...".\n\nAnyone on this machine who can reach that port can run code inside the server: this process ends with the lesson, and a production server must never be left like this.',
        zh: 'Node 在启动时就为 SIGUSR1 安装了处理函数（第 11 课在 SigCgt 里看到过）：这个信号会启动调试器（inspector），一个监听 127.0.0.1 的调试服务。这里把配置文件改成「node v3」，然后像 Go 的习惯那样给 node-reload 发 SIGUSR1。配置没有变——而它的 fd 表里出现了一个新的监听 socket：调试器，在 stderr 上宣布「Debugger listening on ws://127.0.0.1:端口/...」。\n\n这台机器上任何能连到这个端口的人，都能在服务进程里运行代码：这个进程随本课结束，而生产服务器绝不能留成这样。',
      },
      async run(ctx) {
        const { started: node, config } = ctx.vars.node;
        writeFileSync(config, 'node v3\n');
        await ctx.call('launcher', { op: 'kill', pid: node.pid, signal: 'SIGUSR1' });
        const line = await ctx.until(() => readText(node.stderr).split('\n').find((l) => l.startsWith('Debugger listening on')), 5000);
        ctx.vars.inspectorLine = line ?? '';
        ctx.vars.inspectorPort = Number(/:(\d+)\//.exec(line ?? '')?.[1]) || 0;
        ctx.log(ctx.vars.inspectorLine || '-', 'event', 'node-reload');
        ctx.vars.afterUsr1 = await fetchText(node.port);
        ctx.log(`GET / → "${ctx.vars.afterUsr1}"`, 'event', 'tutor');
      },
      show: { processes: ['node-reload'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: 'node-reload holds a second listening socket, on 127.0.0.1: the inspector', zh: 'node-reload 持有第二个监听 socket，在 127.0.0.1 上：调试器' },
          check: (ctx) => {
            const rows = ctx.vars.node ? ctx.snapshot(['node-reload']).rows.filter((r) => r.socket?.state === 'LISTEN' && r.fd !== 3) : [];
            const port = ctx.vars.inspectorPort;
            const ok = port > 0 && rows.some((r) => r.name.startsWith(`127.0.0.1:${port} `));
            return { ok, detail: rows.map((r) => `fd ${r.fd} ${r.name}`).join(', ') || ctx.t({ en: 'no other listener', zh: '没有别的监听 socket' }) };
          },
        },
        {
          text: { en: 'stderr says "Debugger listening on ws://127.0.0.1:…", and the config was not reloaded', zh: 'stderr 写着「Debugger listening on ws://127.0.0.1:…」，而配置没有重新加载' },
          check: (ctx) => ({ ok: (ctx.vars.inspectorLine ?? '').startsWith('Debugger listening on ws://127.0.0.1:') && ctx.vars.afterUsr1 === 'node v2', detail: `${ctx.vars.inspectorLine || '-'}; GET / → "${ctx.vars.afterUsr1 ?? '-'}"` }),
        },
      ],
      quiz: {
        question: { en: 'Your Node service should reload its config on a signal. Which one?', zh: '你的 Node 服务要在收到某个信号时重新加载配置。用哪个？' },
        choices: [
          { en: 'SIGHUP', zh: 'SIGHUP' },
          { en: 'SIGUSR1, as in the Go article', zh: 'SIGUSR1，和 Go 文章里一样' },
          { en: 'SIGTERM, the service manager resends it', zh: 'SIGTERM，服务管理器会重发它' },
        ],
        answer: 0,
        explanation: {
          en: "SIGUSR1 is Node's: it starts the inspector (here it opened a debugger port and the config stayed as it was). SIGTERM means stop. SIGHUP is the daemons' reload signal, and what a systemd unit's ExecReload=kill -HUP $MAINPID sends.",
          zh: 'SIGUSR1 归 Node 自己用：它会启动调试器（这里它打开了一个调试端口，配置却原封不动）。SIGTERM 的意思是停止。SIGHUP 是守护进程约定俗成的重新加载信号，也是 systemd unit 里 ExecReload=kill -HUP $MAINPID 发送的信号。',
        },
      },
      hint: {
        en: 'Look for the row that was not there in step 3: a LISTEN socket at an fd other than 3, on the port of the Debugger line.',
        zh: '找第 3 步里没有的那一行：一个不在 fd 3 的 LISTEN socket，端口就是 Debugger 那一行里的端口。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

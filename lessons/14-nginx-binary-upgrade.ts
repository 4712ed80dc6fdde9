// Lesson 14: nginx's binary upgrade, on the real nginx where installed (Debian's nginx-light), otherwise on
// the project's stand-in. One listening socket, bound by the tutor and handed to nginx at fd 3 (NGINX=3;),
// held by every process from the first master to the last: USR2 starts a second master on it, WINCH sends
// the old workers away, QUIT ends the old master; a second round rolls back (HUP the old master, QUIT the
// new one). A loopback load counts failures throughout. Facts behind it: notes/nginx-binary-upgrade.md.
import { isAlive } from '../src/demo/marker.js';
import type { FdRow } from '../src/fdtable/model.js';
import { listenersOn } from '../src/lesson/kit.js';
import { formatLoadStats, type LoadStats } from '../src/lesson/load.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { findNginx, Nginx, programLine } from '../src/lesson/nginx.js';
import { answeredBy, answersFrom, underLoad } from '../src/lesson/nginx-load.js';
import { parentOf } from '../src/lesson/procview.js';
import { nginxOf, sharedListener, withNginx } from '../src/lesson/nginx-view.js';
import type { CheckResult, Lesson, LessonContext } from '../src/lesson/types.js';

const isTcp = (row: FdRow) => row.type === 'TCP';
const isListener = (row: FdRow) => row.socket?.state === 'LISTEN';

interface Vars {
  nginx: Nginx;
  /** The inode of the socket the launcher bound and handed to nginx (step 1). */
  inode: number | null;
  master1: number;
  workers1: number[];
  master2: number;
  workers2: number[];
  usr2: LoadStats;
  winch: LoadStats;
  quit: LoadStats;
  master3: number;
  workers3: number[];
  /** master2's workers started by the HUP of the rollback. */
  rehired: number[];
  rollback: LoadStats;
}

type Ctx = LessonContext<Vars>;

/** The load of a step: none failed, with how many answered and who. */
function noFailure(ctx: Ctx, nginx: Nginx, stats: LoadStats | undefined): CheckResult {
  if (!stats) return { ok: false, detail: ctx.t({ en: 'no load ran', zh: '没有运行负载' }) };
  return { ok: stats.ok > 0 && stats.failed === 0, detail: `${formatLoadStats(stats, ctx.lang)} — ${answeredBy(nginx, stats)}` };
}

/** The PID files' contents as a check reads them: which pid each names. */
function pidFilesNow(nginx: Nginx): { pid: number | undefined; oldbin: number | undefined } {
  const read = (name: string) => Number(nginx.fileText(name)?.trim()) || undefined;
  return { pid: read('nginx.pid'), oldbin: read('nginx.pid.oldbin') };
}

const alive = (pids: number[] | undefined) => (pids ?? []).filter(isAlive);

export const lesson: Lesson<Vars> = {
  id: 'nginx-binary-upgrade',
  number: 14,
  chapter: { en: 'Chapter 3 · Operations', zh: '第三章 · 运维' },
  title: { en: "nginx's binary upgrade", zh: 'nginx 的二进制升级' },
  summary: {
    en: 'nginx has done hot restarts for twenty years, with signals and a PID file: USR2 starts a new master on the same listening socket, WINCH sends the old workers away, QUIT ends the old master — and until that last step, HUP and QUIT roll it all back. This lesson does all of it on a real nginx under a live load, and counts the failed requests: none.',
    zh: 'nginx 用信号和 PID 文件做热重启已经二十年了：USR2 在同一个监听 socket 上启动新的 master，WINCH 让旧的 worker 离开，QUIT 结束旧 master——在最后这一步之前，HUP 加 QUIT 还能把一切回滚。本课在真实负载下对一个真正的 nginx 完整地做一遍，并统计失败的请求：零个。',
  },
  recap: [
    { en: 'The master and every worker hold one listening socket (one DESC letter, one inode); workers accept, the master never does.', zh: 'master 和每个 worker 持有同一个监听 socket（同一个 DESC 字母、同一个 inode）；accept 的是 worker，master 从不 accept。' },
    { en: 'USR2: the old master renames nginx.pid to nginx.pid.oldbin and execs the new binary, which inherits the socket through NGINX="3;".', zh: 'USR2：旧 master 把 nginx.pid 改名为 nginx.pid.oldbin，然后 exec 新的二进制，新 master 通过 NGINX="3;" 继承监听 socket。' },
    { en: 'WINCH empties the old master of workers but keeps it (and the socket): the way back stays open until QUIT.', zh: 'WINCH 让旧 master 的 worker 全部退出，但旧 master（和 socket）还在：在 QUIT 之前，回头路一直开着。' },
    { en: 'Rollback: HUP the old master (it starts workers again), QUIT the new one; nginx.pid.oldbin becomes nginx.pid again.', zh: '回滚：给旧 master 发 HUP（它重新启动 worker），给新 master 发 QUIT；nginx.pid.oldbin 改回 nginx.pid。' },
    { en: 'Signal the pid in the PID file, never by name: during an upgrade two masters are called nginx.', zh: '按 PID 文件里的 pid 发信号，别按名字：升级期间有两个 master 都叫 nginx。' },
  ],
  steps: [
    {
      id: 'one-socket',
      title: { en: 'A master, its workers, and one socket', zh: '一个 master、它的 worker，和一个 socket' },
      text: {
        en: 'A puppet called launcher plays systemd: it binds 127.0.0.1 on a port the kernel chooses, and starts nginx with that socket at fd 3 and NGINX="3;" in its environment — the very variable nginx uses to pass its sockets to a new binary in an upgrade. nginx then binds nothing itself ("using inherited sockets" in its error.log). Its config lives in a private directory: worker_processes 2, its own pid file and error log, a server that answers with its text and an x-pid header ($pid, the worker that answered).\n\nOne detail matters here: with inherited sockets nginx does not daemonize, and it ignores USR2 for as long as the process that started it is still its parent (it takes itself for a new binary whose old master still runs). So a shell starts it in the background, waits for the pid file, and exits.\n\nThe master reads the config and forks the workers; the fork copies fd 3, so all three hold the same open file description — one accept queue. The workers accept; the master never does.',
        zh: '一个叫 launcher 的傀儡进程扮演 systemd：它在 127.0.0.1 上绑定一个由内核挑选的端口，然后启动 nginx，把这个 socket 放在 fd（文件描述符）3，并在环境里设置 NGINX="3;"——正是 nginx 在升级时把监听 socket 传给新二进制所用的那个变量。于是 nginx 自己什么都不绑定（它的 error.log 里写着「using inherited sockets」）。它的配置放在一个私有目录里：worker_processes 2、自己的 pid 文件和错误日志、一个返回文本并带上 x-pid 响应头（$pid，即回答请求的 worker）的 server。\n\n这里有个细节很要紧：使用继承来的 socket 时，nginx 不会变成守护进程；而且只要启动它的那个进程还是它的父进程，它就会忽略 USR2（它以为自己是一个新二进制，而旧 master 还在运行）。所以由一个 shell 在后台启动它，等到 pid 文件出现后退出。\n\nmaster 读取配置并 fork 出 worker；fork 复制了 fd 3，所以三个进程持有同一个打开文件描述——同一个 accept 队列。accept 的是 worker；master 从不 accept。',
      },
      async run(ctx) {
        const program = findNginx();
        ctx.log(programLine(program));
        if (!program) return;
        const nginx = (ctx.vars.nginx = new Nginx(ctx, program, { name: 'nginx14', launcher: 'launcher', text: 'hello from nginx' }));
        ctx.vars.master1 = await nginx.start();
        ctx.vars.workers1 = nginx.workersOf(ctx.vars.master1);
        ctx.vars.inode = nginx.handedInode;
        // One line: a log entry of several would push the step's title off an 80×24 screen.
        ctx.log(`nginx.conf: ${(nginx.fileText('nginx.conf') ?? '').replace(/\s+/g, ' ').trim()}`);
        for (const line of nginx.logLines('inherited')) ctx.log(line, 'event', 'error.log');
      },
      show: { processes: ['*'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: 'master1 and both workers hold fd 3: one description (one DESC letter), one inode', zh: 'master1 和两个 worker 都持有 fd 3：同一个打开文件描述（同一个 DESC 字母）、同一个 inode' },
          check: withNginx((ctx) => sharedListener(ctx, [ctx.vars.master1, ...(ctx.vars.workers1 ?? [])], 3)),
        },
        {
          text: { en: "it is the only listening socket on the port: the launcher's, nginx bound none", zh: '它是这个端口上唯一的监听 socket：是 launcher 绑定的，nginx 自己一个也没绑' },
          check: withNginx((ctx, nginx) => {
            const sockets = listenersOn(nginx.port);
            const handed = ctx.vars.inode ?? undefined;
            return { ok: sockets.length === 1 && handed !== undefined && sockets[0].inode === handed, detail: `${sockets.length} LISTEN on 127.0.0.1:${nginx.port}, inode ${sockets.map((s) => s.inode).join(' ')}; ${ctx.t({ en: "the launcher's", zh: 'launcher 绑定的' })}: ${handed ?? '-'}` };
          }),
        },
        {
          text: { en: 'a request is answered by a worker (x-pid), not by the master', zh: '请求由一个 worker 回答（x-pid），而不是 master' },
          check: async (ctx) => {
            const nginx = nginxOf(ctx);
            if (!(nginx instanceof Nginx)) return nginx;
            const answer = await nginx.get();
            return { ok: answer.status === 200 && (ctx.vars.workers1 ?? []).includes(answer.pid), detail: `HTTP ${answer.status} "${answer.body}" x-pid ${answer.pid} (${nginx.nameOf(answer.pid)})` };
          },
        },
      ],
      hint: {
        en: 'Compare the DESC column of the three LISTEN rows: one letter means one open file description, shared since the fork.',
        zh: '比较三行 LISTEN 的 DESC 列：同一个字母表示同一个打开文件描述，自 fork 起就共享着。',
      },
    },
    {
      id: 'usr2',
      title: { en: 'USR2: a second master on the same socket', zh: 'USR2：同一个 socket 上的第二个 master' },
      text: {
        en: 'An upgrade starts with the new binary in place of the old one, and USR2 to the master (here the binary is the same file: what matters is what the processes do). The old master renames nginx.pid to nginx.pid.oldbin, puts NGINX="3;" in an environment for the child, and fork()s and execve()s the binary by the path it was started with. The new master finds its sockets in NGINX, starts its own workers, and writes nginx.pid.\n\nNow two nginx are running, as the article says, and both serve: the old workers and the new ones accept from the same queue. Under load, no request fails.',
        zh: '升级从用新的二进制文件替换旧的开始，然后给 master 发 USR2（这里二进制是同一个文件：要紧的是进程做了什么）。旧 master 把 nginx.pid 改名为 nginx.pid.oldbin，为子进程准备一个带 NGINX="3;" 的环境，然后 fork()，再按它启动时的路径 execve() 这个二进制。新 master 从 NGINX 里找到它的 socket，启动自己的 worker，并写入 nginx.pid。\n\n现在有两个 nginx 在运行，正如文章所说，而且两个都在服务：旧 worker 和新 worker 从同一个队列里 accept。在负载下，没有一个请求失败。',
      },
      async run(ctx) {
        const nginx = ctx.vars.nginx;
        if (!nginx) return;
        const { master1 } = ctx.vars;
        ctx.vars.usr2 = await underLoad(ctx, nginx, async (load) => {
          const upgraded = await nginx.upgrade(master1);
          ctx.vars.master2 = upgraded.master;
          ctx.vars.workers2 = upgraded.workers;
          // Both generations answer: wait (3 s at most) until the new workers have answered too.
          await ctx.until(() => answersFrom(load.stats(), ctx.vars.workers2) > 0, 3000, 10);
        });
      },
      show: { processes: ['*'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: "master2's fd 3 is master1's socket: same DESC letter, same inode, in all six processes", zh: 'master2 的 fd 3 就是 master1 的 socket：六个进程里 DESC 字母相同、inode 相同' },
          check: withNginx((ctx) => sharedListener(ctx, [ctx.vars.master1, ...(ctx.vars.workers1 ?? []), ctx.vars.master2, ...(ctx.vars.workers2 ?? [])], 3)),
        },
        {
          text: { en: 'nginx.pid names master2, nginx.pid.oldbin names master1; master2 is master1\'s child', zh: 'nginx.pid 里是 master2，nginx.pid.oldbin 里是 master1；master2 是 master1 的子进程' },
          check: withNginx((ctx, nginx) => {
            const files = pidFilesNow(nginx);
            const parent = ctx.vars.master2 ? parentOf(ctx.vars.master2) : undefined;
            return { ok: files.pid === ctx.vars.master2 && files.oldbin === ctx.vars.master1 && parent === ctx.vars.master1, detail: `${nginx.pidFilesText()}; ppid of master2 ${parent ?? '-'}` };
          }),
        },
        {
          text: { en: 'under load: 0 failed, answers from the old workers and from the new ones', zh: '负载下：失败 0 个，旧 worker 和新 worker 都有回答' },
          check: withNginx((ctx, nginx) => {
            const result = noFailure(ctx, nginx, ctx.vars.usr2);
            const both = answersFrom(ctx.vars.usr2, ctx.vars.workers1 ?? []) > 0 && answersFrom(ctx.vars.usr2, ctx.vars.workers2 ?? []) > 0;
            return { ...result, ok: result.ok && both };
          }),
        },
      ],
      quiz: {
        question: { en: 'After USR2 there are two masters. How does an operator tell which one to send WINCH to?', zh: 'USR2 之后有两个 master。运维人员怎么知道该给哪一个发 WINCH？' },
        choices: [
          { en: 'The old master\'s pid is in nginx.pid.oldbin', zh: '旧 master 的 pid 在 nginx.pid.oldbin 里' },
          { en: 'pkill -WINCH nginx: it only reaches the old one', zh: 'pkill -WINCH nginx：它只会发给旧的那个' },
          { en: 'The one with the higher pid is the old one', zh: 'pid 大的那个是旧的' },
        ],
        answer: 0,
        explanation: {
          en: 'Both masters are called nginx, so a signal by name reaches both (and WINCH to the new master would send away the workers that are now serving). The PID files say who is who: nginx.pid the new master, nginx.pid.oldbin the old one. The article\'s restart.sh finds its process with ps | grep | awk — during an upgrade that finds two.',
          zh: '两个 master 都叫 nginx，按名字发信号会两个都收到（而给新 master 发 WINCH，会把正在服务的 worker 赶走）。PID 文件说明了谁是谁：nginx.pid 是新 master，nginx.pid.oldbin 是旧 master。文章里的 restart.sh 用 ps | grep | awk 找进程——升级期间它会找到两个。',
        },
      },
      hint: {
        en: 'The FD FLAGS column of fd 3 reads "-": no close-on-exec, so the socket survives the execve() of the new binary — with the same DESC letter, because exec keeps descriptions as they are.',
        zh: 'fd 3 的 FD FLAGS 列是「-」：没有 close-on-exec，所以这个 socket 挺过了新二进制的 execve()——DESC 字母也不变，因为 exec 原样保留打开文件描述。',
      },
    },
    {
      id: 'winch',
      title: { en: 'WINCH: the old workers leave, the old master stays', zh: 'WINCH：旧 worker 离开，旧 master 留下' },
      text: {
        en: 'WINCH to the old master (its pid from nginx.pid.oldbin): it tells its workers to finish their requests and exit, and starts no new ones. The old master itself stays, still holding fd 3 — that is the way back, kept open until the new binary has proved itself.\n\nThe article says that the old master "keeps listening for new requests but hands them to the new workers". That is not what happens: no master accepts a connection, let alone passes one on. The socket is one accept queue in the kernel, and only the new workers still take from it. The fd table shows it: master1 holds the socket, yet every answer now carries a pid of master2\'s workers.',
        zh: '给旧 master 发 WINCH（pid 取自 nginx.pid.oldbin）：它让自己的 worker 处理完手头的请求后退出，并且不再启动新的 worker。旧 master 本身留下，仍然持有 fd 3——这就是回头路，一直留到新二进制证明自己可靠为止。\n\n文章说旧 master「仍保持监听新请求但不会发送至其下 work 进程，而是交给新的 work 进程」。实际并非如此：没有哪个 master 会 accept 连接，更谈不上转交。socket 是内核里的一个 accept 队列，现在只有新 worker 还在从中取连接。fd 表说明了这一点：master1 持有这个 socket，但每个回答带的都是 master2 的 worker 的 pid。',
      },
      async run(ctx) {
        const nginx = ctx.vars.nginx;
        if (!nginx) return;
        ctx.vars.winch = await underLoad(ctx, nginx, async () => {
          await nginx.signal(ctx.vars.master1, 'SIGWINCH');
          await ctx.until(() => alive(ctx.vars.workers1).length === 0, 10_000);
        });
      },
      show: { processes: ['*'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: "master1's workers are gone; master1 still runs and still holds the socket at fd 3", zh: 'master1 的 worker 已经退出；master1 仍在运行，仍在 fd 3 持有这个 socket' },
          check: withNginx((ctx) => {
            const left = alive(ctx.vars.workers1);
            const held = sharedListener(ctx, [ctx.vars.master1, ctx.vars.master2], 3);
            return { ok: left.length === 0 && isAlive(ctx.vars.master1) && held.ok, detail: `${ctx.t({ en: 'old workers left', zh: '剩余旧 worker' })}: ${left.length}; ${held.detail}` };
          }),
        },
        {
          text: { en: "new connections are answered by master2's workers only; a master never answers", zh: '新连接只由 master2 的 worker 回答；master 从不回答' },
          check: async (ctx) => {
            const nginx = nginxOf(ctx);
            if (!(nginx instanceof Nginx)) return nginx;
            const answers = await Promise.all(Array.from({ length: 10 }, () => nginx.get()));
            const who = [...new Set(answers.map((a) => nginx.nameOf(a.pid)))].join(', ');
            return { ok: alive(ctx.vars.workers1).length === 0 && answers.every((a) => a.status === 200 && (ctx.vars.workers2 ?? []).includes(a.pid)), detail: `10 × GET → ${who}` };
          },
        },
        {
          text: { en: 'under load: 0 failed while the old workers left', zh: '负载下：旧 worker 离开期间失败 0 个' },
          check: withNginx((ctx, nginx) => noFailure(ctx, nginx, ctx.vars.winch)),
        },
      ],
      hint: {
        en: 'The old master keeps its fd 3 after WINCH: that is what lets HUP bring its workers back later.',
        zh: 'WINCH 之后旧 master 还留着 fd 3：正因如此，之后 HUP 才能让它的 worker 回来。',
      },
    },
    {
      id: 'quit',
      title: { en: 'QUIT: the old master leaves, the upgrade is done', zh: 'QUIT：旧 master 离开，升级完成' },
      text: {
        en: 'The new workers have served for a while: the upgrade is good. QUIT to the old master: it exits, and nginx.pid.oldbin goes with it. master2 is re-parented (its parent, master1, is gone) and carries on, with the socket that master1 got from the launcher: the same inode since the first step.',
        zh: '新 worker 已经服务了一阵子：升级没问题。给旧 master 发 QUIT：它退出了，nginx.pid.oldbin 也随之删除。master2 被重新指定父进程（它的父进程 master1 已经不在了），继续运行，用的还是 master1 从 launcher 那里拿到的 socket：从第一步起就是同一个 inode。',
      },
      async run(ctx) {
        const nginx = ctx.vars.nginx;
        if (!nginx) return;
        ctx.vars.quit = await underLoad(ctx, nginx, async () => {
          await nginx.signal(ctx.vars.master1, 'SIGQUIT');
          await ctx.until(() => !isAlive(ctx.vars.master1) && nginx.fileText('nginx.pid.oldbin') === undefined, 10_000);
          ctx.log(nginx.pidFilesText(), 'event', 'launcher');
        });
      },
      show: { processes: ['*'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: 'master1 is gone, nginx.pid.oldbin is gone, nginx.pid names master2', zh: 'master1 已退出，nginx.pid.oldbin 已删除，nginx.pid 里是 master2' },
          check: withNginx((ctx, nginx) => {
            const files = pidFilesNow(nginx);
            return { ok: !isAlive(ctx.vars.master1) && files.oldbin === undefined && files.pid === ctx.vars.master2, detail: `master1 ${isAlive(ctx.vars.master1) ? 'running' : 'gone'}; ${nginx.pidFilesText()}` };
          }),
        },
        {
          text: { en: 'the port is still served by the socket of step 1 (same inode), in master2 and its workers', zh: '端口仍由第 1 步的那个 socket 服务（同一个 inode），在 master2 和它的 worker 手里' },
          check: withNginx((ctx, nginx) => {
            const sockets = listenersOn(nginx.port);
            const shared = sharedListener(ctx, [ctx.vars.master2, ...(ctx.vars.workers2 ?? [])], 3);
            return { ok: shared.ok && sockets.length === 1 && sockets[0].inode === ctx.vars.inode && !isAlive(ctx.vars.master1), detail: `inode ${sockets.map((s) => s.inode).join(' ')} (${ctx.t({ en: 'step 1', zh: '第 1 步' })}: ${ctx.vars.inode}); ${shared.detail}` };
          }),
        },
        {
          text: { en: 'under load: 0 failed while the old master left', zh: '负载下：旧 master 离开期间失败 0 个' },
          check: withNginx((ctx, nginx) => noFailure(ctx, nginx, ctx.vars.quit)),
        },
      ],
    },
    {
      id: 'rollback',
      title: { en: 'Rollback: HUP the old master, QUIT the new one', zh: '回滚：给旧 master 发 HUP，给新 master 发 QUIT' },
      text: {
        en: 'A second upgrade, and this time the new binary turns out bad after WINCH. USR2 to master2 starts master3 (nginx.pid.oldbin now names master2), WINCH sends master2\'s workers away — and then the way back: HUP to master2 makes it read its config and start workers again (on the socket it never closed), and QUIT to master3 ends the new master and its workers. nginx.pid.oldbin becomes nginx.pid again.\n\nAll of it under load. QUIT is nginx\'s graceful stop: master3\'s workers finish the requests they have before they exit, and the load counts no failure.',
        zh: '第二次升级，这一次新二进制在 WINCH 之后被发现有问题。给 master2 发 USR2，启动 master3（nginx.pid.oldbin 里现在是 master2），WINCH 让 master2 的 worker 离开——然后走回头路：给 master2 发 HUP，它重新读取配置并再次启动 worker（用的是它从未关闭的 socket），给 master3 发 QUIT，结束新 master 和它的 worker。nginx.pid.oldbin 又改回 nginx.pid。\n\n这一切都在负载下进行。QUIT 是 nginx 的优雅停止：master3 的 worker 先处理完手头的请求再退出，负载统计里没有失败。',
      },
      async run(ctx) {
        const nginx = ctx.vars.nginx;
        if (!nginx) return;
        const { master2 } = ctx.vars;
        ctx.vars.rollback = await underLoad(ctx, nginx, async (load) => {
          const { master: master3, workers: workers3 } = await nginx.upgrade(master2);
          ctx.vars.master3 = master3;
          ctx.vars.workers3 = workers3;
          await nginx.signal(master2, 'SIGWINCH');
          await ctx.until(() => alive(ctx.vars.workers2).length === 0, 10_000);
          await ctx.until(() => answersFrom(load.stats(), ctx.vars.workers3) > 0, 3000, 10);
          // The way back.
          await nginx.signal(master2, 'SIGHUP');
          ctx.vars.rehired = await nginx.settle(master2, 2);
          // Only once they serve may master3 go: until then, connections would wait in the queue for nobody.
          await ctx.until(() => answersFrom(load.stats(), ctx.vars.rehired) > 0, 5000, 10);
          await nginx.signal(master3, 'SIGQUIT');
          await ctx.until(() => !isAlive(master3) && alive(ctx.vars.workers3).length === 0 && nginx.pidIn('nginx.pid') === master2, 10_000);
          ctx.log(nginx.pidFilesText(), 'event', 'launcher');
        });
        for (const line of nginx.logLines('reconfiguring')) ctx.log(line, 'event', 'error.log');
      },
      show: { processes: ['*'], only: isTcp, focus: isListener },
      expect: [
        {
          text: { en: 'master3 and its workers are gone; nginx.pid names master2 again, no nginx.pid.oldbin', zh: 'master3 和它的 worker 都已退出；nginx.pid 里又是 master2，没有 nginx.pid.oldbin' },
          check: withNginx((ctx, nginx) => {
            const files = pidFilesNow(nginx);
            const left = alive([ctx.vars.master3, ...(ctx.vars.workers3 ?? [])].filter((pid) => pid !== undefined));
            return { ok: ctx.vars.master3 !== undefined && left.length === 0 && files.pid === ctx.vars.master2 && files.oldbin === undefined, detail: `${ctx.t({ en: 'master3 and workers left', zh: '剩余 master3 及其 worker' })}: ${left.length}; ${nginx.pidFilesText()}` };
          }),
        },
        {
          text: { en: "HUP gave master2 new workers, on the socket it kept (same DESC letter, same inode)", zh: 'HUP 让 master2 有了新的 worker，用的是它一直留着的 socket（DESC 字母相同、inode 相同）' },
          check: withNginx((ctx) => {
            const rehired = alive(ctx.vars.rehired);
            const shared = sharedListener(ctx, [ctx.vars.master2, ...rehired], 3);
            return { ok: rehired.length >= 2 && shared.ok, detail: `${rehired.map((pid) => ctx.vars.nginx.nameOf(pid)).join(', ') || '-'}; ${shared.detail}` };
          }),
        },
        {
          text: { en: "under load: 0 failed, answers from master3's workers and then from master2's new ones", zh: '负载下：失败 0 个，先是 master3 的 worker 回答，再是 master2 的新 worker' },
          check: withNginx((ctx, nginx) => {
            const result = noFailure(ctx, nginx, ctx.vars.rollback);
            const both = answersFrom(ctx.vars.rollback, ctx.vars.workers3 ?? []) > 0 && answersFrom(ctx.vars.rollback, ctx.vars.rehired ?? []) > 0;
            return { ...result, ok: result.ok && both };
          }),
        },
      ],
      quiz: {
        question: { en: 'After WINCH the new binary misbehaves. What brings the old version back without a refused connection?', zh: 'WINCH 之后发现新二进制有问题。怎样在不拒绝任何连接的情况下换回旧版本？' },
        choices: [
          { en: 'HUP to the old master (it starts workers again), then QUIT to the new master', zh: '给旧 master 发 HUP（它重新启动 worker），再给新 master 发 QUIT' },
          { en: 'QUIT to the new master first, then HUP to the old one', zh: '先给新 master 发 QUIT，再给旧 master 发 HUP' },
          { en: 'Start the old binary again with nginx -c', zh: '用 nginx -c 重新启动旧二进制' },
        ],
        answer: 0,
        explanation: {
          en: 'The old master still holds the socket but has no workers after WINCH: QUIT the new master first and, for a moment, nobody accepts — connections wait in the queue or time out. HUP first, so the old master has workers accepting before the new ones leave. Starting the old binary afresh is no rollback either: it would be a third nginx, not the old master that still holds the socket and its queue.',
          zh: 'WINCH 之后旧 master 还持有 socket，但没有 worker：如果先 QUIT 新 master，会有一段时间没人 accept——连接只能在队列里等，或者超时。先发 HUP，让旧 master 在新 worker 离开之前就有 worker 在 accept。重新启动一次旧二进制也算不上回滚：那只是第三个 nginx，而不是那个仍然持有 socket 和它的队列的旧 master。',
        },
      },
      hint: {
        en: "Follow master2 through the tables: it keeps fd 3 the whole time, with workers, without, and with new ones after HUP.",
        zh: '在 fd 表里跟着 master2 看：它一直持有 fd 3——有 worker 时、没有 worker 时，以及 HUP 之后有了新 worker 时。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

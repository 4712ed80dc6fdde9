// Lesson 16: supervisors. A hot restart ends the process a service manager started, so the manager must
// know that the service moved into the successor. Under systemd's Type=simple it does not: the main pid
// exits, the unit stops and the successor is killed with the rest of the control group. Type=notify with
// MAINPID= and READY=1 moves the main pid along, given NotifyAccess=all: under the default, main, the
// successor's message is dropped (the sender is read from SCM_CREDENTIALS) and it dies as under
// Type=simple; socket activation (the real systemd-socket-activate)
// hands generation 1 its listener at fd 3, which every generation then passes on; a pm2-like manager that
// tracks one pid restarts the "dead" app into a port the successor holds. systemd cannot run here (it must
// be PID 1) and pm2 is not a dependency of the tutor: a stand-in that follows their rules (pm2 7's code) plays them, and says
// so on screen (lessons/servers/16-unit-manager.ts); where pm2 7 is installed, one step runs the real pm2
// too (16-supervisors.realpm2.ts). The machinery is in 16-supervisors.kit.ts.
import { statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAlive } from '../src/demo/marker.js';
import { excerpt } from '../src/lesson/excerpt.js';
import { listenersOn } from '../src/lesson/kit.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { commOf, environOf, parentOf, rowsOf, sharing } from '../src/lesson/procview.js';
import type { FdRow } from '../src/fdtable/model.js';
import type { CheckResult, Lesson, LessonContext, Text } from '../src/lesson/types.js';
import {
  activateMissing,
  answeredBy,
  gatePath,
  generation,
  getOnce,
  loadText,
  managerName,
  serverEvents,
  startUnit,
  tellManager,
  TIMEOUT_STOP_MS,
  unitEvents,
  unitState,
  waitReport,
} from './16-supervisors.kit.js';
import { pm2Steps, type Pm2Vars } from './16-supervisors.pm2.js';
import {
  followUnderLoad,
  isListener,
  isTcp,
  listenerOf,
  LOAD_REFUSED,
  loadRefused,
  mainExitStopped,
  NONE_FAILED,
  noneFailed,
  nothingLeft,
  reloadUntilStopped,
  remember,
  startServing,
  unitOf,
  waitGeneration,
} from './16-supervisors.units.js';

/** What the steps carry (besides the units and their loads' counters, Pm2Vars' UnitVars). */
interface Vars extends Pm2Vars {
  /** Why systemd-socket-activate cannot run here; null when it can. */
  noActivate: string | null;
  /** The socket unit's listener in systemd-socket-activate before the first connection: its fd 3. */
  saWaiting: { comm: string | undefined; row: FdRow | undefined };
  /** The answer to the first connection, and who answered. */
  saFirst: { pid: number } | { error: string };
  /** The listener's rows while sa-1 and sa-2 both live: manager's copy, sa-1's fd 3, sa-2's fd 3. */
  saShared: { count: number; detail: string; inode: number | null | undefined };
}

const STANDIN: Text = {
  en: 'Not systemd: a stand-in that follows systemd.service(5) and sd_notify(3). systemd runs only as PID 1 (or a user manager under one), which this tutor is not, so lessons/servers/16-unit-manager.ts plays it: it implements exactly the rules this lesson states, and each is cited in its comments.',
  zh: '这不是 systemd：而是一个按照 systemd.service(5) 和 sd_notify(3) 的规则行事的替身。systemd 只能作为 PID 1（或在它之下的用户管理器）运行，而本教程不是，所以由 lessons/servers/16-unit-manager.ts 扮演它：它恰好实现了本课所讲的规则，每条规则都在它的注释里注明了出处。',
};

/** The caption of a table after the unit stopped, and the check that reads it. */
const LEFT_CAPTION: Text = { en: 'what is left of the service: no process, no listener', zh: '服务还剩下什么：没有进程，也没有监听 socket' };
const NOTHING_LEFT: Text = { en: 'no process of the service is left, and nothing listens on the port', zh: '服务的进程一个都没剩下，端口上也没有监听者' };

/** The notification socket a Type=notify stand-in holds (bound in its private notify-XXXXXX directory). */
const isNotifySocket = (row: FdRow) => row.type === 'UNIX' && /\/notify-[^/]+\/notify\b/.test(row.name);

/** A check that needs systemd-socket-activate: ○ with the reason where it is missing. */
function needsActivate(check: (ctx: LessonContext<Vars>) => CheckResult | Promise<CheckResult>) {
  return (ctx: LessonContext<Vars>) => (ctx.vars.noActivate ? { ok: false, skipped: true, detail: ctx.vars.noActivate } : check(ctx));
}

export const lesson: Lesson<Vars> = {
  id: 'supervisors',
  number: 16,
  chapter: { en: 'Chapter 3 · Operations', zh: '第三章 · 运维' },
  title: { en: 'Supervisors: systemd, socket activation, pm2', zh: '进程管理器：systemd、套接字激活、pm2' },
  summary: {
    en: 'A hot restart ends the very process the service manager started. Under systemd\'s Type=simple that reads as the death of the service, and the successor is killed with it; Type=notify with MAINPID= and READY=1 moves the manager along to the successor, if NotifyAccess=all lets it speak; socket activation (the real systemd-socket-activate) hands generation 1 its listener at fd 3; a manager that tracks one pid, as pm2 does, restarts an app that is still running — unless the pid it tracks is a stable parent, hotrestart-run. Played live under a stand-in manager that follows the documented rules (and under the real pm2 too, where it is installed), with a loopback load counting what fails.',
    zh: '热重启会结束服务管理器亲手启动的那个进程。在 systemd 的 Type=simple 下，这被当作服务的死亡，后继进程也跟着被杀；Type=notify 配合 MAINPID= 和 READY=1，让管理器跟到后继进程上，前提是 NotifyAccess=all 允许后继进程发通知；套接字激活（真实的 systemd-socket-activate）在 fd 3 上把监听 socket 交给第 1 代；像 pm2 那样只盯一个 pid 的管理器，会去「重启」一个其实还在运行的应用——除非它盯的是一个稳定的父进程 hotrestart-run。全部在一个按文档规则行事的替身管理器下实时演示（装了 pm2 的话，也在真正的 pm2 下演示），回环负载统计失败的请求。',
  },
  recap: [
    { en: 'Type=simple: when the main process exits, systemd stops the unit and kills every process left in its control group — the successor too.', zh: 'Type=simple：主进程一退出，systemd 就停止服务单元，并杀掉控制组里剩下的每个进程——后继进程也不例外。' },
    { en: 'Type=notify with NotifyAccess=all: each generation sends MAINPID=<its pid> and READY=1 once ready, so the old one\'s exit is just a process leaving. Under the default, main, the successor is not heard and dies as under Type=simple.', zh: 'Type=notify 加 NotifyAccess=all：每一代就绪后都发送 MAINPID=<自己的 pid> 和 READY=1，旧进程的退出就只是一个进程离开而已。在默认的 main 下，后继进程的通知没人听，它会像 Type=simple 下一样被杀。' },
    { en: 'Socket activation puts the listener at fd 3 with LISTEN_FDS=1 and LISTEN_PID; every generation passes on that same open file description.', zh: '套接字激活把监听 socket 放在 fd 3，并设置 LISTEN_FDS=1 和 LISTEN_PID；之后每一代传下去的都是同一个打开文件描述。' },
    { en: 'A manager that tracks one pid (pm2) must track a stable process instead: hotrestart-run, or its own cluster reload.', zh: '只盯一个 pid 的管理器（pm2）应该去盯一个稳定不变的进程：hotrestart-run，或者它自己的 cluster reload。' },
  ],
  steps: [
    {
      id: 'simple-start',
      title: { en: 'A unit of Type=simple', zh: '一个 Type=simple 的服务单元' },
      text: {
        en: `${STANDIN.en}\n\nThe unit runs lesson 13's server, which upgrades itself with the restart module: SIGUSR2 starts a successor that inherits the listener at fd 3, and the old process leaves once the successor is ready. ExecReload= sends that SIGUSR2, as the module's README recommends.\n\nType=simple (the default when ExecStart= is set) means: the process ExecStart= forks off is the service's main process, and the unit is active as soon as it is forked. The manager also keeps the set of the service's processes. systemd uses the unit's control group for that; the stand-in is a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so every process the service ever starts stays its descendant, even one whose parent exits — the same set.`,
        zh: `${STANDIN.zh}\n\n这个服务单元运行第 13 课的服务，它用重启模块给自己升级：SIGUSR2 启动一个后继进程，后继进程在 fd 3 上继承监听 socket，等后继进程就绪后旧进程离开。ExecReload= 发送的就是这个 SIGUSR2，正如模块的 README 所建议的那样。\n\nType=simple（设置了 ExecStart= 时的默认值）的意思是：ExecStart= 派生出的进程就是服务的主进程，它一派生出来服务单元就算启动了。管理器还要掌握服务的全部进程。systemd 用服务单元的控制组（cgroup）来做这件事；替身则是一个 child subreaper（prctl PR_SET_CHILD_SUBREAPER），所以服务启动过的每个进程都始终是它的后代，哪怕这个进程的父进程已经退出——得到的是同一个集合。`,
      },
      code: {
        other: { label: 'app.service', code: '[Service]\nType=simple\nExecStart=/usr/bin/node /srv/app/server.js\nExecReload=/bin/kill -USR2 $MAINPID' },
      },
      async run(ctx) {
        await ctx.start('launcher');
        ctx.vars.noActivate = activateMissing();
        await startServing(ctx, 'simple', { type: 'simple' });
      },
      show: { processes: [managerName('simple'), 'simple-1'], focus: isListener, only: isTcp },
      expect: [
        {
          text: { en: 'simple-1 is the main process, a child of the manager, and the unit is active', zh: 'simple-1 是主进程，是管理器的子进程，服务单元处于 active' },
          check: (ctx) => {
            const unit = ctx.vars.units?.simple;
            const main = generation(unit, 1);
            const ok = !!unit && main !== undefined && parentOf(main) === unit.manager && unitState(unit) === 'active' && unitEvents(unit, 'state').at(-1)?.mainPid === main;
            return { ok, detail: `main pid ${main ?? '-'}, PPid ${main ? parentOf(main) : '-'}, ${unitState(unit) ?? '-'}` };
          },
        },
        {
          text: { en: 'simple-1 listens on 127.0.0.1, the only listener on its port', zh: 'simple-1 在 127.0.0.1 上监听，是这个端口上唯一的监听者' },
          check: (ctx) => {
            const port = ctx.vars.units?.simple?.port ?? 0;
            return { ok: port > 0 && listenersOn(port).length === 1 && !!listenerOf(ctx, 'simple-1'), detail: `127.0.0.1:${port}: ${listenersOn(port).length} LISTEN` };
          },
        },
      ],
    },
    {
      id: 'simple-reload',
      title: { en: 'A hot restart under Type=simple: nothing is left', zh: 'Type=simple 下的热重启：什么都没剩下' },
      text: {
        en: `A load starts, and the tutor runs systemctl reload: the manager sends SIGUSR2 to the main process. simple-1 starts simple-2, simple-2 inherits the listener and says it is ready, simple-1 hands over and exits with code 0 — a perfect hot restart, as far as the server can tell.\n\nBut simple-1 was the main process. systemd.service(5): with RemainAfterExit=no (the default) the service is over when its main process is; the unit is stopped, and "any processes remaining for it are terminated according to the KillMode= setting". KillMode=control-group (the default, systemd.kill(5)) sends SIGTERM to every remaining process of the unit, and SIGKILL to what is left after TimeoutStopSec= (90 s by default; ${TIMEOUT_STOP_MS} ms here). The remaining process is simple-2, the successor that was serving perfectly well. It drains and exits; the port has no listener, and the load counts refused connections.`,
        zh: `负载开始，教程执行 systemctl reload：管理器向主进程发送 SIGUSR2。simple-1 启动 simple-2，simple-2 继承监听 socket 并报告就绪，simple-1 完成交接后以退出码 0 退出——从服务自己的角度看，这是一次完美的热重启。\n\n可是 simple-1 是主进程。systemd.service(5)：在 RemainAfterExit=no（默认值）时，主进程结束，服务也就结束了；服务单元被停止，「剩下的进程按 KillMode= 的设置终止」。KillMode=control-group（默认值，见 systemd.kill(5)）向服务单元剩下的每个进程发送 SIGTERM，过了 TimeoutStopSec=（默认 90 秒；这里是 ${TIMEOUT_STOP_MS} 毫秒）还在的进程再收到 SIGKILL。剩下的进程正是 simple-2——那个好好在服务的后继进程。它排空连接后退出；端口上没有了监听者，负载统计到被拒绝的连接。`,
      },
      async run(ctx) {
        await reloadUntilStopped(ctx, 'simple', { en: 'Type=simple', zh: 'Type=simple' });
      },
      show: {
        processes: [managerName('simple'), 'simple-1', 'simple-2'],
        only: isTcp,
        caption: LEFT_CAPTION,
      },
      expect: [
        {
          text: { en: 'simple-2 started, inherited the listener and answered requests', zh: 'simple-2 启动了，继承了监听 socket，也应答了请求' },
          check: (ctx) => {
            const unit = ctx.vars.units?.simple;
            const second = serverEvents(unit, 'listening').find((r) => r.generation === 2);
            const answered = answeredBy(ctx.vars.stats?.simple, second?.pid);
            return { ok: second?.inherited === true && second.fd === 3 && answered > 0, detail: `simple-2 fd ${String(second?.fd ?? '-')}, ${answered} answers` };
          },
        },
        {
          text: { en: "the main process's exit stopped the unit: SIGTERM went to simple-2", zh: '主进程的退出让服务单元停止了：SIGTERM 发给了 simple-2' },
          check: mainExitStopped('simple'),
        },
        { text: NOTHING_LEFT, check: (ctx) => nothingLeft(ctx, 'simple') },
        { text: LOAD_REFUSED, check: loadRefused('simple') },
      ],
      quiz: {
        question: { en: 'simple-1 exited with code 0 after a successful handover. Why did systemd kill simple-2?', zh: 'simple-1 在成功交接后以退出码 0 退出。systemd 为什么杀掉了 simple-2？' },
        choices: [
          { en: 'simple-1 was the main process: its exit ends the service, and stopping a unit kills every process left in its control group', zh: 'simple-1 是主进程：它一退出服务就结束了，而停止服务单元会杀掉控制组里剩下的每个进程' },
          { en: 'simple-2 was not started by systemd, so systemd kills it as an intruder', zh: 'simple-2 不是 systemd 启动的，所以 systemd 把它当入侵者杀掉' },
          { en: 'Two processes held the same port, which systemd forbids', zh: '两个进程持有同一个端口，这是 systemd 禁止的' },
        ],
        answer: 0,
        explanation: {
          en: 'systemd does not mind extra processes in a unit — they are simply members of its control group. What it watches is the main process: under Type=simple that is the one it started, and its exit (with RemainAfterExit=no) means the service has ended. The stop that follows is KillMode=control-group: SIGTERM to all that remain.',
          zh: 'systemd 并不介意服务单元里多出几个进程——它们只是控制组里的成员。它盯的是主进程：在 Type=simple 下就是它启动的那个进程，这个进程一退出（在 RemainAfterExit=no 时）就意味着服务结束。随后的停止按 KillMode=control-group 执行：向剩下的所有进程发送 SIGTERM。',
        },
      },
      hint: {
        en: 'On a machine with systemd, `systemctl status app` shows "Main PID" and the control group\'s processes; `journalctl -u app` shows the stop after the reload.',
        zh: '在有 systemd 的机器上，`systemctl status app` 会显示「Main PID」和控制组里的进程；`journalctl -u app` 能看到 reload 之后的那次停止。',
      },
    },
    {
      id: 'notify-start',
      title: { en: 'Type=notify: the service says when it is ready', zh: 'Type=notify：服务自己说何时就绪' },
      text: {
        en: `${STANDIN.en}\n\nWith Type=notify the manager creates a unix datagram socket and names it in the service's environment: NOTIFY_SOCKET. The service sends it lines of KEY=VALUE (sd_notify(3)). The unit stays "activating" until READY=1 arrives; MAINPID=<pid> tells the manager which process is the main one. NotifyAccess=all lets any process of the service send; the default, main, only the main process.\n\nThe restart module sends MAINPID=<its pid> and READY=1 from ready() in every generation. Who sent a datagram is what the kernel says: with SO_PASSCRED set on the socket, each datagram comes with SCM_CREDENTIALS, the sender's pid, uid and gid. systemd reads them on its one socket for every service, /run/systemd/notify; the stand-in reads them on its own, in a private 0700 directory.`,
        zh: `${STANDIN.zh}\n\n在 Type=notify 下，管理器创建一个 unix 数据报 socket，并在服务的环境变量 NOTIFY_SOCKET 里写上它的地址。服务向它发送若干行 KEY=VALUE（sd_notify(3)）。在收到 READY=1 之前，服务单元一直处于「activating」；MAINPID=<pid> 告诉管理器哪个进程是主进程。NotifyAccess=all 允许服务的任何进程发送；默认值 main 只允许主进程发送。\n\n重启模块在每一代的 ready() 里发送 MAINPID=<自己的 pid> 和 READY=1。数据报是谁发的，由内核说了算：socket 设置了 SO_PASSCRED 后，每个数据报都附带 SCM_CREDENTIALS，即发送者的 pid、uid 和 gid。systemd 在它为所有服务共用的那个 socket（/run/systemd/notify）上读取它们；替身在它自己的 socket 上读取，这个 socket 放在一个 0700 的私有目录里。`,
      },
      code: {
        other: { label: 'app.service', code: '[Service]\nType=notify\nNotifyAccess=all\nExecStart=/usr/bin/node /srv/app/server.js\nExecReload=/bin/kill -USR2 $MAINPID' },
        go: excerpt('go/sdnotify.go', 'sd-notify'),
        node: excerpt('node/notify.mjs', 'server'),
      },
      async run(ctx) {
        await startServing(ctx, 'notify', { type: 'notify', notifyAccess: 'all' });
      },
      show: { processes: [managerName('notify'), 'notify-1'], focus: (row) => isListener(row) || isNotifySocket(row), only: (row) => isTcp(row) || isNotifySocket(row) },
      expect: [
        {
          text: { en: 'the manager holds a unix datagram socket in a 0700 directory, and NOTIFY_SOCKET in notify-1\'s environment names it', zh: '管理器持有一个位于 0700 目录中的 unix 数据报 socket，notify-1 环境变量里的 NOTIFY_SOCKET 指向它' },
          check: (ctx) => {
            const unit = ctx.vars.units?.notify;
            const path = String(unitEvents(unit, 'started')[0]?.notifySocket ?? '');
            const main = generation(unit, 1);
            const row = unit ? rowsOf(ctx, managerName('notify')).find(isNotifySocket) : undefined;
            let mode = '-';
            try {
              mode = (statSync(dirname(path)).mode & 0o777).toString(8);
            } catch {
              // no such directory: the check fails below
            }
            const named = main !== undefined && environOf(main).get('NOTIFY_SOCKET') === path;
            return { ok: !!path && !!row && row.name.includes(path) && mode === '700' && named, detail: `${row?.name ?? 'no socket'} (dir ${mode})` };
          },
        },
        {
          text: { en: "the unit became active on READY=1 from notify-1 (the kernel's SCM_CREDENTIALS say: its pid), whose MAINPID= named itself", zh: '服务单元在收到 notify-1 的 READY=1 时才变为 active（内核的 SCM_CREDENTIALS 表明：发自它的 pid），而它的 MAINPID= 写的是它自己' },
          check: (ctx) => {
            const unit = ctx.vars.units?.notify;
            const main = generation(unit, 1);
            const notes = unitEvents(unit, 'notify').map((r) => String(r.text));
            const ready = unitEvents(unit, 'notify').find((r) => r.text === `MAINPID=${main}\nREADY=1`);
            const active = unitEvents(unit, 'state').find((r) => r.state === 'active');
            const ok = main !== undefined && ready?.sender === main && active?.why === 'ready' && active.mainPid === main;
            return { ok, detail: `${notes.map((note) => note.replace('\n', ' ')).join(' | ') || 'no notification'}` };
          },
        },
      ],
    },
    {
      id: 'notify-reload',
      title: { en: 'A hot restart under Type=notify: the main pid moves', zh: 'Type=notify 下的热重启：主进程换了' },
      text: {
        en: 'The same reload under load. notify-2 starts, listens on the inherited fd 3, and its ready() sends MAINPID=<notify-2> and READY=1. The manager checks that the pid belongs to the service (systemd refuses a MAINPID= outside the unit unless root sent it) and makes notify-2 the main process. Only then does notify-1 hear it may leave: the datagram is sent before the module tells the predecessor, and systemd reads its notification socket before it handles a process\'s exit, so the order holds.\n\nWhen notify-1 exits, it is no longer the main process: just a process of the service leaving. The unit stays active, nothing is killed, and no request fails.',
        zh: '负载之下同样执行 reload。notify-2 启动，在继承来的 fd 3 上监听，它的 ready() 发送 MAINPID=<notify-2> 和 READY=1。管理器确认这个 pid 属于该服务（MAINPID= 指向服务单元之外的进程时，除非发送者是 root，否则 systemd 会拒绝），然后把 notify-2 设为主进程。这之后 notify-1 才得知自己可以离开：数据报在模块通知前任之前就已发出，而 systemd 会先读通知 socket，再处理进程的退出，所以顺序有保证。\n\nnotify-1 退出时，它已经不是主进程了：只是服务的一个进程离开而已。服务单元保持 active，没有进程被杀，也没有请求失败。',
      },
      code: { go: excerpt('go/sdnotify.go', 'ready') },
      async run(ctx) {
        await followUnderLoad(ctx, 'notify', (unit) => tellManager(ctx, unit, 'SIGHUP'), { en: 'Type=notify', zh: 'Type=notify' });
      },
      show: { processes: [managerName('notify'), 'notify-1', 'notify-2'], focus: isListener, only: (row) => isTcp(row) || isNotifySocket(row) },
      expect: [
        {
          text: { en: 'MAINPID= from notify-2 was accepted: the main pid is notify-2, and the unit is still active', zh: 'notify-2 的 MAINPID= 被接受了：主进程是 notify-2，服务单元仍是 active' },
          check: (ctx) => {
            const unit = ctx.vars.units?.notify;
            const second = generation(unit, 2);
            const moved = unitEvents(unit, 'main-pid').at(-1);
            return { ok: second !== undefined && moved?.subject === second && unitState(unit) === 'active', detail: `main pid ${String(moved?.was ?? '-')} → ${String(moved?.subject ?? '-')}, ${unitState(unit) ?? '-'}` };
          },
        },
        {
          text: { en: "notify-1's exit was not the main process's: nothing was killed", zh: 'notify-1 的退出不是主进程的退出：没有任何进程被杀' },
          check: (ctx) => {
            const unit = ctx.vars.units?.notify;
            const first = generation(unit, 1);
            const exit = unitEvents(unit, 'exit').find((r) => r.subject === first);
            const kills = unitEvents(unit, 'kill').length;
            return { ok: exit?.main === false && kills === 0 && first !== undefined && !isAlive(first), detail: `notify-1 exit ${String(exit?.code ?? '-')}, main: ${String(exit?.main ?? '-')}; ${kills} kill` };
          },
        },
        {
          text: { en: 'notify-2 serves on the same listening socket, and no request failed', zh: 'notify-2 在同一个监听 socket 上提供服务，没有请求失败' },
          check: (ctx) => {
            const unit = ctx.vars.units?.notify;
            const stats = ctx.vars.stats?.notify;
            const listeners = unit ? listenersOn(unit.port) : [];
            const row = unit ? listenerOf(ctx, 'notify-2') : undefined;
            const ok = !!stats && stats.failed === 0 && answeredBy(stats, generation(unit, 2)) > 0 && listeners.length === 1 && row?.fd === 3 && row.inode === listeners[0].inode;
            return { ok, detail: `${loadText(ctx, stats)}; notify-2 fd ${row?.fd ?? '-'}` };
          },
        },
      ],
      hint: {
        en: 'With systemd: `systemctl show -p MainPID app` before and after `systemctl reload app` shows the main pid move; the module\'s unit file is packages/restart/examples/app.service.',
        zh: '在 systemd 下：在 `systemctl reload app` 前后各执行一次 `systemctl show -p MainPID app`，就能看到主进程换了；模块的 unit 文件在 packages/restart/examples/app.service。',
      },
    },
    {
      id: 'notify-main',
      title: { en: 'NotifyAccess=main: the successor is not heard', zh: 'NotifyAccess=main：后继进程的通知没人听' },
      text: {
        en: 'The same hot restart on a second unit, nmain, which leaves NotifyAccess= at its default for Type=notify: main. nmain-2 sends MAINPID=<nmain-2> and READY=1, but the kernel names the sender nmain-2, not the main process: the whole message is dropped, and the manager logs the line systemd logs (at debug level, src/core/service.c). The main pid stays nmain-1. When nmain-1 hands over and exits, the service is over, as under Type=simple: SIGTERM to nmain-2, and the load is refused.\n\nHence NotifyAccess=all in the module\'s unit file (packages/restart/examples/app.service): a successor always speaks before it is the main process.',
        zh: '在第二个服务单元 nmain 上做同样的热重启，它的 NotifyAccess= 保持 Type=notify 下的默认值：main。nmain-2 发送 MAINPID=<nmain-2> 和 READY=1，但内核指明发送者是 nmain-2，不是主进程：整条消息被丢弃，管理器记下 systemd 会记的那行日志（debug 级别，见 src/core/service.c）。主进程仍是 nmain-1。nmain-1 完成交接退出时，服务就结束了，和 Type=simple 一样：SIGTERM 发给 nmain-2，负载的连接被拒绝。\n\n所以模块的 unit 文件（packages/restart/examples/app.service）写着 NotifyAccess=all：后继进程发通知时，总是还没成为主进程。',
      },
      code: {
        other: { label: 'nmain.service', code: '[Service]\nType=notify\n# NotifyAccess=main: the default\nExecStart=/usr/bin/node /srv/app/server.js\nExecReload=/bin/kill -USR2 $MAINPID' },
      },
      async run(ctx) {
        await startServing(ctx, 'nmain', { type: 'notify', notifyAccess: 'main' });
        await reloadUntilStopped(ctx, 'nmain', { en: 'NotifyAccess=main', zh: 'NotifyAccess=main' });
      },
      show: {
        processes: [managerName('nmain'), 'nmain-1', 'nmain-2'],
        only: isTcp,
        caption: LEFT_CAPTION,
      },
      expect: [
        {
          text: { en: "nmain-2's MAINPID= and READY=1 were dropped: reception only permitted for main PID nmain-1", zh: 'nmain-2 的 MAINPID= 和 READY=1 被丢弃：只接受主进程 nmain-1 的通知' },
          check: (ctx) => {
            const unit = ctx.vars.units?.nmain;
            const [first, second] = [generation(unit, 1), generation(unit, 2)];
            const sent = unitEvents(unit, 'notify').find((r) => r.sender === second && r.text === `MAINPID=${second}\nREADY=1`);
            const refused = unitEvents(unit, 'notify-refused').find((r) => r.subject === second);
            const ok = second !== undefined && !!sent && refused?.mainPid === first && unitEvents(unit, 'main-pid').length === 0;
            return { ok, detail: String(refused?.text ?? 'no refusal logged') };
          },
        },
        {
          text: { en: "nmain-1's exit was the main process's: the unit stopped, SIGTERM went to nmain-2", zh: 'nmain-1 的退出是主进程的退出：服务单元停止了，SIGTERM 发给了 nmain-2' },
          check: mainExitStopped('nmain'),
        },
        { text: NOTHING_LEFT, check: (ctx) => nothingLeft(ctx, 'nmain') },
        { text: LOAD_REFUSED, check: loadRefused('nmain') },
      ],
      quiz: {
        question: { en: 'nmain-2 was serving, and sent MAINPID= and READY=1. Why was it killed?', zh: 'nmain-2 正在提供服务，也发送了 MAINPID= 和 READY=1。它为什么被杀了？' },
        choices: [
          { en: 'Not sent by the main process, its message was dropped whole (NotifyAccess=main); nmain-1 stayed main, and its exit ended the service', zh: '它的消息不是主进程发的，被整条丢弃（NotifyAccess=main）；主进程仍是 nmain-1，它一退出服务就结束了' },
          { en: 'MAINPID= may only name a direct child of the manager, and nmain-2 is a grandchild', zh: 'MAINPID= 只能指向管理器的直接子进程，而 nmain-2 是孙进程' },
          { en: 'A unit accepts READY=1 only once, and the second one stopped it', zh: '一个服务单元只接受一次 READY=1，第二次 READY=1 让它停止了' },
        ],
        answer: 0,
        explanation: {
          en: 'systemd.service(5): with NotifyAccess=main only status updates sent from the main process are accepted, and main is the default for Type=notify. The sender is what SCM_CREDENTIALS says, and a successor speaks before it is the main process. In the step before, under NotifyAccess=all, notify-2\'s MAINPID= and its second READY=1 were accepted: neither its place in the process tree nor a second READY=1 is the reason.',
          zh: 'systemd.service(5)：NotifyAccess=main 时只接受主进程发来的状态更新，而 Type=notify 下的默认值就是 main。发送者是谁，由 SCM_CREDENTIALS 说了算，而后继进程发通知时还不是主进程。上一步里，在 NotifyAccess=all 下，notify-2 的 MAINPID= 和第二次 READY=1 都被接受了：原因既不在它在进程树中的位置，也不在第二次 READY=1。',
        },
      },
      hint: {
        en: 'With systemd: `journalctl -u app` shows this line only with debug logging on (`systemctl log-level debug`); `systemctl show -p NotifyAccess app` shows the setting.',
        zh: '在 systemd 下：只有打开 debug 日志（`systemctl log-level debug`）时，`journalctl -u app` 才会显示这一行；`systemctl show -p NotifyAccess app` 可以看到这项设置。',
      },
    },
    {
      id: 'socket-activation',
      title: { en: 'Socket activation: systemd-socket-activate holds fd 3', zh: '套接字激活：systemd-socket-activate 持有 fd 3' },
      text: {
        en: `Socket activation: the manager binds the port itself (a .socket unit, ListenStream=) and hands the listening socket to the service at fd 3, with LISTEN_FDS=1 and LISTEN_PID=<the service's pid> (sd_listen_fds(3)). systemd-socket-activate is a real program from Debian's systemd package that does this outside systemd: it listens, waits for the first connection, then execs the service in its own process.\n\nHere the stand-in (Type=notify) binds 127.0.0.1 port 0 and starts systemd-socket-activate with it at fd 3, which it passes on (it refuses "-l 127.0.0.1:0", and a port probed free could be taken before it binds). So sa-1 is, for now, systemd-socket-activate itself, waiting: its fd 3 and the manager's copy are one socket, one DESC letter. No one has called accept(), and the unit is still activating.`,
        zh: `套接字激活：由管理器自己绑定端口（.socket 单元，ListenStream=），再把监听 socket 放在 fd 3 上交给服务，同时设置 LISTEN_FDS=1 和 LISTEN_PID=<服务的 pid>（sd_listen_fds(3)）。systemd-socket-activate 是 Debian systemd 软件包里的一个真实程序，它在 systemd 之外做这件事：监听，等第一个连接到来，然后在它自己的进程里 exec 服务程序。\n\n这里由替身（Type=notify）绑定 127.0.0.1 的 0 号端口，把它放在 fd 3 上启动 systemd-socket-activate，后者会把它传下去（它不接受「-l 127.0.0.1:0」，而事先探测出的空闲端口在它绑定之前可能被别人占去）。所以此刻的 sa-1 就是 systemd-socket-activate 本身，正在等待：它的 fd 3 和管理器手里的那一份是同一个 socket，DESC 字母相同。还没有人调用 accept()，服务单元仍处于 activating。`,
      },
      code: {
        other: { label: 'shell', code: 'systemd-socket-activate -l 127.0.0.1:8080 --fdname=http -E NOTIFY_SOCKET node server.js\n# app.socket:  [Socket]  ListenStream=8080  FileDescriptorName=http' },
        go: excerpt('go/sdnotify.go', 'listen-fds'),
      },
      async run(ctx) {
        if (ctx.vars.noActivate) {
          ctx.log({ en: `skipped: ${ctx.vars.noActivate}`, zh: `跳过：${ctx.vars.noActivate}` });
          return;
        }
        const unit = await startUnit(ctx, 'sa', { type: 'notify', notifyAccess: 'all', listen: '127.0.0.1:0', activate: true, env: { READY_GATE: gatePath(ctx, 'sa') } });
        remember(ctx, unit);
        const main = Number(unitEvents(unit, 'started')[0]?.subject);
        // The shell that set LISTEN_PID execs systemd-socket-activate in the same process.
        await ctx.until(() => commOf(main)?.startsWith('systemd-socket') && rowsOf(ctx, 'sa-1').some((row) => row.fd === 3 && isListener(row)), 10_000);
        ctx.vars.saWaiting = { comm: commOf(main), row: rowsOf(ctx, 'sa-1').find((row) => row.fd === 3) };
      },
      show: { processes: [managerName('sa'), 'sa-1'], focus: isListener, only: isTcp },
      expect: [
        {
          text: { en: 'sa-1 is systemd-socket-activate, holding the listener at fd 3', zh: 'sa-1 是 systemd-socket-activate，在 fd 3 上持有监听 socket' },
          check: needsActivate((ctx) => {
            const { comm, row } = ctx.vars.saWaiting ?? {};
            return { ok: !!comm?.startsWith('systemd-socket') && row?.fd === 3 && row.socket?.state === 'LISTEN', detail: `comm ${comm ?? '-'}, fd 3 ${row?.name ?? 'not open'}` };
          }),
        },
        {
          text: { en: "its fd 3 and the manager's copy are one open file description", zh: '它的 fd 3 和管理器手里的那一份是同一个打开文件描述' },
          check: needsActivate((ctx) => {
            const unit = ctx.vars.units?.sa;
            const managerFd = Number(unitEvents(unit, 'socket')[0]?.fd);
            const shared = sharing(ctx, [[managerName('sa'), managerFd], ['sa-1', 3]]);
            return { ok: shared.count === 1, detail: shared.detail };
          }),
        },
        {
          text: { en: 'the unit is still activating: the server has not started yet', zh: '服务单元仍在启动中：服务程序还没有开始运行' },
          check: needsActivate((ctx) => {
            const unit = ctx.vars.units?.sa;
            return { ok: !!unit && unitState(unit) === 'activating' && serverEvents(unit, 'listening').length === 0, detail: unitState(unit) ?? '-' };
          }),
        },
      ],
    },
    {
      id: 'first-connection',
      title: { en: 'The first connection starts generation 1', zh: '第一个连接启动第 1 代' },
      text: {
        en: "The tutor sends one request. systemd-socket-activate sees the connection waiting in the accept queue and execs the server in the same process: same pid, now node. The connection is not lost: it waits in the queue of the socket at fd 3 until node listens on that fd and accepts it.\n\nThe server's environment holds what systemd-socket-activate set: LISTEN_FDS=1 (one fd, from 3), LISTEN_PID=<its own pid> (so a child that inherits the variables by mistake ignores them) and LISTEN_FDNAMES=http (--fdname), by which up.listen(server, 'http', …) finds it. /proc/PID/environ still shows them after the module took them out of process.env.",
        zh: '教程发出一个请求。systemd-socket-activate 看到 accept 队列里有连接在等待，就在同一个进程里 exec 服务程序：pid 不变，现在是 node。这个连接不会丢：它在 fd 3 那个 socket 的队列里等着，直到 node 在这个 fd 上 listen 并把它 accept。\n\n服务程序的环境变量里有 systemd-socket-activate 设置的：LISTEN_FDS=1（一个 fd，从 3 开始）、LISTEN_PID=<它自己的 pid>（这样误继承了这些变量的子进程会忽略它们）以及 LISTEN_FDNAMES=http（--fdname），up.listen(server, \'http\', …) 就是靠这个名字找到它的。模块把这些变量从 process.env 中删掉之后，/proc/PID/environ 里仍然看得到它们。',
      },
      async run(ctx) {
        if (ctx.vars.noActivate) return;
        const unit = unitOf(ctx, 'sa');
        ctx.vars.saFirst = await getOnce(unit.port);
        await waitReport(unit, (r) => r.event === 'unit' && r.kind === 'state' && r.state === 'active', 10_000, { en: 'READY=1 from sa-1', zh: '来自 sa-1 的 READY=1' });
      },
      show: { processes: [managerName('sa'), 'sa-1'], focus: isListener, only: isTcp },
      expect: [
        {
          text: { en: 'the first request was answered by sa-1, the same pid, now node', zh: '第一个请求由 sa-1 应答：同一个 pid，现在是 node' },
          check: needsActivate((ctx) => {
            const first = ctx.vars.saFirst;
            const main = Number(unitEvents(ctx.vars.units?.sa, 'started')[0]?.subject);
            const answered = !!first && 'pid' in first ? first.pid : undefined;
            return { ok: answered === main && commOf(main) === 'node', detail: first ? ('pid' in first ? `x-pid ${first.pid}, comm ${commOf(main) ?? '-'}` : first.error) : 'no request' };
          }),
        },
        {
          text: { en: "sa-1's environment: LISTEN_FDS=1, LISTEN_PID=its own pid, LISTEN_FDNAMES=http", zh: 'sa-1 的环境变量：LISTEN_FDS=1，LISTEN_PID=它自己的 pid，LISTEN_FDNAMES=http' },
          check: needsActivate((ctx) => {
            const main = Number(unitEvents(ctx.vars.units?.sa, 'started')[0]?.subject);
            const env = environOf(main);
            const ok = !!ctx.vars.saFirst && env.get('LISTEN_FDS') === '1' && env.get('LISTEN_PID') === String(main) && env.get('LISTEN_FDNAMES') === 'http';
            return { ok, detail: `LISTEN_FDS=${env.get('LISTEN_FDS') ?? '-'} LISTEN_PID=${env.get('LISTEN_PID') ?? '-'} LISTEN_FDNAMES=${env.get('LISTEN_FDNAMES') ?? '-'}` };
          }),
        },
        {
          text: { en: 'node serves on fd 3, the socket systemd-socket-activate held (same inode)', zh: 'node 在 fd 3 上提供服务，就是 systemd-socket-activate 持有的那个 socket（inode 相同）' },
          check: needsActivate((ctx) => {
            const listening = serverEvents(ctx.vars.units?.sa, 'listening')[0];
            const row = listenerOf(ctx, 'sa-1');
            const before = ctx.vars.saWaiting?.row?.inode;
            return { ok: listening?.inherited === true && row?.fd === 3 && !!before && row.inode === before, detail: `inode ${before ?? '-'} → ${row?.inode ?? '-'}, fd ${row?.fd ?? '-'}` };
          }),
        },
      ],
      hint: {
        en: "tr '\\0' '\\n' < /proc/PID/environ | grep LISTEN_ shows what a process was started with; `fds PID` shows its fd 3.",
        zh: "tr '\\0' '\\n' < /proc/PID/environ | grep LISTEN_ 可以看到进程启动时拿到的变量；`fds PID` 可以看到它的 fd 3。",
      },
    },
    {
      id: 'activated-reload',
      title: { en: 'The successor holds the same description', zh: '后继进程持有同一个打开文件描述' },
      text: {
        en: "A reload of the socket-activated unit. sa-2 inherits fd 3 from sa-1 and waits at its warm-up, before it listens and says READY=1, so that all three holders can be seen at once: the manager's copy, sa-1's fd 3 and sa-2's fd 3 — one DESC letter, one socket. The description systemd-socket-activate was handed is the one every generation serves; no generation ever binds.",
        zh: '对这个套接字激活的服务单元执行 reload。sa-2 从 sa-1 那里继承 fd 3，并停在预热阶段，还没有 listen，也还没有发送 READY=1，这样就能同时看到三个持有者：管理器的那一份、sa-1 的 fd 3、sa-2 的 fd 3——同一个 DESC 字母，同一个 socket。systemd-socket-activate 拿到的那个打开文件描述，就是每一代都在用的那个；没有哪一代自己 bind 过。',
      },
      async run(ctx) {
        if (ctx.vars.noActivate) return;
        const unit = unitOf(ctx, 'sa');
        await tellManager(ctx, unit, 'SIGHUP');
        await waitGeneration(unit, 2);
        const managerFd = Number(unitEvents(unit, 'socket')[0]?.fd);
        const shared = sharing(ctx, [[managerName('sa'), managerFd], ['sa-1', 3], ['sa-2', 3]]);
        ctx.vars.saShared = { count: shared.count, detail: shared.detail, inode: shared.rows[2]?.inode };
      },
      show: { processes: [managerName('sa'), 'sa-1', 'sa-2'], focus: isListener, only: isTcp, caption: { en: 'three processes, one listening socket: one DESC letter', zh: '三个进程，一个监听 socket：同一个 DESC 字母' } },
      expect: [
        {
          text: { en: "the manager's copy, sa-1's fd 3 and sa-2's fd 3 are one open file description", zh: '管理器的那一份、sa-1 的 fd 3 和 sa-2 的 fd 3 是同一个打开文件描述' },
          check: needsActivate((ctx) => ({ ok: ctx.vars.saShared?.count === 1, detail: ctx.vars.saShared?.detail ?? 'not looked at' })),
        },
        {
          text: { en: 'sa-2 has not said READY=1 yet: the main pid is still sa-1', zh: 'sa-2 还没有发送 READY=1：主进程仍是 sa-1' },
          check: needsActivate((ctx) => {
            const unit = ctx.vars.units?.sa;
            const second = generation(unit, 2);
            return { ok: second !== undefined && unitEvents(unit, 'main-pid').length === 0, detail: `sa-2 ${second ?? '-'}; ${unitEvents(unit, 'main-pid').length} MAINPID change` };
          }),
        },
      ],
    },
    {
      id: 'activated-handover',
      title: { en: 'sa-1 leaves; the socket stays', zh: 'sa-1 离开；socket 留下' },
      text: {
        en: 'Under load the warm-up ends: sa-2 listens on fd 3 and sends MAINPID=<sa-2> and READY=1; the manager follows; sa-1 hands over and exits. The port never stops listening — the manager\'s copy alone would keep it open — and not one request fails.',
        zh: '在负载下预热结束：sa-2 在 fd 3 上 listen，并发送 MAINPID=<sa-2> 和 READY=1；管理器跟了过去；sa-1 完成交接后退出。端口从未停止监听——光是管理器手里那一份就能让它保持打开——没有一个请求失败。',
      },
      async run(ctx) {
        if (ctx.vars.noActivate) return;
        await followUnderLoad(ctx, 'sa', async () => writeFileSync(gatePath(ctx, 'sa'), ''), { en: 'socket activation', zh: '套接字激活' });
      },
      show: { processes: [managerName('sa'), 'sa-2'], focus: isListener, only: isTcp },
      expect: [
        {
          text: { en: 'sa-2 is the main process and serves at fd 3 on the socket systemd-socket-activate was handed', zh: 'sa-2 是主进程，在 fd 3 上服务，用的正是交给 systemd-socket-activate 的那个 socket' },
          check: needsActivate((ctx) => {
            const unit = ctx.vars.units?.sa;
            const second = generation(unit, 2);
            const row = unit ? listenerOf(ctx, 'sa-2') : undefined;
            const ok = second !== undefined && unitEvents(unit, 'main-pid').at(-1)?.subject === second && row?.fd === 3 && row.inode === ctx.vars.saWaiting?.row?.inode && !isAlive(generation(unit, 1) ?? 0);
            return { ok, detail: `main pid ${String(unitEvents(unit, 'main-pid').at(-1)?.subject ?? '-')}, inode ${ctx.vars.saWaiting?.row?.inode ?? '-'} → ${row?.inode ?? '-'}` };
          }),
        },
        { text: NONE_FAILED, check: needsActivate(noneFailed('sa')) },
      ],
    },
    ...pm2Steps,
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

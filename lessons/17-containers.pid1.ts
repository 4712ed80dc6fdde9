// Lesson 17, steps 1 to 5: a self-upgrading server as PID 1 of a PID namespace, its successor killed with
// it at the first upgrade, what PID 1 means for signals, and tini in front of the server (where installed).
import { existsSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../src/demo/marker.js';
import type { FdRow } from '../src/fdtable/model.js';
import { ReportFile, serverCommand } from '../src/lesson/demo-servers.js';
import { excerpt } from '../src/lesson/excerpt.js';
import { buildGo } from '../src/lesson/gobuild.js';
import { listenersOn } from '../src/lesson/kit.js';
import { formatMixedStats } from '../src/lesson/mixed-load.js';
import { parentOf, rowsTogether } from '../src/lesson/procview.js';
import { processState, signalSet } from '../src/lesson/signals.js';
import { LessonActionError, type Step } from '../src/lesson/types.js';
import { askOnce } from '../src/lesson/upgrade-demo.js';
import {
  childOf,
  followNamespace,
  innerPid,
  membersOf,
  nsPids,
  nsPidText,
  onPath,
  PID1_PROGRAM,
  probeNamespace,
  run,
  startInNamespace,
  startWaited,
} from './17-containers.kit.js';
import { answersGrow, available, failedText, FILES, gone, isListener, lifeOf, isTcp, lessonLoad, ns, report, SERVER, SETTLE_ANSWERS, tiniCheck, type Vars } from './17-containers.vars.js';

export const pid1Steps: Step<Vars>[] = [
  {
    id: 'pid-1',
    title: { en: 'A server as PID 1 of its own PID namespace', zh: '一个服务，当上自己 PID 命名空间的 1 号进程' },
    text: {
      en: "A container runtime starts a container's first process in a new PID namespace, where it is PID 1. unshare does the same here: `unshare --pid --fork --mount-proc node server.ts` forks, and the child is PID 1 of the new namespace (--mount-proc gives it a /proc of its own, which lists only the namespace's processes). Where the tutor is not root it tries the same inside a new user namespace (--user --map-root-user).\n\nThe server is the one of lessons 11 and 12, on this project's restart module: SIGUSR2 starts a hot restart. It answers with its pid in an x-pid header — the pid it knows itself by. The tutor sees it under another pid: a process in a nested namespace has a pid at every level, and /proc/PID/status lists them all on its NSpid line, ours first. The network namespace is not new, so 127.0.0.1 is the same loopback inside and out: the tutor reaches the server directly.",
      zh: '容器运行时会把容器的第一个进程放进一个新的 PID 命名空间，它在那里就是 1 号进程。这里用 unshare 做同样的事：`unshare --pid --fork --mount-proc node server.ts` 先 fork，子进程就是新命名空间的 1 号进程（--mount-proc 给它挂一个自己的 /proc，只列出本命名空间的进程）。如果教程不是以 root 运行，它会在一个新的用户命名空间里再试一次（--user --map-root-user）。\n\n服务就是第 11、12 课用过的那个，基于本项目的重启模块：SIGUSR2 触发热重启。它在 x-pid 响应头里回答自己的 pid——它自己知道的那个 pid。教程看到的却是另一个 pid：嵌套命名空间里的进程在每一层都有一个 pid，/proc/PID/status 的 NSpid 行把它们全部列出，我们这一层的在最前面。网络命名空间并没有新建，所以 127.0.0.1 里外是同一个回环地址：教程可以直接访问这个服务。',
    },
    code: { node: excerpt('node/successor.mjs', 'create'), note: { en: 'The server of this step, as lessons 11 to 13 show it; SIGUSR2 starts an upgrade.', zh: '本步骤的服务，和第 11 到 13 课里的一样；SIGUSR2 触发升级。' } },
    async run(ctx) {
      await ctx.start('shell');
      const mode = (ctx.vars.mode = await probeNamespace(ctx));
      if ('reason' in mode) {
        ctx.log({ en: `no PID namespace can be made here: ${mode.reason}`, zh: `这里无法创建 PID 命名空间：${mode.reason}` }, 'error');
        return;
      }
      if (mode.user) ctx.log({ en: 'not root: the namespaces are made inside a new user namespace (--user --map-root-user)', zh: '不是 root：命名空间建在一个新的用户命名空间里（--user --map-root-user）' });
      writeFileSync(join(ctx.supervisor.dir, FILES.knobs), '{}');
      ctx.vars.soloReports = new ReportFile(FILES.solo, ctx.supervisor.dir);
      const env = { KNOB_FILE: join(ctx.supervisor.dir, FILES.knobs), REPORT_FILE: FILES.solo };
      ctx.vars.solo = await startInNamespace(ctx, mode, { unshare: 'unshare', init: 'server' }, serverCommand(SERVER), { env });
      const follow = followNamespace(ctx, ctx.vars.soloReports, () => ctx.vars.solo.init, (r) => (r.generation === 1 ? 'server' : 'successor'));
      ctx.vars.soloPump = follow.pump;
      ctx.vars.soloOuter = follow.outer;
      const listening = await report(ctx, ctx.vars.soloReports, follow.pump, (r) => r.event === 'listening', { en: 'the server to listen', zh: '服务器开始监听' });
      await report(ctx, ctx.vars.soloReports, follow.pump, (r) => r.event === 'ready', { en: 'the server to be ready', zh: '服务器就绪' });
      ctx.vars.port = Number(listening.port);
      ctx.vars.serverFd = Number(listening.fd);
      ctx.vars.answer = await askOnce(ctx.vars.port);
      ctx.log({ en: `GET http://127.0.0.1:${ctx.vars.port}/ → x-pid: ${ctx.vars.answer.pid ?? ctx.vars.answer.error}`, zh: `GET http://127.0.0.1:${ctx.vars.port}/ → x-pid: ${ctx.vars.answer.pid ?? ctx.vars.answer.error}` });
    },
    show: { processes: ['server'], only: isTcp, focus: isListener, caption: { en: 'PID 1 of the namespace, seen from outside by its pid here', zh: '命名空间的 1 号进程，从外面按它在这里的 pid 看' } },
    expect: [
      {
        text: { en: 'the server is PID 1 in its namespace: NSpid lists its pid here, then 1', zh: '服务在它的命名空间里是 1 号进程：NSpid 先列出它在这里的 pid，然后是 1' },
        check: (ctx) => ns(ctx, () => {
          const pids = ctx.vars.solo ? nsPids(ctx.vars.solo.init) : undefined;
          return { ok: pids?.length === 2 && pids[0] === ctx.vars.solo.init && pids[1] === 1, detail: ctx.vars.solo ? `server ${nsPidText(ctx.vars.solo.init)}` : failedText(ctx) };
        }),
      },
      {
        text: { en: 'it answers x-pid: 1, the pid it knows itself by', zh: '它回答 x-pid: 1，这是它自己知道的 pid' },
        check: (ctx) => ns(ctx, () => ({ ok: ctx.vars.answer?.pid === 1, detail: ctx.vars.answer ? `x-pid ${ctx.vars.answer.pid ?? ctx.vars.answer.error}` : failedText(ctx) })),
      },
      {
        text: { en: 'its parent is unshare, which stayed outside: unshare has no pid inside (one NSpid field)', zh: '它的父进程是 unshare，而 unshare 留在外面：它在里面没有 pid（NSpid 只有一个字段）' },
        check: (ctx) => ns(ctx, () => {
          const solo = ctx.vars.solo;
          const ok = !!solo && parentOf(solo.init) === solo.unshare && nsPids(solo.unshare)?.length === 1;
          return { ok, detail: solo ? `PPid ${parentOf(solo.init) ?? '-'}; unshare ${nsPidText(solo.unshare)}` : failedText(ctx) };
        }),
      },
    ],
  },
  {
    id: 'successor',
    title: { en: 'SIGUSR2: the successor starts inside the namespace', zh: 'SIGUSR2：后继进程在命名空间里启动' },
    text: {
      en: 'The shell sends SIGUSR2 to the server, by the pid the tutor sees. The module does what it always does: it starts the same command line again as a child, with the listener at fd 3. The tutor holds the successor in its warm-up (the server\'s holdUntil knob), so both can be looked at: the successor is in the same namespace, with a pid of its own there, and its fd 3 is the server\'s listening socket — one DESC letter, one inode. The tutor finds it from outside by scanning /proc for processes whose /proc/PID/ns/pid names the same namespace, and reads which pid it has inside from NSpid.\n\nSo far, a hot restart like any other.',
      zh: 'shell 按教程看到的 pid 给服务发送 SIGUSR2。模块照常工作：把同样的命令行作为子进程再启动一次，监听 socket 放在 fd 3。教程让后继进程停在预热阶段（服务的 holdUntil 参数），好让两者都能被看清：后继进程在同一个命名空间里，在那里有自己的 pid；它的 fd 3 就是服务的监听 socket——同一个 DESC 字母，同一个 inode。教程从外面扫描 /proc，找 /proc/PID/ns/pid 指向同一个命名空间的进程，再从 NSpid 读出它在里面的 pid。\n\n到目前为止，和别的热重启没什么两样。',
    },
    async run(ctx) {
      if (!available(ctx)) return;
      writeFileSync(join(ctx.supervisor.dir, FILES.knobs), JSON.stringify({ holdUntil: join(ctx.supervisor.dir, FILES.gate) }));
      await ctx.call('shell', { op: 'kill', pid: ctx.vars.solo.init, signal: 'SIGUSR2' });
      const holding = await report(ctx, ctx.vars.soloReports, ctx.vars.soloPump, (r) => r.generation === 2 && r.event === 'holding', { en: 'the successor to start', zh: '后继进程启动' });
      const successor = ctx.vars.soloOuter.get(holding.pid);
      if (successor === undefined) throw new LessonActionError({ en: `the successor (pid ${holding.pid} in the namespace) was not found here`, zh: `在这里找不到后继进程（它在命名空间里是 pid ${holding.pid}）` });
      ctx.vars.successor = successor;
      ctx.log({ en: `successor: pid ${successor} here, ${nsPidText(successor)}`, zh: `后继进程：在这里是 pid ${successor}，${nsPidText(successor)}` });
    },
    show: { processes: ['server', 'successor'], only: isTcp, focus: isListener, caption: { en: 'PID 1 and its successor: one listening socket', zh: '1 号进程和它的后继进程：同一个监听 socket' } },
    expect: [
      {
        text: { en: "the successor is the server's child, in the same namespace, with a pid of its own there", zh: '后继进程是服务的子进程，在同一个命名空间里，在那里有自己的 pid' },
        check: (ctx) => ns(ctx, () => {
          const pid = ctx.vars.successor;
          const inside = pid ? innerPid(pid) : undefined;
          const sameNs = pid !== undefined && ctx.vars.solo !== undefined && membersOf(ctx.vars.solo.init).get(inside ?? -1) === pid;
          return { ok: sameNs && parentOf(pid) === ctx.vars.solo.init && inside !== 1, detail: pid ? `successor ${nsPidText(pid)}, PPid ${parentOf(pid) ?? '-'}` : failedText(ctx) };
        }),
      },
      {
        text: { en: "its fd 3 is the server's listening socket: one description, one inode", zh: '它的 fd 3 就是服务的监听 socket：同一个打开文件描述，同一个 inode' },
        check: (ctx) => ns(ctx, () => {
          if (!ctx.vars.successor) return { ok: false, detail: failedText(ctx) };
          const [server, successor] = rowsTogether(ctx, [['server', ctx.vars.serverFd], ['successor', 3]]);
          const ok = isListener(server ?? ({} as FdRow)) && !!successor && server!.description !== '?' && server!.description === successor.description && server!.inode === successor.inode;
          return { ok, detail: `server fd ${ctx.vars.serverFd} DESC ${server?.description ?? '-'} · successor fd 3 DESC ${successor?.description ?? '-'} · inode ${successor?.inode ?? '-'}` };
        }),
      },
    ],
  },
  {
    id: 'pid1-exits',
    title: { en: 'PID 1 leaves — and the kernel ends the namespace', zh: '1 号进程离开——内核随即终结整个命名空间' },
    text: {
      en: "A load starts outside the namespace: 2 keep-alive clients and 2 that connect per request. The tutor lets the successor finish its warm-up. It listens and says ready; the server, PID 1, hands over, drains and exits — exactly as the protocol says.\n\nBut a PID namespace cannot outlive its PID 1. When PID 1 exits, the kernel sends SIGKILL to every other process of the namespace: the successor, which had just taken over, is killed outright (SIGKILL runs no handler, so there is no drain), the listening socket's last fd goes with it, and the port closes. The load sees its connections refused (ECONNREFUSED). unshare, waiting outside for its child, exits too — to a container runtime, the container has stopped.\n\nThe module did nothing wrong; the old process is meant to leave. The flaw is the place: a self-upgrading server must not be PID 1. (tableflip-based Go servers have the same flaw.)",
      zh: '负载在命名空间外面开始：2 个 keep-alive 客户端，2 个每个请求都新建连接的客户端。教程让后继进程结束预热。它开始监听并报告就绪；服务（1 号进程）完成交接、排空，然后退出——完全按协议来。\n\n可是 PID 命名空间活不过它的 1 号进程。1 号进程一退出，内核就给命名空间里所有其他进程发送 SIGKILL：刚刚接手的后继进程被直接杀死（SIGKILL 不运行任何处理函数，也就谈不上排空），监听 socket 的最后一个 fd 随之关闭，端口也关了。负载看到连接被拒绝（ECONNREFUSED）。在外面等着子进程的 unshare 也退出了——在容器运行时看来，容器已经停止。\n\n模块没有做错什么；旧进程本来就该离开。错的是位置：一个自我升级的服务不能当 1 号进程。（基于 tableflip 的 Go 服务也有同样的缺陷。）',
    },
    async run(ctx) {
      if (!available(ctx)) return;
      const load = lessonLoad(ctx, ctx.vars.port);
      try {
        await answersGrow(ctx, load, SETTLE_ANSWERS);
        writeFileSync(join(ctx.supervisor.dir, FILES.gate), '');
        await report(ctx, ctx.vars.soloReports, ctx.vars.soloPump, (r) => r.generation === 2 && r.event === 'ready', { en: 'the successor to be ready', zh: '后继进程就绪' });
        await gone(ctx, ctx.vars.solo.init, { en: 'the server', zh: '服务器' });
        ctx.vars.killedAfterMs = await gone(ctx, ctx.vars.successor, { en: 'the successor', zh: '后继进程' }, 10_000);
        ctx.log({ en: `PID 1 exited; ${ctx.vars.killedAfterMs} ms later the successor (pid ${ctx.vars.successor}) was gone`, zh: `1 号进程退出；${ctx.vars.killedAfterMs} 毫秒后后继进程（pid ${ctx.vars.successor}）也没了` });
        await ctx.until(() => load.stats().refused >= 5, 5000, 10);
      } finally {
        ctx.vars.soloLoad = await load.stop();
      }
      ctx.vars.soloPump();
      ctx.log(formatMixedStats(ctx.vars.soloLoad, ctx.lang), 'event', 'load');
    },
    show: { processes: ['server', 'successor'], only: isTcp, focus: isListener, caption: { en: 'both gone: nothing holds the listener', zh: '两个都没了：没有谁持有监听 socket' } },
    expect: [
      {
        // Its "finished handing over" line races with the kernel's SIGKILL (PID 1 exits right after the
        // handover), so the check reads the readiness report the run waited for; the line is detail only.
        text: { en: 'the successor was ready: it listened and said so before PID 1 left', zh: '后继进程已经就绪：它在 1 号进程离开之前开始监听并报告了就绪' },
        check: (ctx) => ns(ctx, () => {
          const ready = ctx.vars.soloReports?.find((r) => r.generation === 2 && r.event === 'ready');
          const took = ctx.vars.soloReports?.find((r) => r.generation === 2 && r.event === 'log' && /has finished handing over/.test(String(r.text)));
          return { ok: !!ready && !!ctx.vars.soloLoad, detail: ready ? String(took?.text ?? `generation 2 ready (pid ${ready.pid} in the namespace)`) : failedText(ctx) };
        }),
      },
      {
        text: { en: 'then PID 1 exited, and the successor vanished with it, unasked', zh: '然后 1 号进程退出，后继进程也跟着消失了，没有人叫它走' },
        check: (ctx) => ns(ctx, () => {
          const ok = !!ctx.vars.solo && !isAlive(ctx.vars.solo.init) && !!ctx.vars.successor && !isAlive(ctx.vars.successor) && ctx.vars.killedAfterMs !== undefined;
          return { ok, detail: ctx.t({ en: `successor gone ${ctx.vars.killedAfterMs ?? '-'} ms after PID 1`, zh: `1 号进程退出 ${ctx.vars.killedAfterMs ?? '-'} 毫秒后后继进程消失` }) };
        }),
      },
      {
        text: { en: 'unshare, outside, exited too: the "container" is over', zh: '外面的 unshare 也退出了：这个「容器」结束了' },
        check: (ctx) => ns(ctx, () => ({ ok: !!ctx.vars.soloLoad && !!ctx.vars.solo && !isAlive(ctx.vars.solo.unshare), detail: ctx.vars.solo ? `unshare pid ${ctx.vars.solo.unshare}: ${lifeOf(ctx, ctx.vars.solo.unshare)}` : failedText(ctx) })),
      },
      {
        text: { en: 'the load got answers, then ECONNREFUSED: nothing listens on the port any more', zh: '负载先得到回应，然后是 ECONNREFUSED：端口上已经没有监听者' },
        check: (ctx) => ns(ctx, () => {
          const stats = ctx.vars.soloLoad;
          const listening = ctx.vars.port ? listenersOn(ctx.vars.port).length : -1;
          return { ok: !!stats && stats.ok > 0 && stats.refused > 0 && listening === 0, detail: stats ? `${formatMixedStats(stats, ctx.lang)}; ${listening} LISTEN` : failedText(ctx) };
        }),
      },
    ],
    quiz: {
      question: { en: 'Why did the successor die, although it was ready and serving?', zh: '后继进程已经就绪并在提供服务，为什么还是死了？' },
      choices: [
        { en: 'Its predecessor was PID 1 of the namespace: when PID 1 exits, the kernel kills every process of the namespace', zh: '它的前任是命名空间的 1 号进程：1 号进程一退出，内核就杀掉命名空间里的所有进程' },
        { en: 'The module killed it because the drain failed', zh: '排空失败，模块把它杀了' },
        { en: 'A child always dies with its parent on Linux', zh: '在 Linux 上，子进程总是随父进程一起死' },
      ],
      answer: 0,
      explanation: {
        en: 'Outside a PID namespace an orphan is simply re-parented and lives on (lessons 11 to 13 relied on that). Inside one, PID 1 is the namespace: its exit makes the kernel SIGKILL everything else in it, whatever its state.',
        zh: '在 PID 命名空间之外，孤儿进程只是换一个父进程，照样活着（第 11 到 13 课就靠这一点）。在命名空间里，1 号进程就代表这个命名空间：它一退出，内核就对里面其余的一切发送 SIGKILL，不管它们处于什么状态。',
      },
    },
    hint: { en: 'Compare the two lines "PID 1 exited; … ms later the successor was gone" and the load\'s refused counter right after.', zh: '对照日志里「1 号进程退出；…毫秒后后继进程也没了」这一行，以及紧随其后负载的 refused 计数。' },
  },
  {
    id: 'pid1-signals',
    title: { en: 'What else PID 1 means: signals without a handler are dropped', zh: '1 号进程的另一层含义：没有处理函数的信号会被丢弃' },
    text: {
      en: "The kernel protects a namespace's PID 1 from signals it did not ask for: one whose action is the default is dropped, whether it comes from inside the namespace or from the parent namespace (a container runtime's stop). Only SIGKILL and SIGSTOP sent from the parent namespace get through. (Lesson 11 showed the inside case for SIGKILL: PID 1 survives kill -KILL 1.)\n\nThree Node processes run pid1.mjs, which installs no handler: bare-pid1 as PID 1 of a namespace, plain-node outside any, and obeys-pid1 as PID 1 with process.on('SIGTERM'). The shell sends each SIGTERM. Node itself catches SIGTERM at start-up — SigCgt shows it — but only to restore the terminal: its handler resets SIGTERM to the default and raises it again. plain-node dies of that; bare-pid1, PID 1, drops it and runs on, and SIGTERM has left its SigCgt. Go's runtime does the same reset-and-raise, but when that leaves the process alive it exits anyway, with status 2: go-pid1, the Go twin of bare-pid1 (where go is installed), ends. A `kill -TERM 1` from inside the namespace (nsenter) is dropped too. obeys-pid1, with a handler of its own, exits. From the parent namespace SIGSTOP does stop bare-pid1, and at last SIGKILL ends it — and its namespace.",
      zh: '内核保护命名空间的 1 号进程，不让它收到它没要求的信号：动作为默认的信号会被丢弃，无论来自命名空间内部还是父命名空间（容器运行时的 stop）。只有从父命名空间发来的 SIGKILL 和 SIGSTOP 能送达。（第 11 课演示过内部发 SIGKILL 的情形：1 号进程挨了 kill -KILL 1 仍然活着。）\n\n三个 Node 进程运行 pid1.mjs，它不装任何处理函数：bare-pid1 是一个命名空间的 1 号进程，plain-node 不在任何新命名空间里，obeys-pid1 也是 1 号进程但有 process.on(\'SIGTERM\')。shell 给每个进程发送 SIGTERM。Node 自己在启动时就捕获了 SIGTERM——SigCgt 里能看到——但只是为了恢复终端：它的处理函数把 SIGTERM 重置为默认动作，再把它重新发出一次。plain-node 因此死去；bare-pid1 作为 1 号进程把它丢掉，继续运行，而 SIGTERM 已经从它的 SigCgt 里消失了。Go 运行时也会重置后重新发出，但如果进程因此没死，它照样退出，状态 2：bare-pid1 的 Go 孪生版 go-pid1（装了 go 的机器上）就这样结束了。从命名空间内部（nsenter）执行的 `kill -TERM 1` 同样被丢弃。有自己处理函数的 obeys-pid1 退出了。来自父命名空间的 SIGSTOP 确实能停住 bare-pid1，最后 SIGKILL 结束了它——连同它的命名空间。',
    },
    code: { go: excerpt('go/pid1.go', 'no-handler'), node: excerpt('node/pid1.mjs', 'no-handler'), note: { en: 'pid1.mjs; obeys-pid1 also runs its handler region: process.on(\'SIGTERM\', () => process.exit(0))', zh: 'pid1.mjs；obeys-pid1 还会运行其中的处理函数部分：process.on(\'SIGTERM\', () => process.exit(0))' } },
    async run(ctx) {
      if (!available(ctx)) return;
      const mode = ctx.vars.mode;
      const node = [process.execPath, PID1_PROGRAM];
      const readyFile = (name: string) => join(ctx.supervisor.dir, `l17-${name}.ready`);
      ctx.vars.bare = await startInNamespace(ctx, mode, { unshare: 'unshare-2', init: 'bare-pid1' }, node, { env: { PID1_READY_FILE: readyFile('bare') } });
      ctx.vars.obeys = await startInNamespace(ctx, mode, { unshare: 'unshare-3', init: 'obeys-pid1' }, node, { env: { PID1_READY_FILE: readyFile('obeys'), PID1_HANDLES_SIGTERM: '1' } });
      const plain = await ctx.call('shell', { op: 'spawn', name: 'plain-node', command: node, env: { PID1_READY_FILE: readyFile('plain') } });
      // The Go twin, started by the tutor itself: unshare's exit status is the evidence of how it ended.
      const goBinary = await buildGo('go/pid1.go', ctx);
      let goRun: ReturnType<typeof startWaited> | undefined;
      if (goBinary) {
        goRun = startWaited(ctx, ['unshare', ...mode.flags, goBinary], { PID1_READY_FILE: readyFile('go') });
        ctx.name(goRun.pid, 'unshare-6');
        ctx.vars.goPid1 = await childOf(ctx, goRun.pid);
        ctx.name(ctx.vars.goPid1, 'go-pid1');
        ctx.log({ en: `go-pid1 is pid ${ctx.vars.goPid1} here and pid ${innerPid(ctx.vars.goPid1) ?? '?'} in its namespace`, zh: `go-pid1 在这里是 pid ${ctx.vars.goPid1}，在它的命名空间里是 pid ${innerPid(ctx.vars.goPid1) ?? '?'}` });
      } else {
        ctx.vars.goMissing = ctx.t({ en: 'go is not on PATH: the Go PID 1 is not run (apt-get install golang-go)', zh: 'PATH 上没有 go：不运行 Go 的 1 号进程（apt-get install golang-go）' });
        ctx.log(ctx.vars.goMissing, 'error');
      }
      ctx.vars.plain = plain.result.pid;
      ctx.name(ctx.vars.plain, 'plain-node');
      if (!(await ctx.until(() => ['bare', 'obeys', 'plain', ...(goRun ? ['go'] : [])].every((name) => existsSync(readyFile(name))), 20_000))) throw new LessonActionError({ en: 'pid1.mjs did not start within 20 s', zh: 'pid1.mjs 在 20 秒内没有启动' });
      ctx.vars.caughtBefore = signalSet(ctx.vars.bare.init, 'SigCgt') ?? [];
      ctx.log(`bare-pid1 SigCgt: ${ctx.vars.caughtBefore.join(' ')}`);
      for (const pid of [ctx.vars.bare.init, ctx.vars.plain, ctx.vars.obeys.init, ...(goRun ? [ctx.vars.goPid1] : [])]) await ctx.call('shell', { op: 'kill', pid, signal: 'SIGTERM' });
      // plain-node dying is the measure of "delivered": the other two had as long.
      await gone(ctx, ctx.vars.plain, 'plain-node', 10_000);
      await gone(ctx, ctx.vars.obeys.init, 'obeys-pid1', 10_000);
      if (goRun) {
        let settled: { code: number | null; signal: string | null } | undefined;
        void goRun.exited.then((status) => (settled = status));
        await ctx.until(() => settled, 10_000, 10);
        ctx.vars.goExit = settled;
        ctx.log({ en: `unshare-6 exited with ${settled ? (settled.signal ?? `status ${settled.code}`) : '-'}: go-pid1's own status`, zh: `unshare-6 退出：${settled ? (settled.signal ?? `状态 ${settled.code}`) : '-'}，即 go-pid1 自己的退出状态` });
      }
      ctx.vars.aliveAfterTerm = isAlive(ctx.vars.bare.init);
      ctx.vars.caughtAfter = signalSet(ctx.vars.bare.init, 'SigCgt') ?? [];
      ctx.log(`bare-pid1 SigCgt: ${ctx.vars.caughtAfter.join(' ') || '-'}`);
      // From inside: the shell in the namespace first makes sure it is there, so `kill 1` cannot reach another PID 1.
      const target = readlinkSync(`/proc/${ctx.vars.bare.init}/ns/pid`);
      const script = '[ "$(readlink /proc/self/ns/pid)" = "$1" ] || { echo "not inside $1" >&2; exit 1; }; kill -TERM 1 && echo "pid $$ inside: kill -TERM 1 = 0"';
      ctx.vars.inside = await run(ctx, 'nsenter', ['--target', String(ctx.vars.bare.init), ...(mode.user ? ['--user', '--preserve-credentials'] : []), '--pid', '--mount', 'sh', '-c', script, 'sh', target]);
      ctx.log(`nsenter --target ${ctx.vars.bare.init} --pid --mount sh -c 'kill -TERM 1': ${ctx.vars.inside.ok ? ctx.vars.inside.stdout : ctx.vars.inside.error}`, 'event', 'shell');
      // The same yardstick: plain-node was gone well within this.
      await ctx.until(() => !isAlive(ctx.vars.bare.init), 300, 10);
      ctx.vars.aliveAfterInside = isAlive(ctx.vars.bare.init);
      await ctx.call('shell', { op: 'kill', pid: ctx.vars.bare.init, signal: 'SIGSTOP' });
      ctx.vars.stateAfterStop = await ctx.until(() => processState(ctx.vars.bare.init)?.startsWith('T') && processState(ctx.vars.bare.init), 2000, 10);
      ctx.log(`bare-pid1 State: ${ctx.vars.stateAfterStop || processState(ctx.vars.bare.init) || '-'}`);
      await ctx.call('shell', { op: 'kill', pid: ctx.vars.bare.init, signal: 'SIGKILL' });
      await gone(ctx, ctx.vars.bare.unshare, 'unshare-2', 10_000);
    },
    show: { processes: ['bare-pid1', 'obeys-pid1', 'plain-node', 'go-pid1'], caption: { en: 'Node and Go processes without sockets: the checks read /proc/PID/status and exit statuses', zh: '没有 socket 的 Node 和 Go 进程：检查读取的是 /proc/PID/status 和退出状态' } },
    expect: [
      {
        text: { en: "before any signal, SigCgt of bare-pid1 lists SIGTERM: Node's own handler", zh: '还没收到任何信号时，bare-pid1 的 SigCgt 就有 SIGTERM：Node 自己的处理函数' },
        check: (ctx) => ns(ctx, () => ({ ok: !!ctx.vars.caughtBefore?.includes('SIGTERM'), detail: ctx.vars.caughtBefore?.join(' ') ?? failedText(ctx) })),
      },
      {
        text: { en: 'SIGTERM from the parent namespace: plain-node died of it, bare-pid1 (PID 1) ran on', zh: '来自父命名空间的 SIGTERM：plain-node 因此死去，bare-pid1（1 号进程）继续运行' },
        check: (ctx) => ns(ctx, () => ({ ok: ctx.vars.plain !== undefined && !isAlive(ctx.vars.plain) && ctx.vars.aliveAfterTerm === true, detail: `plain-node ${lifeOf(ctx, ctx.vars.plain)} · bare-pid1 ${ctx.vars.aliveAfterTerm === undefined ? '-' : ctx.t(ctx.vars.aliveAfterTerm ? { en: 'ran on', zh: '继续运行' } : { en: 'gone', zh: '已不在' })}` })),
      },
      {
        text: { en: "after it, SIGTERM has left bare-pid1's SigCgt: the handler reset it and raised it again, and PID 1 dropped it", zh: '之后 SIGTERM 从 bare-pid1 的 SigCgt 里消失了：处理函数把它重置后重新发出，而 1 号进程把它丢掉了' },
        check: (ctx) => ns(ctx, () => ({ ok: !!ctx.vars.caughtAfter && !ctx.vars.caughtAfter.includes('SIGTERM') && ctx.vars.aliveAfterTerm === true, detail: ctx.vars.caughtAfter?.join(' ') || '-' })),
      },
      {
        text: { en: 'Go differs: go-pid1 (no signal.Notify) exited with status 2', zh: 'Go 不一样：go-pid1（没有 signal.Notify）以状态 2 退出' },
        check: (ctx) => ns(ctx, () => {
          if (ctx.vars.goMissing) return { ok: false, skipped: true, detail: ctx.vars.goMissing };
          const exit = ctx.vars.goExit;
          return { ok: exit?.code === 2 && !!ctx.vars.goPid1 && !isAlive(ctx.vars.goPid1), detail: exit ? `unshare-6: ${exit.signal ?? `exit ${exit.code}`}` : failedText(ctx) };
        }),
      },
      {
        text: { en: 'kill -TERM 1 from inside the namespace succeeds — and PID 1 runs on', zh: '在命名空间内部执行 kill -TERM 1 成功了——而 1 号进程照样运行' },
        check: (ctx) => ns(ctx, () => ({ ok: !!ctx.vars.inside?.ok && ctx.vars.aliveAfterInside === true, detail: ctx.vars.inside ? (ctx.vars.inside.ok ? ctx.vars.inside.stdout : ctx.vars.inside.error) : failedText(ctx) })),
      },
      {
        text: { en: "obeys-pid1, PID 1 with a handler of its own, exited on SIGTERM", zh: 'obeys-pid1 是有自己处理函数的 1 号进程，收到 SIGTERM 就退出了' },
        check: (ctx) => ns(ctx, () => ({ ok: !!ctx.vars.obeys && !isAlive(ctx.vars.obeys.init) && ctx.vars.aliveAfterTerm === true, detail: ctx.vars.obeys ? `obeys-pid1 pid ${ctx.vars.obeys.init}: ${lifeOf(ctx, ctx.vars.obeys.init)}` : failedText(ctx) })),
      },
      {
        text: { en: 'SIGSTOP from the parent namespace gets through: bare-pid1 stopped (state T)', zh: '来自父命名空间的 SIGSTOP 能送达：bare-pid1 被停住了（状态 T）' },
        check: (ctx) => ns(ctx, () => ({ ok: typeof ctx.vars.stateAfterStop === 'string' && ctx.vars.aliveAfterInside === true, detail: ctx.vars.stateAfterStop || '-' })),
      },
      {
        text: { en: 'SIGKILL from the parent namespace ended bare-pid1, and unshare-2 with it', zh: '来自父命名空间的 SIGKILL 结束了 bare-pid1，unshare-2 也随之退出' },
        check: (ctx) => ns(ctx, () => ({ ok: !!ctx.vars.bare && ctx.vars.aliveAfterInside === true && !isAlive(ctx.vars.bare.init) && !isAlive(ctx.vars.bare.unshare), detail: ctx.vars.bare ? `bare-pid1 ${lifeOf(ctx, ctx.vars.bare.init)} · unshare-2 ${lifeOf(ctx, ctx.vars.bare.unshare)}` : failedText(ctx) })),
      },
    ],
    quiz: {
      question: { en: 'A container runs `node server.js` as PID 1, and the server has no process.on(\'SIGTERM\'). What does a stop that sends SIGTERM do?', zh: '一个容器以 1 号进程运行 `node server.js`，服务没有 process.on(\'SIGTERM\')。发送 SIGTERM 的 stop 会怎样？' },
      choices: [
        { en: 'Nothing: Node\'s own handler re-raises it and PID 1 drops it; only a later SIGKILL ends the container', zh: '什么也不会发生：Node 自带的处理函数把它重新发出，1 号进程把它丢掉；只有后来的 SIGKILL 才能结束容器' },
        { en: 'Node exits, because SigCgt shows it catches SIGTERM', zh: 'Node 退出，因为 SigCgt 显示它捕获了 SIGTERM' },
        { en: 'The kernel turns it into SIGKILL', zh: '内核把它变成 SIGKILL' },
      ],
      answer: 0,
      explanation: {
        en: 'SigCgt only says a handler is installed. Node\'s restores the terminal and raises the signal again with the default action, which PID 1 of a namespace never gets. Give PID 1 a real handler, or put a process in front of it that has one.',
        zh: 'SigCgt 只说明装了处理函数。Node 的处理函数恢复终端后用默认动作把信号重新发出，而命名空间的 1 号进程永远收不到默认动作的信号。要么给 1 号进程一个真正的处理函数，要么在它前面放一个有处理函数的进程。',
      },
    },
  },
  {
    id: 'tini',
    title: { en: 'An init in front: tini forwards the signal, then leaves with its child', zh: '前面加一个 init：tini 转发信号，然后随子进程一起离开' },
    text: {
      en: "tini and dumb-init are the usual answer to step 4: a tiny init that runs as PID 1, starts one child, forwards the signals it gets to that child and reaps zombies. Here `unshare --pid --fork --mount-proc tini -- node server.ts` makes tini PID 1 and the server its child. The shell sends SIGUSR2 to tini; tini passes it on, and the server starts its successor as before (held in its warm-up while the tutor reads the fd tables: the server's listener and the successor's fd 3 carry one DESC letter, tini has no listener). Then the tutor lets the successor finish: the server hands over and exits — and tini, built to follow that one child, exits with it. PID 1 is gone, so the kernel ends the namespace, successor and all, and the load outside is refused again.\n\nAn init that follows one child cannot host a server that replaces itself; tini holds no listener either. dumb-init is built the same way (one child; it exits when that child exits, says its documentation); it is not run here. Where tini is not installed this step says so and its checks are ○ (Debian: apt-get install tini).",
      zh: 'tini 和 dumb-init 是第 4 步那些问题的常用答案：一个作为 1 号进程运行的小 init，启动一个子进程，把收到的信号转发给它，并回收僵尸进程。这里 `unshare --pid --fork --mount-proc tini -- node server.ts` 让 tini 当 1 号进程，服务是它的子进程。shell 给 tini 发送 SIGUSR2；tini 把它转发下去，服务像之前一样启动后继进程（停在预热阶段，让教程读取 fd 表：服务的监听 socket 和后继进程的 fd 3 是同一个 DESC 字母，tini 没有监听 socket）。然后教程让后继进程完成启动：服务完成交接后退出——而 tini 生来就只跟着这一个子进程，于是随它一起退出。1 号进程没了，内核就终结这个命名空间，后继进程也不例外，外面的负载又一次被拒绝。\n\n只跟着一个子进程的 init 容纳不了一个会替换自己的服务；tini 也不持有监听 socket。dumb-init 的设计相同（一个子进程；按它的文档，子进程退出它就退出）；这里不运行它。没有安装 tini 的机器上，这一步会说明这一点，检查显示为 ○（Debian：apt-get install tini）。',
    },
    async run(ctx) {
      if (!available(ctx)) return;
      if (!onPath('tini')) {
        ctx.vars.tiniMissing = ctx.t({ en: 'tini is not installed here (Debian: apt-get install tini)', zh: '这里没有安装 tini（Debian：apt-get install tini）' });
        ctx.log(ctx.vars.tiniMissing, 'error');
        return;
      }
      const dir = ctx.supervisor.dir;
      writeFileSync(join(dir, FILES.knobs), '{}');
      ctx.vars.tiniReports = new ReportFile(FILES.tini, dir);
      ctx.vars.tini = await startInNamespace(ctx, ctx.vars.mode, { unshare: 'unshare-5', init: 'tini' }, ['tini', '--', ...serverCommand(SERVER)], { env: { KNOB_FILE: join(dir, FILES.knobs), REPORT_FILE: FILES.tini } });
      ctx.vars.tiniNsPids = nsPids(ctx.vars.tini.init);
      const follow = followNamespace(ctx, ctx.vars.tiniReports, () => ctx.vars.tini.init, (r) => (r.generation === 1 ? 'tini-server' : 'tini-successor'));
      ctx.vars.tiniPump = follow.pump;
      ctx.vars.tiniOuter = follow.outer;
      const listening = await report(ctx, ctx.vars.tiniReports, follow.pump, (r) => r.generation === 1 && r.event === 'listening', { en: 'the server under tini to listen', zh: 'tini 下的服务器开始监听' });
      await report(ctx, ctx.vars.tiniReports, follow.pump, (r) => r.generation === 1 && r.event === 'ready', { en: 'the server under tini to be ready', zh: 'tini 下的服务器就绪' });
      ctx.vars.tiniPort = Number(listening.port);
      ctx.vars.tiniServer = follow.outer.get(listening.pid) ?? 0;
      ctx.vars.tiniServerParent = parentOf(ctx.vars.tiniServer);
      writeFileSync(join(dir, FILES.knobs), JSON.stringify({ holdUntil: join(dir, FILES.tiniGate) }));
      const load = lessonLoad(ctx, ctx.vars.tiniPort);
      try {
        await answersGrow(ctx, load, SETTLE_ANSWERS);
        await ctx.call('shell', { op: 'kill', pid: ctx.vars.tini.init, signal: 'SIGUSR2' });
        const holding = await report(ctx, ctx.vars.tiniReports, follow.pump, (r) => r.generation === 2 && r.event === 'holding', { en: 'the successor under tini to start', zh: 'tini 下的后继进程启动' });
        ctx.vars.tiniSuccessor = follow.outer.get(holding.pid) ?? 0;
        ctx.vars.tiniTable = ctx.snapshot(['tini', 'tini-server', 'tini-successor']).rows.filter(isListener).map((row) => `${ctx.names().get(row.pid) ?? row.pid} fd ${row.fd} DESC ${row.description}`).join(' · ');
        ctx.log({ en: `while the successor warms up: ${ctx.vars.tiniTable}`, zh: `后继进程预热期间：${ctx.vars.tiniTable}` });
        writeFileSync(join(dir, FILES.tiniGate), '');
        await gone(ctx, ctx.vars.tini.unshare, 'unshare-5');
        await ctx.until(() => load.stats().refused >= 5, 5000, 10);
      } finally {
        ctx.vars.tiniLoad = await load.stop();
      }
      follow.pump();
      ctx.log(formatMixedStats(ctx.vars.tiniLoad, ctx.lang), 'event', 'load');
    },
    // No focused rows: where tini is missing, none of these processes ever runs.
    show: { processes: ['tini', 'tini-server', 'tini-successor'], only: isTcp, caption: { en: "tini's namespace after the server's exit: nothing left to show", zh: '服务退出之后 tini 的命名空间：什么都不剩' } },
    expect: [
      {
        text: { en: 'tini is PID 1, the server its child; tini holds no listener', zh: 'tini 是 1 号进程，服务是其子进程；tini 不持有监听 socket' },
        check: (ctx) => tiniCheck(ctx, () => {
          const table = ctx.vars.tiniTable ?? '';
          const ok = ctx.vars.tiniNsPids?.at(-1) === 1 && ctx.vars.tiniServerParent === ctx.vars.tini?.init && /tini-server fd \d+ DESC (\w+) · tini-successor fd 3 DESC \1$/.test(table) && !/^tini fd/.test(table);
          return { ok, detail: `tini NSpid ${ctx.vars.tiniNsPids?.join(' ') ?? '-'}; server PPid ${ctx.vars.tiniServerParent ?? '-'}; ${table || failedText(ctx)}` };
        }),
      },
      {
        text: { en: 'tini forwarded SIGUSR2: the server started its successor', zh: 'tini 转发了 SIGUSR2：服务启动了后继进程' },
        check: (ctx) => tiniCheck(ctx, () => {
          const got = ctx.vars.tiniReports?.find((r) => r.generation === 1 && r.event === 'log' && /SIGUSR2 received/.test(String(r.text)));
          return { ok: !!got && !!ctx.vars.tiniSuccessor, detail: got ? `${String(got.text)}; successor pid ${ctx.vars.tiniSuccessor}` : failedText(ctx) };
        }),
      },
      {
        text: { en: 'the server exited, tini too: the successor died with them', zh: '服务退出，tini 也退出：后继进程随之死去' },
        check: (ctx) => tiniCheck(ctx, () => {
          const pids = [ctx.vars.tini?.init, ctx.vars.tiniServer, ctx.vars.tiniSuccessor, ctx.vars.tini?.unshare];
          const ok = !!ctx.vars.tiniLoad && pids.every((pid) => !!pid && !isAlive(pid));
          return { ok, detail: pids.map((pid, i) => `${['tini', 'server', 'successor', 'unshare-5'][i]} ${lifeOf(ctx, pid)}`).join(' · ') };
        }),
      },
      {
        text: { en: 'the load outside: answers, then ECONNREFUSED', zh: '外面的负载：先有回应，然后是 ECONNREFUSED' },
        check: (ctx) => tiniCheck(ctx, () => {
          const stats = ctx.vars.tiniLoad;
          return { ok: !!stats && stats.ok > 0 && stats.refused > 0, detail: stats ? formatMixedStats(stats, ctx.lang) : failedText(ctx) };
        }),
      },
    ],
  },
];

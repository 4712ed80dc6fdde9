// Lesson 17, steps 6 to 8: the fix, the restart package's container mode (hotrestart-run) as a stable PID 1
// that holds the listener through two upgrades under load, then stops the namespace on SIGTERM.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../src/demo/marker.js';
import { hotrestartRunCommand, ReportFile, serverCommand } from '../src/lesson/demo-servers.js';
import { listenersOn } from '../src/lesson/kit.js';
import { formatMixedStats } from '../src/lesson/mixed-load.js';
import { environOf, rowsTogether } from '../src/lesson/procview.js';
import { LessonActionError, type Step } from '../src/lesson/types.js';
import {
  dockerfile,
  followLines,
  followNamespace,
  innerPid,
  nsPidText,
  startInNamespace,
} from './17-containers.kit.js';
import { answersGrow, available, byGeneration, failedText, FILES, gone, isListener, lifeOf, lessonLoad, ns, report, SERVER, SETTLE_ANSWERS, type Vars } from './17-containers.vars.js';

export const fixSteps: Step<Vars>[] = [
  {
    id: 'stable-parent',
    title: { en: 'The fix: a stable parent as PID 1 (hotrestart-run)', zh: '解决办法：让稳定的父进程当 1 号进程（hotrestart-run）' },
    text: {
      en: "The restart package's container mode is a small program, hotrestart-run, meant to be the container's entrypoint: `hotrestart-run --listen http=127.0.0.1:0 -- node server.ts`. As PID 1 it binds the listener itself, keeps it, and starts generation 1 with it at fd 3, the way systemd's socket activation does: LISTEN_FDS=1 and LISTEN_FDNAMES=http in its environment. It also binds a unix datagram socket with an abstract name (@hotrestart-run-…, no file on disk) and passes that name as NOTIFY_SOCKET: each generation, once ready, says MAINPID=<pid> and READY=1 there, so PID 1 always knows which process is current. It forwards SIGUSR2 (upgrade) and SIGTERM (stop) to that process — it has handlers for them, so as PID 1 it gets them; the next steps show both, and its README lists SIGHUP and SIGINT too — and reaps every generation that exits.\n\nThe server is unchanged: the module finds LISTEN_FDS and takes the listener from fd 3 instead of binding. hotrestart-run's own log (its stderr) is shown under its name.",
      zh: '重启包的容器模式是一个小程序 hotrestart-run，用作容器的入口：`hotrestart-run --listen http=127.0.0.1:0 -- node server.ts`。作为 1 号进程，它自己绑定监听 socket 并一直持有，然后把它放在 fd 3 上启动第 1 代，做法和 systemd 的 socket 激活一样：环境变量里有 LISTEN_FDS=1 和 LISTEN_FDNAMES=http。它还绑定一个抽象名字的 unix 数据报 socket（@hotrestart-run-…，磁盘上没有文件），把这个名字作为 NOTIFY_SOCKET 传下去：每一代就绪后都在那里说 MAINPID=<pid> 和 READY=1，这样 1 号进程总是知道哪个进程是当前的。它把 SIGUSR2（升级）和 SIGTERM（停止）转发给那个进程——它为这些信号装了处理函数，所以作为 1 号进程也能收到；后面两步会演示这两个，它的 README 还列出了 SIGHUP 和 SIGINT——并回收每一个退出的代。\n\n服务本身不用改：模块发现 LISTEN_FDS，就从 fd 3 取得监听 socket，而不是自己绑定。hotrestart-run 自己的日志（它的 stderr）以它的名字显示。',
    },
    code: { other: { label: 'packages/restart/examples/Dockerfile', code: dockerfile() } },
    async run(ctx) {
      if (!available(ctx)) return;
      const dir = ctx.supervisor.dir;
      writeFileSync(join(dir, FILES.knobs), '{}');
      ctx.vars.runReports = new ReportFile(FILES.underRun, dir);
      const log = await ctx.call('shell', { op: 'open', path: FILES.runLog, mode: 'a' });
      const command = [...hotrestartRunCommand(), '--listen', 'http=127.0.0.1:0', '--', ...serverCommand(SERVER)];
      ctx.vars.boxed = await startInNamespace(ctx, ctx.vars.mode, { unshare: 'unshare-4', init: 'hotrestart-run' }, command, {
        // TMPDIR: the run's private directory, for anything a process there makes in a temporary directory
        // (hotrestart-run itself makes nothing on the filesystem: its notify socket has an abstract name).
        env: { KNOB_FILE: join(dir, FILES.knobs), REPORT_FILE: FILES.underRun, TMPDIR: dir },
        fds: { 2: log.result.fd },
      });
      await ctx.call('shell', { op: 'close', fd: log.result.fd });
      const lines = followLines(ctx, join(dir, FILES.runLog), (line) => {
        const text = /hotrestart-run\[\d+\] (.*)$/.exec(line)?.[1];
        if (text) ctx.log(text, 'event', 'hotrestart-run');
      });
      ctx.vars.runLines = lines.lines;
      ctx.vars.runLogPump = lines.pump;
      const follow = followNamespace(ctx, ctx.vars.runReports, () => ctx.vars.boxed.init, (r) => `gen${String(r.generation)}`);
      ctx.vars.runPump = follow.pump;
      ctx.vars.runOuter = follow.outer;
      const ready = await report(ctx, ctx.vars.runReports, follow.pump, (r) => r.generation === 1 && r.event === 'ready', { en: 'generation 1 to be ready', zh: '第 1 代就绪' });
      const listening = await report(ctx, ctx.vars.runReports, follow.pump, (r) => r.generation === 1 && r.event === 'listening', { en: 'generation 1 to listen', zh: '第 1 代开始监听' });
      ctx.vars.runPort = Number(listening.port);
      ctx.vars.gens = { gen1: follow.outer.get(ready.pid) ?? 0 };
      ctx.vars.innerGens = { gen1: ready.pid };
      ctx.vars.runListener = ctx.snapshot(['hotrestart-run']).rows.find(isListener)!;
      lines.pump();
    },
    show: {
      processes: ['hotrestart-run', 'gen1'],
      only: (row) => isListener(row) || (row.type === 'UNIX' && row.name.includes('@hotrestart-run-')),
      focus: isListener,
      caption: { en: 'PID 1 holds the listener and the notify socket; gen1 has the listener at fd 3', zh: '1 号进程持有监听 socket 和通知 socket；gen1 在 fd 3 上持有监听 socket' },
    },
    expect: [
      {
        text: { en: 'PID 1 of the namespace is hotrestart-run, and it holds a listening socket itself', zh: '命名空间的 1 号进程是 hotrestart-run，它自己持有一个监听 socket' },
        check: (ctx) => ns(ctx, () => {
          const init = ctx.vars.boxed?.init;
          const ok = init !== undefined && innerPid(init) === 1 && !!ctx.vars.runListener;
          return { ok, detail: init ? `hotrestart-run ${nsPidText(init)}; fd ${ctx.vars.runListener?.fd ?? '-'} ${ctx.vars.runListener?.name ?? '-'}` : failedText(ctx) };
        }),
      },
      {
        text: { en: "gen1's fd 3 is that very socket (one description), as LISTEN_FDS=1 LISTEN_FDNAMES=http tell it", zh: 'gen1 的 fd 3 就是这个 socket（同一个打开文件描述），LISTEN_FDS=1 LISTEN_FDNAMES=http 告诉了它' },
        check: (ctx) => ns(ctx, () => {
          if (!ctx.vars.runListener || !ctx.vars.gens?.gen1) return { ok: false, detail: failedText(ctx) };
          const [held, gen1] = rowsTogether(ctx, [['hotrestart-run', ctx.vars.runListener.fd], ['gen1', 3]]);
          const env = environOf(ctx.vars.gens.gen1);
          const ok = !!held && !!gen1 && held.description !== '?' && held.description === gen1.description && env.get('LISTEN_FDS') === '1' && env.get('LISTEN_FDNAMES') === 'http';
          return { ok, detail: `DESC ${held?.description ?? '-'} / ${gen1?.description ?? '-'}; LISTEN_FDS=${env.get('LISTEN_FDS') ?? '-'} LISTEN_FDNAMES=${env.get('LISTEN_FDNAMES') ?? '-'}` };
        }),
      },
      {
        text: { en: "gen1's NOTIFY_SOCKET is a unix datagram socket bound by PID 1", zh: 'gen1 的 NOTIFY_SOCKET 是 1 号进程绑定的 unix 数据报 socket' },
        check: (ctx) => ns(ctx, () => {
          const path = ctx.vars.gens?.gen1 ? environOf(ctx.vars.gens.gen1).get('NOTIFY_SOCKET') : undefined;
          const bound = path ? ctx.snapshot(['hotrestart-run']).rows.find((row) => row.type === 'UNIX' && row.name.includes(path)) : undefined;
          return { ok: !!bound, detail: `NOTIFY_SOCKET=${path ?? '-'}; ${bound ? `hotrestart-run fd ${bound.fd}` : ctx.t({ en: 'not bound by PID 1', zh: '不是 1 号进程绑定的' })}` };
        }),
      },
    ],
    hint: { en: 'Match the DESC letters: the LISTEN row of hotrestart-run and fd 3 of gen1 carry the same one.', zh: '对照 DESC 字母：hotrestart-run 的 LISTEN 行和 gen1 的 fd 3 是同一个字母。' },
  },
  {
    id: 'upgrades',
    title: { en: 'Two hot restarts under a PID 1 that stays', zh: '1 号进程不动，连续两次热重启' },
    text: {
      en: "Under a load from outside, the shell sends SIGUSR2 to PID 1 twice — to hotrestart-run, by its pid here, as `docker kill -s USR2` would. Each time hotrestart-run forwards the signal to the current generation; the module there starts a successor (with fd 3 inherited as always), which says READY=1 and MAINPID=<its pid> on the notify socket; hotrestart-run logs \"main pid is now …\"; the old generation drains and exits, and hotrestart-run reaps it (it is a child subreaper, and PID 1 anyway: an orphaned successor becomes its child). PID 1 never exits, so the kernel never ends the namespace.",
      zh: '在来自外面的负载之下，shell 两次给 1 号进程发送 SIGUSR2——按它在这里的 pid 发给 hotrestart-run，就像 `docker kill -s USR2` 那样。每一次 hotrestart-run 都把信号转发给当前这一代；那里的模块启动一个后继进程（照常继承 fd 3），后继进程在通知 socket 上说 READY=1 和 MAINPID=<它的 pid>；hotrestart-run 记下「main pid is now …」；旧的一代排空后退出，由 hotrestart-run 回收（它是 child subreaper，而且本来就是 1 号进程：成了孤儿的后继进程会变成它的子进程）。1 号进程从不退出，所以内核从不终结这个命名空间。',
    },
    async run(ctx) {
      if (!available(ctx)) return;
      const load = lessonLoad(ctx, ctx.vars.runPort);
      try {
        await answersGrow(ctx, load, SETTLE_ANSWERS);
        for (const generation of [2, 3]) {
          await ctx.call('shell', { op: 'kill', pid: ctx.vars.boxed.init, signal: 'SIGUSR2' });
          const ready = await report(ctx, ctx.vars.runReports, ctx.vars.runPump, (r) => r.generation === generation && r.event === 'ready', { en: `generation ${generation} to be ready`, zh: `第 ${generation} 代就绪` });
          const name = `gen${generation}`;
          ctx.vars.gens = { ...ctx.vars.gens, [name]: ctx.vars.runOuter.get(ready.pid) ?? 0 };
          ctx.vars.innerGens = { ...ctx.vars.innerGens, [name]: ready.pid };
          // The next upgrade may start once PID 1 follows the new generation and the old one has handed over.
          const followed = await ctx.until(() => {
            ctx.vars.runLogPump();
            return ctx.vars.runLines.some((line) => line.includes(`main pid is now ${ready.pid} `));
          }, 10_000);
          if (!followed) throw new LessonActionError({ en: `hotrestart-run did not follow generation ${generation}`, zh: `hotrestart-run 没有跟上第 ${generation} 代` });
          await report(ctx, ctx.vars.runReports, ctx.vars.runPump, (r) => r.generation === generation && /has finished handing over/.test(String(r.text ?? '')), { en: `generation ${generation - 1} to hand over`, zh: `第 ${generation - 1} 代完成交接` });
        }
        // Gone from /proc: reaped by PID 1, not merely a zombie.
        await ctx.until(() => !existsSync(`/proc/${ctx.vars.gens.gen2}`), 10_000);
        await answersGrow(ctx, load, SETTLE_ANSWERS);
      } finally {
        ctx.vars.runLoad = await load.stop();
      }
      ctx.log(`${formatMixedStats(ctx.vars.runLoad, ctx.lang)} — ${byGeneration(ctx, ctx.vars.runLoad)}`, 'event', 'load');
    },
    show: {
      processes: ['hotrestart-run', 'gen1', 'gen2', 'gen3'],
      only: isListener,
      focus: isListener,
      caption: { en: 'the same PID 1, the same socket; the generations change', zh: '同一个 1 号进程，同一个 socket；变的是一代代的进程' },
    },
    expect: [
      {
        text: { en: 'the load saw no failure: 0 failed, answers from all three generations', zh: '负载没有看到任何失败：失败 0 个，三代进程都有回应' },
        check: (ctx) => ns(ctx, () => {
          const stats = ctx.vars.runLoad;
          const who = stats ? Object.keys(stats.byHeader).length : 0;
          return { ok: !!stats && stats.failed === 0 && stats.ok > 0 && who === 3, detail: stats ? `${formatMixedStats(stats, ctx.lang)}; ${byGeneration(ctx, stats)}` : failedText(ctx) };
        }),
      },
      {
        text: { en: 'gen1, gen2 and gen3 are three processes; gen1 and gen2 are gone, gen3 serves', zh: 'gen1、gen2、gen3 是三个进程；gen1 和 gen2 已经退出，gen3 在提供服务' },
        check: (ctx) => ns(ctx, () => {
          const gens = ctx.vars.gens ?? {};
          const pids = ['gen1', 'gen2', 'gen3'].map((name) => gens[name]);
          const ok = pids.every(Boolean) && new Set(pids).size === 3 && !isAlive(pids[0]) && !isAlive(pids[1]) && isAlive(pids[2]);
          return { ok, detail: pids.map((pid, i) => `gen${i + 1} ${pid ?? '-'}${pid && isAlive(pid) ? '' : ` (${lifeOf(ctx, pid)})`}`).join(' · ') };
        }),
      },
      {
        text: { en: 'PID 1 is still the same hotrestart-run, and still holds the same socket (inode), which is gen3\'s fd 3', zh: '1 号进程仍是同一个 hotrestart-run，仍持有同一个 socket（inode），也就是 gen3 的 fd 3' },
        check: (ctx) => ns(ctx, () => {
          const init = ctx.vars.boxed?.init;
          if (!init || !ctx.vars.runListener || !ctx.vars.gens?.gen3) return { ok: false, detail: failedText(ctx) };
          const [held, gen3] = rowsTogether(ctx, [['hotrestart-run', ctx.vars.runListener.fd], ['gen3', 3]]);
          const ok = isAlive(init) && innerPid(init) === 1 && held?.inode === ctx.vars.runListener.inode && !!gen3 && gen3.description === held?.description;
          return { ok, detail: `hotrestart-run ${nsPidText(init)}; inode ${ctx.vars.runListener.inode} → ${held?.inode ?? '-'}; gen3 fd 3 DESC ${gen3?.description ?? '-'}` };
        }),
      },
      {
        text: { en: 'PID 1 reaped gen1 and gen2: "pid N exited", and /proc has no entry left', zh: '1 号进程回收了 gen1 和 gen2：「pid N exited」，/proc 里也不留条目' },
        check: (ctx) => ns(ctx, () => {
          const reaped = ['gen1', 'gen2'].map((name) => {
            const inner = ctx.vars.innerGens?.[name];
            const said = (ctx.vars.runLines ?? []).some((line) => line.includes(`pid ${inner} exited`));
            const outer = ctx.vars.gens?.[name];
            return { name, ok: inner !== undefined && said && !!outer && !existsSync(`/proc/${outer}`) };
          });
          return { ok: reaped.every((r) => r.ok) && !!ctx.vars.runLoad, detail: reaped.map((r) => `${r.name} ${ctx.t(r.ok ? { en: 'reaped', zh: '已回收' } : { en: 'not reaped', zh: '未回收' })}`).join(' · ') };
        }),
      },
      {
        text: { en: 'hotrestart-run followed each new generation through MAINPID=', zh: 'hotrestart-run 通过 MAINPID= 跟上了每一个新的代' },
        check: (ctx) => ns(ctx, () => {
          const followed = (ctx.vars.runLines ?? []).filter((line) => /main pid is now \d+/.test(line)).map((line) => /main pid is now (\d+)/.exec(line)![1]);
          const wanted = ['gen2', 'gen3'].map((name) => String(ctx.vars.innerGens?.[name]));
          return { ok: wanted.every((pid) => followed.includes(pid)), detail: `main pid is now ${followed.join(', ') || '-'}` };
        }),
      },
    ],
    quiz: {
      question: { en: 'What keeps the namespace alive through the upgrades?', zh: '是什么让命名空间在升级过程中一直活着？' },
      choices: [
        { en: 'PID 1 is hotrestart-run, which never exits while a generation runs; the generations come and go below it', zh: '1 号进程是 hotrestart-run，只要还有一代在运行它就不退出；各代进程在它下面来来去去' },
        { en: 'The successor becomes PID 1 when its predecessor exits', zh: '前任退出时，后继进程会变成 1 号进程' },
        { en: 'The listening socket keeps the namespace alive', zh: '监听 socket 让命名空间活着' },
      ],
      answer: 0,
      explanation: {
        en: 'A process keeps its pid for life: no successor ever becomes PID 1. So PID 1 must be a process that does not take part in the upgrades. Because it also holds a copy of the listener, the port stays open even between generations.',
        zh: '进程一生只有一个 pid：后继进程永远不会变成 1 号进程。所以 1 号进程必须是一个不参与升级的进程。又因为它还持有监听 socket 的一个副本，即使在两代之间端口也始终开着。',
      },
    },
  },
  {
    id: 'stop',
    title: { en: 'Stopping the container: SIGTERM to PID 1, forwarded', zh: '停止容器：SIGTERM 发给 1 号进程，再被转发' },
    text: {
      en: "A container stop sends SIGTERM to PID 1. hotrestart-run has a handler for it, so, unlike bare-pid1 in step 4, it gets it, and forwards it to the current generation, which stops accepting, finishes its requests and exits. With no generation left, hotrestart-run exits with that generation's status (0), and the namespace ends with nothing in it.\n\nThe difference from tini (step 5) is what PID 1 follows: tini follows the child it started and leaves with it; hotrestart-run follows whichever generation last said MAINPID=, and leaves only when none is left.",
      zh: '容器的 stop 会给 1 号进程发送 SIGTERM。hotrestart-run 为它装了处理函数，所以和第 4 步的 bare-pid1 不同，它能收到，并把它转发给当前这一代；这一代停止 accept，处理完请求后退出。没有代了，hotrestart-run 就以这一代的退出状态（0）退出，命名空间空空如也地结束。\n\n和 tini（第 5 步）的区别在于 1 号进程跟着谁：tini 跟着它启动的那个子进程，并随它离开；hotrestart-run 跟着最后一个说 MAINPID= 的代，直到一个代都不剩才离开。',
    },
    async run(ctx) {
      if (!available(ctx)) return;
      await ctx.call('shell', { op: 'kill', pid: ctx.vars.boxed.init, signal: 'SIGTERM' });
      await gone(ctx, ctx.vars.boxed.unshare, 'unshare-4', 20_000);
      ctx.vars.runLogPump();
      ctx.vars.runPump();
    },
    show: { processes: ['hotrestart-run', 'gen3'], only: isListener, focus: isListener },
    expect: [
      {
        text: { en: 'hotrestart-run got SIGTERM and forwarded it to gen3, which exited', zh: 'hotrestart-run 收到 SIGTERM 并转发给 gen3，gen3 随后退出' },
        check: (ctx) => ns(ctx, () => {
          const inner = ctx.vars.innerGens?.gen3;
          const line = (ctx.vars.runLines ?? []).find((l) => l.includes(`SIGTERM received: forwarded to pid ${inner}`));
          return { ok: !!line && !!ctx.vars.gens?.gen3 && !isAlive(ctx.vars.gens.gen3), detail: line ? /\] (.*)$/.exec(line)?.[1] : `no forwarded SIGTERM to pid ${inner ?? '-'}` };
        }),
      },
      {
        text: { en: 'then PID 1 exited with 0, and no process of the namespace is left', zh: '然后 1 号进程以 0 退出，命名空间里一个进程也不剩' },
        check: (ctx) => ns(ctx, () => {
          const exit = (ctx.vars.runLines ?? []).find((l) => /no generation is left; exiting with 0/.test(l));
          const pids = [ctx.vars.boxed?.init, ctx.vars.boxed?.unshare, ...Object.values(ctx.vars.gens ?? {})].filter((pid): pid is number => !!pid);
          const left = pids.filter(isAlive);
          return { ok: !!exit && pids.length >= 5 && left.length === 0, detail: exit ? `${/\] (.*)$/.exec(exit)?.[1] ?? exit}; ${left.length ? ctx.t({ en: `still running: ${left.join(', ')}`, zh: `仍在运行：${left.join(', ')}` }) : ctx.t({ en: 'none left', zh: '一个不剩' })}` : 'no exit line from hotrestart-run' };
        }),
      },
      {
        text: { en: 'and only now is the port closed', zh: '直到这时端口才关闭' },
        check: (ctx) => ns(ctx, () => {
          const n = ctx.vars.runPort ? listenersOn(ctx.vars.runPort).length : -1;
          return { ok: n === 0 && !!ctx.vars.boxed && !isAlive(ctx.vars.boxed.init), detail: `${n} LISTEN on 127.0.0.1:${ctx.vars.runPort ?? '-'}` };
        }),
      },
    ],
    quiz: {
      question: { en: 'Would running the self-upgrading server under tini fix the first experiment?', zh: '把自我升级的服务放在 tini 下面运行，能修好第一个实验吗？' },
      choices: [
        { en: 'No: tini exits when its child (generation 1) exits, and then the namespace ends', zh: '不能：tini 在它的子进程（第 1 代）退出时就退出，然后命名空间随之结束' },
        { en: 'Yes: tini forwards signals, so the successor survives', zh: '能：tini 会转发信号，所以后继进程能活下来' },
        { en: 'Yes: tini reaps zombies, and the successor was a zombie', zh: '能：tini 会回收僵尸进程，而后继进程就是个僵尸' },
      ],
      answer: 0,
      explanation: {
        en: "tini and dumb-init solve the other PID 1 problems — signals and zombies — but they follow one child and leave with it. A hot restart replaces that child, so PID 1 must be a parent that follows the current generation (MAINPID=) and holds the listeners, as hotrestart-run, einhorn or overseer do.",
        zh: 'tini 和 dumb-init 解决的是 1 号进程的另外两个问题——信号和僵尸——但它们只跟着一个子进程，并随它一起离开。热重启恰恰要替换这个子进程，所以 1 号进程必须是一个跟踪当前代（MAINPID=）并持有监听 socket 的父进程，就像 hotrestart-run、einhorn 或 overseer 那样。',
      },
    },
    hint: { en: 'Compare with step 4: hotrestart-run gets SIGTERM because it installed a handler; bare-pid1 did not.', zh: '和第 4 步比较：hotrestart-run 能收到 SIGTERM，是因为它装了处理函数；bare-pid1 没有。' },
  },
];

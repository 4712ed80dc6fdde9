// Lesson 16, the pid trackers: a pm2-like manager (the stand-in in its pm2 mode: pm2 is not a dependency of
// the tutor) restarts an app whose tracked pid exited after a hot restart, into the port the successor holds:
// under pm2 7 each copy fails its bind, idles and exits with code 0, so the app shows online and is
// restarted again and again (lessons/servers/16-pm2-container.ts says why, from pm2's sources); its
// stop misses the successor; then the fix, live: the stand-in tracks hotrestart-run, the restart package's
// stable parent, and a reload restarts nothing and loses nothing, a stop reaches every generation. Between
// the stand-in's restarts and its stop, the real pm2 where installed (16-supervisors.realpm2.ts).
import { isAlive } from '../src/demo/marker.js';
import { commOf, parentOf, sharing } from '../src/lesson/procview.js';
import type { Step } from '../src/lesson/types.js';
import { answeredBy, generation, getOnce, liveServicePids, loadText, managerName, probeFreePort, serverEvents, startUnit, startUnitLoad, tellManager, unitEvents, unitState, waitReport } from './16-supervisors.kit.js';
import { realPm2Step, type RealPm2Vars } from './16-supervisors.realpm2.js';
import { followUnderLoad, isListener, isTcp, keepStats, listenerOf, NONE_FAILED, noneFailed, nothingLeft, remember, unitOf, waitGeneration } from './16-supervisors.units.js';

/** What the pm2 steps carry (the real pm2's step, RealPm2Vars, too); lesson 16's Vars extends it. */
export interface Pm2Vars extends RealPm2Vars {
  /** What the pm2 stand-in's successor answered after the stand-in was stopped. */
  pm2After: { pid: number } | { error: string };
  /** Under hotrestart-run: the pid the pm2 stand-in tracks, and the listener's inode, before the reload. */
  runBefore: { tracked: number; inode: number | null | undefined };
}

export const pm2Steps: Step<Pm2Vars>[] = [
    {
      id: 'pid-tracker',
      title: { en: 'A manager that tracks one pid (pm2)', zh: '只盯一个 pid 的管理器（pm2）' },
      text: {
        en: "pm2 is not a dependency of the tutor (`npm install -g pm2` installs it), so a stand-in plays it, labelled so: not pm2, but pm2 7's code for an app in fork mode (the next step runs the real pm2 where one is installed). pm2 runs the app inside its container (ProcessContainerFork.js) and tracks that pid; when it exits, pm2 starts the app again and counts it (↺). A restart is unstable only if the process lived less than min_uptime (1 s) in the app's first min_uptime × max_restarts (16 s); 16 of those mark it errored. pm2's daemon is not a subreaper.\n\nThe app listens on a fixed port, as under pm2 (chosen free a moment before: if another program takes it first, the step fails with EADDRINUSE). `pm2 sendSignal SIGUSR2 app` hands over to pm2-2; pm2-1 exits; pm2 restarts the app, whose bind meets pm2-2's socket: EADDRINUSE. pm2's agent in the container (pm2-io) catches the failed top-level await and logs it without exiting, so the server's own exit(1) never runs: the copy idles until that agent, checking every 3 s, lets it exit (code 0). It lived past min_uptime: not unstable. pm2 shows the app online, restarting it again and again.",
        zh: 'pm2 不是本教程的依赖（`npm install -g pm2` 即可安装），所以由一个替身扮演，并如实标明：它不是 pm2，而是照着 pm2 7 对 fork 模式应用的代码行事（装了 pm2 的话，下一步会运行真正的 pm2）。pm2 在它的容器（ProcessContainerFork.js）里运行应用，并跟踪这个 pid；这个进程一退出，pm2 就重新启动应用并计数（↺）。只有在应用最初的 min_uptime × max_restarts（16 秒）之内、进程活得不到 min_uptime（1 秒）时，这次重启才算不稳定；这样的重启累计 16 次，应用被标记为 errored。pm2 的守护进程不是 subreaper。\n\n应用监听一个固定端口，就像 pm2 下的应用那样（端口是片刻之前选出的空闲端口：若被其他程序抢先占用，这一步就会以 EADDRINUSE 失败）。`pm2 sendSignal SIGUSR2 app` 把服务交接给 pm2-2；pm2-1 退出；pm2 重新启动应用，新进程的 bind 撞上 pm2-2 的 socket：EADDRINUSE。容器里 pm2 的代理（pm2-io）截住了失败的顶层 await，只记日志而不退出，所以服务自己的 exit(1) 从未执行：这个副本闲着，直到这个代理（每 3 秒检查一次）让它退出（退出码 0）。它活过了 min_uptime：不算不稳定。pm2 显示应用 online，一遍又一遍地重启它。',
      },
      async run(ctx) {
        const port = await probeFreePort();
        const unit = await startUnit(ctx, 'pm2', { type: 'pid', env: { PORT: String(port) } });
        unit.port = port;
        remember(ctx, unit);
        await waitGeneration(unit, 1);
        const load = startUnitLoad(ctx, port);
        await ctx.until(() => load.stats().ok >= 20, 3000);
        await tellManager(ctx, unit, 'SIGHUP');
        await waitGeneration(unit, 2);
        // ↺ 1 follows pm2-1's exit; ↺ 2 follows the exit of the first restarted copy, pm2-r1.
        await waitReport(unit, (r) => r.event === 'unit' && r.kind === 'restart' && Number(r.count) >= 2, 20_000, { en: 'a second restart', zh: '第二次重启' });
        keepStats(ctx, 'pm2', await load.stop());
        ctx.log({ en: `pid tracker: ${loadText(ctx, ctx.vars.stats.pm2)}`, zh: `只盯 pid 的管理器：${loadText(ctx, ctx.vars.stats.pm2)}` });
      },
      quiz: {
        question: { en: 'pm2 restarted the app again and again, and every copy failed its bind. Why is it still online, not errored?', zh: 'pm2 一再重启应用，每个副本的 bind 都失败了。为什么它仍是 online，而不是 errored？' },
        choices: [
          { en: 'pm2 restarts only after exit code 1, and these copies exited with 0', zh: 'pm2 只在退出码为 1 时重启，而这些副本以 0 退出' },
          { en: 'Each copy lived longer than min_uptime, so no restart counted as unstable', zh: '每个副本都活得比 min_uptime 久，所以没有一次重启算作不稳定' },
          { en: 'max_restarts counts only exits by a signal', zh: 'max_restarts 只计算被信号结束的退出' },
        ],
        answer: 1,
        explanation: {
          en: "pm2's agent in the container (pm2-io) caught the failed top-level await and did not exit; the copy idled until that agent let it go, seconds later. pm2 counts a restart as unstable only when the process lived less than min_uptime, and errored needs max_restarts of those. pm2 restarts after any exit code, unless stop_exit_codes lists it.",
          zh: '容器里 pm2 的代理（pm2-io）截住了失败的顶层 await，没有退出；副本一直闲着，几秒后才被这个代理放走。只有进程活得不到 min_uptime，pm2 才把这次重启算作不稳定，而要达到 max_restarts 次这样的重启才会 errored。不论退出码是多少 pm2 都会重启，除非 stop_exit_codes 列出了它。',
        },
      },
      show: { processes: [managerName('pm2'), 'pm2-2'], focus: isListener, only: isTcp },
      hint: {
        en: 'Who holds the port, whatever the manager believes: `ss -ltnp sport = :PORT`, or `hotrestart-tutor fds PID` for the pid it names.',
        zh: '不管管理器怎么认为，谁持有这个端口一查便知：`ss -ltnp sport = :PORT`，或者对它给出的 pid 执行 `hotrestart-tutor fds PID`。',
      },
      expect: [
        {
          text: {
            en: 'each restarted copy failed with EADDRINUSE, lived past min_uptime and exited with code 0: status online, no unstable restart',
            zh: '每个重新启动的副本都以 EADDRINUSE 失败，活过了 min_uptime，以退出码 0 退出：状态 online，没有不稳定重启',
          },
          check: (ctx) => {
            const unit = ctx.vars.units?.pm2;
            // Restart n follows the exit of the process started before it: from ↺ 2 on, a restarted copy.
            const copies = unitEvents(unit, 'restart').slice(1);
            const copyPids = unitEvents(unit, 'started').slice(1, 1 + copies.length).map((r) => Number(r.subject));
            const failed = copyPids.filter((pid) => serverEvents(unit, 'error').some((r) => r.pid === pid && String(r.text).includes('EADDRINUSE'))).length;
            const lived = copies.map((r) => Number(r.uptimeMs));
            const ok = copies.length >= 1 && failed === copies.length && lived.every((ms) => ms >= 1000) && copies.every((r) => r.code === 0 && r.unstableRestarts === 0) && unitState(unit) === 'online';
            const livedText = lived.map((ms) => (ms / 1000).toFixed(1)).join(', ');
            return { ok, detail: `↺ ${unitEvents(unit, 'restart').length}; copies lived ${livedText || '-'} s, codes ${copies.map((r) => String(r.code)).join(', ') || '-'}; ${failed} EADDRINUSE; ${unitState(unit) ?? '-'}` };
          },
        },
        {
          text: { en: "pm2-2 serves, not the stand-in's child; the pid the stand-in tracks answered nothing", zh: 'pm2-2 在提供服务，但不是替身的子进程；替身跟踪的 pid 一个请求也没应答' },
          check: (ctx) => {
            const unit = ctx.vars.units?.pm2;
            const second = generation(unit, 2);
            const parent = second === undefined ? undefined : parentOf(second);
            const tracked = Number(unitEvents(unit, 'started').at(-1)?.subject);
            const ok = !!unit && second !== undefined && isAlive(second) && parent !== unit.manager && answeredBy(ctx.vars.stats?.pm2, second) > 0 && tracked > 0 && answeredBy(ctx.vars.stats?.pm2, tracked) === 0;
            return { ok, detail: `pm2-2 ${second ?? '-'}, PPid ${parent ?? '-'} (stand-in ${unit?.manager ?? '-'}); tracked ${tracked || '-'}; ${loadText(ctx, ctx.vars.stats?.pm2)}` };
          },
        },
      ],
    },
    // Where pm2 7 is installed, the same under the real pm2 (○ without it).
    realPm2Step,
    {
      id: 'pid-tracker-stop',
      title: { en: 'Stopping the app does not stop it', zh: '停止应用却停不掉它' },
      text: {
        en: "`pm2 stop app`: the stand-in sends SIGINT to the process it tracks and its descendants (pm2's tree kill), SIGKILL after kill_timeout. The tracked process is a restarted copy that serves nothing, and pm2-2 is no descendant of anything pm2 knows: it serves on, unmanaged. (The tutor ends it when the lesson ends, by its run marker.)\n\nThe fix is to give such a manager a process that stays: run the server under hotrestart-run (lesson 17), a small stable parent that holds the listeners and follows the generations through MAINPID=; or use pm2's own cluster-mode reload, which keeps the master and replaces workers.",
        zh: '`pm2 stop app`：替身向它跟踪的进程及其后代发送 SIGINT（pm2 的进程树终止），超过 kill_timeout 再发 SIGKILL。被跟踪的进程是一个什么也不服务的重启副本，而 pm2-2 不是 pm2 所知道的任何进程的后代：它继续提供服务，无人管理。（课程结束时，教程会凭运行标记结束它。）\n\n解决办法是给这种管理器一个始终不变的进程：在 hotrestart-run（第 17 课）下运行服务，它是一个小而稳定的父进程，持有监听 socket，并通过 MAINPID= 跟随每一代；或者用 pm2 自己的 cluster 模式 reload，它保留主进程、替换 worker。',
      },
      async run(ctx) {
        const unit = unitOf(ctx, 'pm2');
        await tellManager(ctx, unit, 'SIGTERM');
        await ctx.until(() => !isAlive(unit.manager), 5000);
        ctx.vars.pm2After = await getOnce(unit.port, 3000);
      },
      show: { processes: ['pm2-2'], focus: isListener, only: isTcp },
      expect: [
        {
          text: { en: 'the stand-in has stopped, and pm2-2 still answers', zh: '替身已经停止，而 pm2-2 仍在应答' },
          check: (ctx) => {
            const unit = ctx.vars.units?.pm2;
            const after = ctx.vars.pm2After;
            const second = generation(unit, 2);
            const ok = !!unit && !isAlive(unit.manager) && !!after && 'pid' in after && after.pid === second;
            return { ok, detail: after ? ('pid' in after ? `answered by ${after.pid}` : after.error) : 'no request' };
          },
        },
      ],
      quiz: {
        question: { en: 'Which setup lets a hot-restarting server run under a manager that tracks one pid?', zh: '哪种做法能让一个会热重启的服务在只盯一个 pid 的管理器下运行？' },
        choices: [
          { en: 'Let the manager track a stable parent (hotrestart-run) that holds the listeners and outlives every generation', zh: '让管理器去盯一个稳定的父进程（hotrestart-run），它持有监听 socket，活得比每一代都久' },
          { en: 'Turn autorestart off, so the manager never starts the app again', zh: '关掉 autorestart，这样管理器就不会再启动应用' },
          { en: 'Bind the port with SO_REUSEADDR so the restarted app can bind too', zh: '用 SO_REUSEADDR 绑定端口，让重新启动的应用也能绑定' },
        ],
        answer: 0,
        explanation: {
          en: 'Without autorestart the manager still believes the app is stopped, and its stop no longer reaches the successor. SO_REUSEADDR does not let two sockets listen on one port (that is SO_REUSEPORT, lesson 7) — and two servers would be the wrong fix anyway. A stable parent keeps the pid the manager knows alive through every upgrade.',
          zh: '关掉 autorestart，管理器仍然以为应用已经停了，它的 stop 也照样够不着后继进程。SO_REUSEADDR 并不能让两个 socket 监听同一个端口（那是 SO_REUSEPORT，第 7 课）——何况两个服务本来就不是正确的解决办法。稳定的父进程让管理器认识的那个 pid 在每次升级中都活着。',
        },
      },
    },
    {
      id: 'pid-tracker-fix',
      title: { en: 'The fix: track a stable parent', zh: '解决办法：盯住一个稳定的父进程' },
      text: {
        en: "The same pm2 stand-in and the same app, now started as `hotrestart-run --listen http=127.0.0.1:0 -- node server.js`. The pid the stand-in tracks is hotrestart-run's, the restart package's small stable parent: it binds the listener and keeps it, starts generation 1 with it at fd 3 (LISTEN_FDS, LISTEN_FDNAMES=http), is the child subreaper of every generation, follows them through MAINPID= on a NOTIFY_SOCKET of its own, and forwards SIGUSR2 to the current one.\n\nA reload under load: the stand-in signals the pid it tracks, hotrestart-run forwards it, pm2run-1 hands over to pm2run-2 and exits. The tracked pid never changes, so nothing is restarted, and no request fails.",
        zh: '还是那个 pm2 替身、那个应用，这次以 `hotrestart-run --listen http=127.0.0.1:0 -- node server.js` 启动。替身跟踪的是 hotrestart-run 的 pid，它是重启模块提供的小而稳定的父进程：它绑定监听 socket 并一直持有，把它放在 fd 3 上启动第 1 代（LISTEN_FDS、LISTEN_FDNAMES=http），是每一代的 child subreaper，通过自己的 NOTIFY_SOCKET 上的 MAINPID= 跟随每一代，并把 SIGUSR2 转发给当前那一代。\n\n在负载下执行 reload：替身给它跟踪的 pid 发信号，hotrestart-run 转发，pm2run-1 交接给 pm2run-2 后退出。被跟踪的 pid 始终不变，所以不会有任何重启，也没有请求失败。',
      },
      code: {
        other: { label: 'ecosystem.config.js', code: "module.exports = {\n  apps: [{ name: 'app', script: 'hotrestart-run', args: '--listen http=0.0.0.0:8080 -- node server.js' }],\n};\n// reload: pm2 sendSignal SIGUSR2 app" },
      },
      async run(ctx) {
        const unit = await startUnit(ctx, 'pm2run', { type: 'pid', underRun: true, mainName: 'hotrestart-run' });
        remember(ctx, unit);
        await waitGeneration(unit, 1);
        unit.port = Number(serverEvents(unit, 'listening')[0]?.port);
        const tracked = Number(unitEvents(unit, 'started')[0]?.subject);
        ctx.vars.runBefore = { tracked, inode: listenerOf(ctx, 'hotrestart-run')?.inode };
        await followUnderLoad(ctx, 'pm2run', (u) => tellManager(ctx, u, 'SIGHUP'), { en: 'pm2 stand-in + hotrestart-run', zh: 'pm2 替身 + hotrestart-run' });
      },
      show: { processes: [managerName('pm2run'), 'hotrestart-run', 'pm2run-2'], focus: isListener, only: isTcp },
      expect: [
        {
          text: { en: 'the tracked pid is still hotrestart-run, alive: no restart', zh: '被跟踪的 pid 仍是 hotrestart-run，而且活着：没有重启' },
          check: (ctx) => {
            const unit = ctx.vars.units?.pm2run;
            const tracked = ctx.vars.runBefore?.tracked;
            const restarts = unitEvents(unit, 'restart').length;
            const ok = !!unit && tracked !== undefined && isAlive(tracked) && unitEvents(unit, 'started').length === 1 && restarts === 0 && unitEvents(unit, 'main-pid').length === 0 && !!ctx.vars.stats?.pm2run;
            return { ok, detail: `tracked ${tracked ?? '-'} (${commOf(tracked ?? 0) ?? 'gone'}), ${restarts} restarts` };
          },
        },
        {
          text: { en: "pm2run-2 serves at fd 3 the socket hotrestart-run bound and still holds (one DESC letter)", zh: 'pm2run-2 在 fd 3 上服务的，正是 hotrestart-run 绑定并一直持有的那个 socket（同一个 DESC 字母）' },
          check: (ctx) => {
            const run = ctx.vars.units?.pm2run ? listenerOf(ctx, 'hotrestart-run') : undefined;
            const shared = run ? sharing(ctx, [['hotrestart-run', run.fd], ['pm2run-2', 3]]) : undefined;
            const ok = !!shared && shared.count === 1 && run?.inode === ctx.vars.runBefore?.inode && !!ctx.vars.stats?.pm2run;
            return { ok, detail: shared?.detail ?? 'no listener in hotrestart-run' };
          },
        },
        { text: NONE_FAILED, check: noneFailed('pm2run') },
      ],
    },
    {
      id: 'pid-tracker-fix-stop',
      title: { en: 'And a stop reaches every generation', zh: '而 stop 能送达每一代' },
      text: {
        en: '`pm2 stop app` once more: SIGINT to the tracked process and its descendants. This time the tracked process is alive, and the current generation is its child (hotrestart-run is the subreaper of every generation), so the stop reaches it; hotrestart-run forwards the signal too, and exits when no generation is left. Nothing of the app remains, and the port is closed.',
        zh: '再执行一次 `pm2 stop app`：向被跟踪的进程及其后代发送 SIGINT。这一次被跟踪的进程还活着，当前这一代是它的子进程（hotrestart-run 是每一代的 subreaper），所以 stop 能送达；hotrestart-run 也会转发这个信号，并在没有任何一代剩下时退出。应用什么都没剩下，端口也关闭了。',
      },
      async run(ctx) {
        const unit = unitOf(ctx, 'pm2run');
        await tellManager(ctx, unit, 'SIGTERM');
        await ctx.until(() => !isAlive(unit.manager) && liveServicePids(unit).length === 0 && !isAlive(ctx.vars.runBefore?.tracked ?? 0), 8000);
      },
      show: {
        processes: [managerName('pm2run'), 'hotrestart-run', 'pm2run-2'],
        only: isTcp,
        caption: { en: 'what is left of the app: nothing', zh: '应用还剩下什么：什么都没有' },
      },
      expect: [
        {
          text: { en: 'SIGINT went to hotrestart-run and pm2run-2', zh: 'SIGINT 发给了 hotrestart-run 和 pm2run-2' },
          check: (ctx) => {
            const unit = ctx.vars.units?.pm2run;
            const pids = (unitEvents(unit, 'kill').find((r) => r.signal === 'SIGINT')?.pids as number[] | undefined) ?? [];
            const second = generation(unit, 2);
            return { ok: second !== undefined && pids.includes(ctx.vars.runBefore?.tracked ?? -1) && pids.includes(second), detail: `kill -INT ${pids.join(' ') || '-'}` };
          },
        },
        {
          text: { en: 'hotrestart-run, every generation and the listener are gone', zh: 'hotrestart-run、每一代进程和监听 socket 都不在了' },
          check: (ctx) => {
            const left = nothingLeft(ctx, 'pm2run');
            const tracked = ctx.vars.runBefore?.tracked;
            return { ...left, ok: left.ok && tracked !== undefined && !isAlive(tracked), detail: `hotrestart-run ${tracked !== undefined && isAlive(tracked) ? 'alive' : 'gone'}; ${left.detail}` };
          },
        },
      ],
    },
];

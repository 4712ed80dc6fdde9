// Lesson 11, two states a signal meets. SIGTSTP: a process without a handler is stopped by it (state T,
// as SIGSTOP would) — unless its process group is orphaned, where the kernel discards it — while stubborn,
// which traps it as an endless-style parent does, runs its handler and goes on. State D: a vfork parent
// waits in the kernel until its child execs or exits, and /proc shows it in D ("disk sleep"); a SIGTERM
// it handles stays pending, yet SIGKILL ends it at once: the wait is killable. A truly uninterruptible
// wait (I/O that never completes) would delay SIGKILL, but making one needs a stuck device: the step
// cites it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../src/demo/marker.js';
import { buildC } from '../src/lesson/cbuild.js';
import { excerpt } from '../src/lesson/excerpt.js';
import { parentPid } from '../src/lesson/proc.js';
import { processState, signalSet } from '../src/lesson/signals.js';
import { LessonActionError, type CheckResult, type LessonContext, type Step } from '../src/lesson/types.js';

/** What the two steps carry; lesson 11's Vars extends it. */
export interface StopVars {
  /** sleeper (`sleep`, no handler, in the puppet's orphaned process group): its SigCgt and its state after SIGTSTP. */
  sleeperCaught: string[] | undefined;
  sleeperAfterTstp: string | undefined;
  /** job (`sleep` as a bash job, a group of its own): its state after SIGTSTP and after SIGCONT; gone after SIGKILL. */
  jobStopped: string | undefined;
  jobResumed: string | undefined;
  jobGone: boolean;
  /** stubborn (traps SIGTSTP): what it caught, and its state afterwards. */
  tstpCaught: string[];
  stubbornAfterTstp: string | undefined;
  /** No cc: the vfork step is skipped. */
  noCompiler: boolean;
  vforkState: string | undefined;
  /** After a SIGTERM the parent handles: its state, and its pending signals. */
  afterTerm: { state: string | undefined; pending: string[] } | undefined;
  /** How long the vfork parent took to go after SIGKILL, and whether its child was still running then. */
  killedInMs: number | undefined;
  childAliveAtKill: boolean;
}

const VFORK_SOURCE = fileURLToPath(new URL('./assets/code/c/vfork-demo.c', import.meta.url));
/** How long the vfork child sleeps: the parent's D lasts that long unless it is killed. */
const CHILD_MS = 5000;
/** How long a handled SIGTERM is given to end the D wait (it does not). */
const TERM_WAIT_MS = 200;
/** SIGKILL counts as acting "at once" when the parent is gone within this (the child sleeps far longer). */
const AT_ONCE_MS = 500;

const stateIs = (pid: number, letter: string) => (processState(pid)?.startsWith(letter) ? processState(pid) : undefined);

function needsCc(check: (ctx: LessonContext<StopVars>) => CheckResult): (ctx: LessonContext<StopVars>) => CheckResult {
  return (ctx) => (ctx.vars.noCompiler ? { ok: false, skipped: true, detail: ctx.t({ en: 'no C compiler', zh: '没有 C 编译器' }) } : check(ctx));
}

/** Parent, process group and session of a process, from /proc/PID/stat. */
function idsOf(pid: number): { ppid: number; pgrp: number; sid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const [, ppid, pgrp, sid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { ppid, pgrp, sid };
  } catch {
    return undefined;
  }
}
const idsText = (pid: number) => {
  const ids = idsOf(pid);
  return ids ? `pid ${pid} ppid ${ids.ppid} pgid ${ids.pgrp} sid ${ids.sid}` : `pid ${pid} gone`;
};

const wchanOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/wchan`, 'utf8').trim() || '-';
  } catch {
    return '-';
  }
};

export const tstpStep: Step<StopVars> = {
  id: 'tstp-default',
  title: { en: "SIGTSTP: a stop, a message, or nothing", zh: 'SIGTSTP：停住、消息，或者什么都没有' },
  text: {
    en: 'SIGTSTP is what Ctrl-Z sends. Its default action, for a process with no handler, is to stop it as SIGSTOP does — with one rule SIGSTOP does not have: the kernel discards it in an orphaned process group, one with no parent outside the group in the same session, since no job-control shell could ever send the SIGCONT. A daemon started by systemd or setsid is in such a group; a program started from an interactive shell is not.\n\nThe shell sends SIGTSTP to three processes. sleeper is sleep 30 started by the shell puppet itself: no handler (SigCgt empty), in the puppet\'s process group, which is orphaned (the puppet is a session of its own, like a daemon). job is sleep 30 started as a job by bash with job control (bash -c \'set -m; sleep 30 & exec sleep 60\'): its own group, whose parent is in the same session. And stubborn, which trapped SIGTSTP in the first step the way an endless-style parent does (its child sends SIGTSTP to mean "stop serving, leave").\n\njob is stopped: state T. sleeper goes on sleeping, untouched. stubborn runs its handler and goes on. So an untrapped SIGTSTP either freezes a server (holding its listener and its queued clients until someone sends SIGCONT) or does nothing at all, depending on how it was started: trap it, or use another signal. The shell then sends job SIGCONT (it runs again) and SIGKILL.',
    zh: 'SIGTSTP 就是 Ctrl-Z 发送的信号。对没有处理函数的进程，它的默认动作是像 SIGSTOP 那样把进程停住——但多了一条 SIGSTOP 没有的规则：在孤儿进程组（orphaned process group，组里没有哪个成员的父进程位于同一会话、组外）里，内核会直接丢弃它，因为不会有任何作业控制的 shell 来发 SIGCONT。由 systemd 或 setsid 启动的守护进程就在这样的组里；从交互式 shell 启动的程序则不是。\n\nshell 给三个进程发 SIGTSTP。sleeper 是由 shell 傀儡进程直接启动的 sleep 30：没有处理函数（SigCgt 为空），位于傀儡进程的进程组里，而这个组是孤儿进程组（傀儡进程自成一个会话，就像守护进程）。job 是由开启了作业控制的 bash 作为作业启动的 sleep 30（bash -c \'set -m; sleep 30 & exec sleep 60\'）：它自成一组，而它的父进程在同一个会话里。还有 stubborn，它在第一步里就像 endless 风格的父进程那样捕获了 SIGTSTP（子进程给它发 SIGTSTP，意思是「停止服务，离开」）。\n\njob 被停住了：状态 T。sleeper 照睡不误，毫发无损。stubborn 运行它的处理函数，照常运行。所以，没被捕获的 SIGTSTP 要么把服务冻住（它仍握着监听 socket 和排队的客户端，直到有人发 SIGCONT），要么什么都不做，全看它是怎么启动的：要么捕获它，要么换一个信号。随后 shell 给 job 发 SIGCONT（它又运行起来），再发 SIGKILL。',
  },
  code: {
    other: { label: 'shell', code: "bash -c 'set -m; sleep 30 & exec sleep 60' &   # job: a group of its own\nkill -TSTP $JOB $SLEEPER $STUBBORN\ngrep -E '^(State|SigCgt)' /proc/$JOB/status     # T (stopped), SigCgt 0\nps -o pid,ppid,pgid,sid,stat,comm -p $JOB,$SLEEPER\nkill -CONT $JOB; kill -KILL $JOB" },
  },
  async run(ctx) {
    const stubborn = ctx.pid('stubborn');
    const sleeper = (await ctx.call('shell', { op: 'spawn', name: 'sleeper', command: ['sleep', '30'] })).result.pid;
    ctx.name(sleeper, 'sleeper');
    const holder = (await ctx.call('shell', { op: 'spawn', name: 'job-shell', command: ['bash', '-c', 'set -m; sleep 30 & exec sleep 60'] })).result.pid;
    ctx.name(holder, 'jobshell');
    const job = await ctx.until(() => ctx.supervisor.pids().find((pid) => pid !== holder && parentPid(pid) === holder && idsOf(pid)?.pgrp === pid), 3000, 5);
    if (job === undefined) throw new LessonActionError({ en: 'bash started no job in a process group of its own within 3 s', zh: 'bash 在 3 秒内没有在自己的进程组里启动作业' });
    ctx.name(job, 'job');
    ctx.vars.sleeperCaught = signalSet(sleeper, 'SigCgt');
    for (const pid of [sleeper, job]) ctx.log(`${ctx.names().get(pid)}: ${idsText(pid)}`);
    for (const pid of [stubborn, sleeper, job]) await ctx.call('shell', { op: 'kill', pid, signal: 'SIGTSTP' });
    ctx.vars.jobStopped = (await ctx.until(() => stateIs(job, 'T'), 2000, 5)) ?? processState(job);
    ctx.vars.tstpCaught = (await ctx.call('stubborn', { op: 'caught', timeoutMs: 3000 })).result.signals;
    // Whatever SIGTSTP does to sleeper is done once it is no longer pending (delivered: discarded, or a stop).
    await ctx.until(() => !(signalSet(sleeper, 'ShdPnd') ?? []).includes('SIGTSTP'), 1000, 5);
    ctx.vars.sleeperAfterTstp = processState(sleeper);
    ctx.vars.stubbornAfterTstp = processState(stubborn);
    ctx.log(`State: job ${ctx.vars.jobStopped ?? '-'} · sleeper ${ctx.vars.sleeperAfterTstp ?? '-'} · stubborn ${ctx.vars.stubbornAfterTstp ?? '-'}`);
    await ctx.call('shell', { op: 'kill', pid: job, signal: 'SIGCONT' });
    ctx.vars.jobResumed = (await ctx.until(() => stateIs(job, 'S'), 2000, 5)) ?? processState(job);
    ctx.log(`/proc/${job}/status State: ${ctx.vars.jobResumed ?? '-'}`);
    await ctx.call('shell', { op: 'kill', pid: job, signal: 'SIGKILL' });
    ctx.vars.jobGone = Boolean(await ctx.until(() => !isAlive(job), 2000, 5));
    for (const pid of [sleeper, holder]) await ctx.call('shell', { op: 'kill', pid, signal: 'SIGKILL' }, { allowFail: true });
  },
  expect: [
    {
      text: { en: 'job, in a process group a shell could resume, was stopped by SIGTSTP: state T', zh: 'job 所在的进程组可以由 shell 恢复，它被 SIGTSTP 停住了：状态 T' },
      check: (ctx) => ({ ok: ctx.vars.jobStopped?.startsWith('T') === true, detail: ctx.vars.jobStopped ?? '-' }),
    },
    {
      text: { en: 'sleeper, with no handler but in an orphaned process group, was not stopped: the kernel discarded SIGTSTP', zh: 'sleeper 同样没有处理函数，但在孤儿进程组里，没有被停住：内核丢弃了 SIGTSTP' },
      check: (ctx) => ({
        ok: /^[SR]/.test(ctx.vars.sleeperAfterTstp ?? '') && ctx.vars.sleeperCaught !== undefined && !ctx.vars.sleeperCaught.includes('SIGTSTP') && ctx.vars.jobStopped?.startsWith('T') === true,
        detail: `${ctx.vars.sleeperAfterTstp ?? '-'}; SigCgt: ${(ctx.vars.sleeperCaught ?? []).join(' ') || '-'}`,
      }),
    },
    {
      text: { en: 'stubborn, which traps SIGTSTP, ran its handler and was not stopped', zh: '捕获了 SIGTSTP 的 stubborn 运行了处理函数，没有被停住' },
      check: (ctx) => ({
        ok: (ctx.vars.tstpCaught ?? []).includes('SIGTSTP') && /^[SR]/.test(ctx.vars.stubbornAfterTstp ?? ''),
        detail: `caught ${(ctx.vars.tstpCaught ?? []).join(' ') || '-'}; ${ctx.vars.stubbornAfterTstp ?? 'gone'}`,
      }),
    },
    {
      text: { en: 'SIGCONT made job run again; SIGKILL ended it', zh: 'SIGCONT 让 job 重新运行；SIGKILL 结束了它' },
      check: (ctx) => ({ ok: ctx.vars.jobResumed?.startsWith('S') === true && ctx.vars.jobGone === true, detail: `${ctx.vars.jobResumed ?? '-'}; ${ctx.t(ctx.vars.jobGone ? { en: 'gone', zh: '已不存在' } : { en: 'running', zh: '仍在运行' })}` }),
    },
  ],
};

export const dStateStep: Step<StopVars> = {
  id: 'd-state',
  title: { en: 'State D: not always out of SIGKILL\'s reach', zh: '状态 D：并不总是 SIGKILL 够不着的' },
  text: {
    en: `"SIGKILL always works" has an exception people quote: a process in state D, uninterruptible sleep, waits in the kernel and takes no signal until the wait ends. State D is easy to make without a stuck disk: vfork-demo (lessons/assets/code/c/vfork-demo.c, compiled now with cc) calls vfork(2), and the kernel holds the parent until the child execs or exits, because the child is borrowing the parent's memory. The child just sleeps (${CHILD_MS / 1000} s). /proc shows the parent in D ("disk sleep"), waiting in kernel_clone.\n\nThe parent has a SIGTERM handler, as a server would. The shell sends it SIGTERM: nothing happens, the parent stays in D and the signal waits as pending (ShdPnd). Then the shell sends SIGKILL — and the parent is gone at once, while its child still sleeps. /proc's D covers two kinds of wait: TASK_UNINTERRUPTIBLE, which no signal ends, and TASK_KILLABLE (Linux 2.6.25, 2008), which only a fatal signal ends; vfork's wait is the killable kind, like many waits in today's kernels. A truly uninterruptible one — I/O on a hard-mounted NFS server that died, a disk that stopped answering — does delay SIGKILL until the I/O ends; making one needs a device that stops answering, which this tutor will not do to your machine, so that part is cited, not shown (LWN, "TASK_KILLABLE", lwn.net/Articles/288056). The first step showed the other exception: PID 1 of a PID namespace.`,
    zh: `「SIGKILL 总是管用」有一个常被引用的例外：处于状态 D（不可中断睡眠）的进程在内核里等待，等待结束之前不接收任何信号。不用卡住的磁盘也很容易造出状态 D：vfork-demo（lessons/assets/code/c/vfork-demo.c，现在用 cc 编译）调用 vfork(2)，内核会一直扣住父进程，直到子进程 exec 或退出，因为子进程借用着父进程的内存。子进程只是睡觉（${CHILD_MS / 1000} 秒）。/proc 显示父进程处于 D（"disk sleep"），等在 kernel_clone 里。\n\n父进程像服务那样装了 SIGTERM 处理函数。shell 给它发 SIGTERM：什么都没发生，父进程仍处于 D，信号作为待处理信号（ShdPnd）等着。然后 shell 发 SIGKILL——父进程立刻就没了，而它的子进程还在睡。/proc 里的 D 其实包括两种等待：TASK_UNINTERRUPTIBLE，任何信号都结束不了；以及 TASK_KILLABLE（Linux 2.6.25，2008 年），只有致命信号能结束它；vfork 的等待属于可杀的那种，如今内核里的很多等待也是。真正不可中断的等待——比如对一台已经挂掉的、以 hard 方式挂载的 NFS 服务器做 I/O，或者一块不再响应的磁盘——确实会把 SIGKILL 推迟到 I/O 结束；要造出这种等待，得有一个不再响应的设备，本教程不会对你的机器这么做，所以这一点只引用、不演示（LWN，"TASK_KILLABLE"，lwn.net/Articles/288056）。另一个例外——PID 命名空间里的 1 号进程——第一步已经演示过了。`,
  },
  code: {
    other: { label: 'C', code: excerpt('c/vfork-demo.c', 'vfork') },
  },
  async run(ctx) {
    const binary = await buildC(ctx, VFORK_SOURCE);
    if (!binary) {
      ctx.vars.noCompiler = true;
      ctx.log({ en: 'There is no C compiler (cc) on this machine, so this step is skipped.', zh: '本机没有 C 编译器（cc），所以跳过这一步。' }, 'error');
      return;
    }
    const spawned = await ctx.call('shell', { op: 'spawn', name: 'vfork-demo', command: [binary, String(CHILD_MS)] });
    const parent = spawned.result.pid;
    ctx.name(parent, 'vparent');
    const child = await ctx.until(() => ctx.supervisor.pids().find((pid) => pid !== parent && parentPid(pid) === parent), 2000, 5);
    if (child === undefined) throw new LessonActionError({ en: 'vfork-demo made no child within 2 s', zh: 'vfork-demo 在 2 秒内没有创建子进程' });
    ctx.name(child, 'vchild');
    ctx.vars.vforkState = (await ctx.until(() => stateIs(parent, 'D'), 2000, 5)) ?? processState(parent);
    ctx.log(`/proc/${parent}/status State: ${ctx.vars.vforkState ?? '-'}, wchan ${wchanOf(parent)} · /proc/${child}/status State: ${processState(child) ?? '-'}, wchan ${wchanOf(child)}`);
    await ctx.call('shell', { op: 'kill', pid: parent, signal: 'SIGTERM' });
    await ctx.sleep(TERM_WAIT_MS); // a wait for nothing to happen: a handled SIGTERM does not end this sleep
    ctx.vars.afterTerm = { state: processState(parent), pending: signalSet(parent, 'ShdPnd') ?? [] };
    ctx.log(`/proc/${parent}/status State: ${ctx.vars.afterTerm.state ?? '-'}, ShdPnd: ${ctx.vars.afterTerm.pending.join(' ') || '-'}`);
    const sentAt = Date.now();
    await ctx.call('shell', { op: 'kill', pid: parent, signal: 'SIGKILL' });
    const gone = await ctx.until(() => !isAlive(parent), 2000, 2);
    ctx.vars.killedInMs = gone ? Date.now() - sentAt : undefined;
    ctx.vars.childAliveAtKill = isAlive(child);
    ctx.log({ en: `vparent gone ${ctx.vars.killedInMs ?? '?'} ms after SIGKILL; vchild ${ctx.vars.childAliveAtKill ? 'still sleeping' : 'gone'}`, zh: `SIGKILL 之后 ${ctx.vars.killedInMs ?? '?'} 毫秒 vparent 已不存在；vchild ${ctx.vars.childAliveAtKill ? '仍在睡眠' : '已不存在'}` });
    await ctx.call('shell', { op: 'kill', pid: child, signal: 'SIGKILL' }, { allowFail: true });
    await ctx.until(() => !isAlive(child), 2000, 5);
  },
  expect: [
    {
      text: { en: 'while its vfork child runs, the parent is in state D (disk sleep)', zh: 'vfork 出的子进程运行期间，父进程处于状态 D（disk sleep）' },
      check: needsCc((ctx) => ({ ok: ctx.vars.vforkState?.startsWith('D') === true, detail: ctx.vars.vforkState ?? '-' })),
    },
    {
      text: { en: `a SIGTERM it handles did not end the wait: ${TERM_WAIT_MS} ms later still D, SIGTERM pending`, zh: `它自己处理的 SIGTERM 没有结束这次等待：${TERM_WAIT_MS} 毫秒后仍是 D，SIGTERM 处于待处理状态` },
      check: needsCc((ctx) => {
        const after = ctx.vars.afterTerm;
        return { ok: after?.state?.startsWith('D') === true && after.pending.includes('SIGTERM'), detail: `${after?.state ?? '-'}; ShdPnd: ${after?.pending.join(' ') || '-'}` };
      }),
    },
    {
      text: { en: `SIGKILL ended that D parent at once (within ${AT_ONCE_MS} ms), its child still sleeping: a killable wait`, zh: `SIGKILL 立刻（${AT_ONCE_MS} 毫秒以内）结束了这个处于 D 的父进程，而子进程还在睡：这是可杀的等待` },
      check: needsCc((ctx) => ({
        ok: ctx.vars.killedInMs !== undefined && ctx.vars.killedInMs < AT_ONCE_MS && ctx.vars.childAliveAtKill === true,
        detail: ctx.t({ en: `gone after ${ctx.vars.killedInMs ?? '-'} ms; child ${ctx.vars.childAliveAtKill ? 'still running' : 'gone'}`, zh: `${ctx.vars.killedInMs ?? '-'} 毫秒后消失；子进程${ctx.vars.childAliveAtKill ? '仍在运行' : '已不存在'}` }),
      })),
    },
  ],
};

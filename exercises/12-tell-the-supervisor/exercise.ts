// Exercise 12, tell the supervisor (lesson 16): the verifier plays a Type=notify service manager with
// NotifyAccess=all. It owns the NOTIFY_SOCKET, reads each datagram with the sender's credentials
// (SCM_CREDENTIALS) and checks, from the kernel: READY=1 comes only from a process that already answers
// GET / (probed the moment the datagram is read, any other process of the program stopped so that only
// the sender can answer); after SIGUSR2 the successor holds the same listening socket, names itself with
// MAINPID= before its predecessor exits; STOPPING=1 only on SIGTERM.
import { defineExercise, httpGet, startLoad, tcpListeners, type ProgramRun, type VerifyContext } from '../../src/exercise/define.js';
import { evidenceLine, NotifyManager, type Notification } from './notify-manager.js';

// An honest server answers in milliseconds; the program's start-up takes 1200 ms: a READY=1 said before it
// fails the probe even when the datagram is read 700 ms late on a loaded machine.
const PATIENCE_MS = 500;

interface ServeProbe {
  pid: number;
  ok: boolean;
  /** What the probe saw, in both languages. */
  en: string;
  zh: string;
}

/** Does `pid` alone answer GET / now? Its listener from its fd table; every other process of the
 *  program stopped (SIGSTOP) meanwhile, so a predecessor sharing the socket cannot answer for it. */
async function servesAlone(run: ProgramRun, pid: number): Promise<ServeProbe> {
  const rows = tcpListeners(run.snapshot([pid])).filter((row) => row.socket?.local?.startsWith('127.0.0.1:'));
  if (rows.length === 0) return { pid, ok: false, en: `process ${pid} held no listening socket on 127.0.0.1`, zh: `进程 ${pid} 没有持有 127.0.0.1 上的监听 socket` };
  const port = Number(/:(\d+)$/.exec(rows[0].socket!.local!)![1]);
  const others = run.pids().filter((other) => other !== pid);
  for (const other of others) run.signal(other, 'SIGSTOP');
  try {
    const answer = await httpGet(port, { timeoutMs: PATIENCE_MS });
    const alone = others.length > 0 ? { en: ` (with ${others.join(', ')} stopped)`, zh: `（${others.join('、')} 已被暂停）` } : { en: '', zh: '' };
    return answer.status === 200
      ? { pid, ok: true, en: `GET / on port ${port} answered ${answer.status} in ${answer.ms} ms${alone.en}`, zh: `端口 ${port} 上的 GET / 在 ${answer.ms} 毫秒内得到 ${answer.status}${alone.zh}` }
      : { pid, ok: false, en: `GET / on port ${port} got ${answer.error ?? answer.status} within ${PATIENCE_MS} ms${alone.en}`, zh: `端口 ${port} 上的 GET / 在 ${PATIENCE_MS} 毫秒内得到 ${answer.error ?? answer.status}${alone.zh}` };
  } finally {
    for (const other of others) run.signal(other, 'SIGCONT');
  }
}

const isReady = (message: Notification) => message.fields.get('READY') === '1';
const isStopping = (message: Notification) => message.fields.get('STOPPING') === '1';

export default defineExercise({
  id: 'tell-the-supervisor',
  number: 12,
  lesson: 'supervisors',
  title: { en: 'Tell the supervisor', zh: '告诉 supervisor' },
  summary: {
    en: 'Under a Type=notify manager: READY=1 only once you serve; across a hot restart the successor names itself with MAINPID=; STOPPING=1 only when told to stop.',
    zh: '在 Type=notify 的服务管理器下：开始服务后才发 READY=1；热重启时由后继进程自己用 MAINPID= 报上自己；只有被要求停止时才发 STOPPING=1。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 20_000,
  checks: [
    {
      id: 'ready-serves',
      title: { en: 'READY=1 arrives only when its sender already answers GET /', zh: 'READY=1 到达时，发送它的进程已经能响应 GET /' },
      hint: {
        en: 'The manager starts depending on you the moment READY=1 arrives (systemd starts the units ordered after yours; after a restart your predecessor leaves). Send it from the callback that runs once you listen, after the start-up.',
        zh: 'READY=1 一到，管理器就开始依赖你（systemd 会启动排在你后面的单元；重启时你的前任会离开）。在开始监听之后运行的回调里发送它，放在启动准备之后。',
      },
    },
    {
      id: 'same-socket',
      title: { en: 'after SIGUSR2 a successor holds the very same listening socket (same inode)', zh: '收到 SIGUSR2 后，后继进程持有同一个监听 socket（同一个 inode）' },
      hint: { en: 'Hand your listener to the successor at fd 3 with LISTEN_FDS=1 (exercise 3); a new bind makes a new socket.', zh: '把监听 socket 作为 fd 3 交给后继进程并设置 LISTEN_FDS=1（练习 3）；重新 bind 会得到一个新 socket。' },
    },
    {
      id: 'main-pid-follows',
      title: { en: 'when the old process exits, the manager\'s main pid is already the successor', zh: '旧进程退出时，管理器的主进程 pid 已经是后继进程' },
      hint: {
        en: 'For a Type=notify unit the main process\'s exit is the service\'s end: systemd would stop the unit and kill the successor with it. The successor must send MAINPID=<its pid> before the old process leaves, so the old one waits for the successor to be ready.',
        zh: '对 Type=notify 的单元来说，主进程退出就是服务的结束：systemd 会停止这个单元，连同后继进程一起杀掉。后继进程必须在旧进程离开之前发送 MAINPID=<它的 pid>，所以旧进程要等后继进程就绪。',
      },
    },
    {
      id: 'said-by-successor',
      title: { en: 'the MAINPID= naming the successor was sent by the successor itself (SCM_CREDENTIALS)', zh: '指向后继进程的 MAINPID= 是后继进程自己发的（SCM_CREDENTIALS）' },
      hint: {
        en: 'Only the successor knows when it serves. Sent by the old process right after the spawn, MAINPID= moves the service into a process that is still starting: if it dies then, the main process is gone and systemd stops the whole service, the old process included.',
        zh: '只有后继进程自己知道它什么时候开始服务。如果旧进程在启动子进程后立刻发送 MAINPID=，服务就被移到了一个还在启动的进程上：它要是这时死掉，主进程就没了，systemd 会停止整个服务，旧进程也在内。',
      },
    },
    {
      id: 'no-failed',
      title: { en: 'no request fails across the restart', zh: '重启过程中没有请求失败' },
      hint: { en: 'The listening socket never closes: the old process serves until the successor is ready, and queued connections wait for whoever accepts next.', zh: '监听 socket 从不关闭：旧进程一直服务到后继进程就绪，排队的连接等下一个 accept 的进程。' },
    },
    {
      id: 'quiet-handover',
      title: { en: 'the old process leaves the restart without STOPPING=1', zh: '旧进程在重启中离开时不发送 STOPPING=1' },
      hint: {
        en: 'STOPPING=1 tells the manager the service is shutting down: systemd takes it "as if we SIGTERM\'d it": the unit is stopping, and the successor is killed at TimeoutStopSec= at the latest. Send it on SIGTERM only, not when you leave after a handover.',
        zh: 'STOPPING=1 告诉管理器服务正在关闭：systemd 会把它当作"如同我们发了 SIGTERM"：单元进入停止状态，后继进程最迟在 TimeoutStopSec= 到时被杀掉。只在收到 SIGTERM 时发送，交接后离开时不要发。',
      },
    },
    {
      id: 'stops',
      title: { en: 'on SIGTERM the main process sends STOPPING=1 and every process exits', zh: '收到 SIGTERM 时主进程发送 STOPPING=1，所有进程退出' },
      hint: { en: 'On SIGTERM: send STOPPING=1, stop accepting, finish what is in flight, exit.', zh: '收到 SIGTERM 时：发送 STOPPING=1，停止接受连接，处理完正在进行的请求，退出。' },
    },
  ],
  hints: [
    { en: 'Lesson 16 shows the datagrams: MAINPID=<pid> and READY=1 in one message once a generation serves, STOPPING=1 when it stops. The starter already has sdNotify(); the exercise is what to send, from which process, and when.', zh: '第 16 课展示了这些数据报：每一代进程开始服务后，在一条消息里发送 MAINPID=<pid> 和 READY=1，停止时发送 STOPPING=1。starter 里已经有 sdNotify()；这个练习要解决的是发什么、由哪个进程发、什么时候发。' },
    { en: 'Node: call sdNotify(`MAINPID=${process.pid}\\nREADY=1`) in server.listen\'s callback. Go: after net.Listen / net.FileListener, start Serve, then notify.', zh: 'Node：在 server.listen 的回调里调用 sdNotify(`MAINPID=${process.pid}\\nREADY=1`)。Go：在 net.Listen / net.FileListener 之后先启动 Serve，再发通知。' },
    { en: 'The old process leaves only once the successor wrote READY on fd 4 (the starter\'s channel), and leaves quietly: STOPPING=1 belongs to SIGTERM.', zh: '旧进程只在后继进程往 fd 4（starter 里的通道）写了 READY 之后才离开，而且悄悄离开：STOPPING=1 只属于 SIGTERM。' },
  ],
  wrong: [
    { dir: 'node-ready-early', code: 'node', fails: 'ready-serves', mistake: 'sends READY=1 before the start-up, before it listens' },
    { dir: 'go-ready-early', code: 'go', fails: 'ready-serves', mistake: 'sends READY=1 once it holds the listener, before Serve' },
    { dir: 'node-old-names-child', code: 'node', fails: 'said-by-successor', mistake: 'the old process sends MAINPID=<child> right after the spawn' },
    { dir: 'go-leaves-early', code: 'go', fails: 'main-pid-follows', mistake: 'the old process exits right after the spawn, before the successor is ready' },
    { dir: 'node-stopping-on-handover', code: 'node', fails: 'quiet-handover', mistake: 'the old process sends STOPPING=1 when it leaves a restart' },
  ],

  async scenario(ctx) {
    let run: ProgramRun | undefined;
    const probes = new Map<Notification, ServeProbe>();
    const manager = new NotifyManager(ctx.dir, 0, () => run?.pids() ?? [], async (message) => {
      if (run && isReady(message)) probes.set(message, await servesAlone(run, message.sender));
    });
    try {
      await scenario(ctx, manager, probes, (started) => (run = started));
    } finally {
      manager.close();
    }
  },
});

async function scenario(ctx: VerifyContext, manager: NotifyManager, probes: Map<Notification, ServeProbe>, started: (run: ProgramRun) => void): Promise<void> {
  const run = await ctx.start({ env: { NOTIFY_SOCKET: manager.path } });
  started(run);
  manager.mainPid = run.mainPid; // Type=notify: the process the manager started is the main process
  manager.watch();
  const log = () => manager.log.map(evidenceLine);

  // Start: the unit is "activating" until READY=1.
  const first = await ctx.waitFor(() => manager.log.find(isReady) ?? (run.pids().length === 0 ? 'ended' : undefined), 8000, 20);
  const firstReady = first === 'ended' ? undefined : first;
  if (first === undefined) {
    await manager.pump();
    ctx.fail('ready-serves', { en: 'No READY=1 arrived within 8 s of the start: systemd would fail the unit (TimeoutStartSec=).', zh: '启动后 8 秒内没有收到 READY=1：systemd 会判定这个单元启动失败（TimeoutStartSec=）。' }, log());
  }
  const { port, row: original } = await ctx.waitForListener(run);
  const oldPid = original.pid;

  // The hot restart, under a light load: two workers, a new connection per request.
  const load = startLoad({ port, keepAlive: false, concurrency: 2, pauseMs: 10, requestTimeoutMs: 3000, maxRequests: 5000, maxDurationMs: 15_000 });
  await ctx.sleep(200);
  const signalledAt = manager.log.length;
  run.signal(oldPid, 'SIGUSR2');
  const successor = await ctx.waitFor(() => {
    const snap = run.snapshot();
    const rows = tcpListeners(snap).filter((row) => row.pid !== oldPid && row.inode === original.inode);
    const other = tcpListeners(snap, port).find((row) => row.pid !== oldPid);
    return rows[0] ? { snap, row: rows[0], same: true } : other ? { snap, row: other, same: false } : undefined;
  }, 5000, 20);
  ctx.record('same-socket', successor?.same === true, {
    pass: { en: `Process ${successor?.row.pid} holds socket inode ${original.inode}, the one process ${oldPid} listens on.`, zh: `进程 ${successor?.row.pid} 持有 socket inode ${original.inode}，就是进程 ${oldPid} 监听的那个。` },
    fail: successor
      ? { en: `Process ${successor.row.pid} listens on a new socket (inode ${successor.row.inode}, was ${original.inode}).`, zh: `进程 ${successor.row.pid} 监听的是一个新 socket（inode ${successor.row.inode}，原来是 ${original.inode}）。` }
      : { en: `No other process held the listening socket within 5 s of SIGUSR2.`, zh: `SIGUSR2 之后 5 秒内没有别的进程持有这个监听 socket。` },
  }, successor ? ctx.rows(successor.snap, [successor.row]) : []);
  const next = successor?.row.pid;

  // The old process's exit: notifications sent before it are read before it is judged, as systemd does.
  const left = await ctx.waitFor(async () => {
    await manager.pump();
    return !run.isAlive(oldPid);
  }, 6000, 20);
  await manager.pump();
  const mainAtExit = manager.mainPid;
  ctx.record('main-pid-follows', left === true && next !== undefined && mainAtExit === next, {
    pass: { en: `Process ${oldPid} exited when the main pid was already ${next}, the successor.`, zh: `进程 ${oldPid} 退出时，主进程 pid 已经是后继进程 ${next}。` },
    fail: left
      ? { en: `Process ${oldPid} exited while the main pid was still ${mainAtExit}${next ? ` (the successor is ${next})` : ''}: systemd would take the service for ended and stop the unit, killing every process left in it.`, zh: `进程 ${oldPid} 退出时主进程 pid 仍是 ${mainAtExit}${next ? `（后继进程是 ${next}）` : ''}：systemd 会认为服务已经结束，停止这个单元，杀掉里面剩下的所有进程。` }
      : { en: `Process ${oldPid} still ran 6 s after SIGUSR2.`, zh: `SIGUSR2 之后 6 秒，进程 ${oldPid} 仍在运行。` },
  }, log().slice(signalledAt));

  // Who named the successor. When the old process did not wait for it, its MAINPID= may still come:
  // wait for it until the successor has said READY=1 (up to 3 s).
  const namedBy = () => manager.log.find((message) => next !== undefined && message.mainAfter === next && message.mainBefore !== next);
  const named = await ctx.waitFor(async () => {
    await manager.pump();
    return namedBy() ?? (manager.log.some((message) => message.sender === next && isReady(message)) ? 'never' : undefined);
  }, next === undefined ? 0 : 3000, 20);
  if (named === 'never') {
    await ctx.sleep(100); // a MAINPID= sent right after READY=1, in a datagram of its own
    await manager.pump();
  }
  const naming = named === 'never' ? namedBy() : named;
  ctx.record('said-by-successor', naming !== undefined && naming.sender === next, {
    pass: { en: `MAINPID=${next} came from process ${next} itself, by the kernel's credentials.`, zh: `按内核给出的凭据，MAINPID=${next} 来自进程 ${next} 本身。` },
    fail: naming
      ? { en: `MAINPID=${next} was sent by process ${naming.sender}, not by ${next}. systemd accepts it (NotifyAccess=all admits every process of the service), but ${naming.sender} cannot know when ${next} serves: the service moved into a process that may still die starting up.`, zh: `MAINPID=${next} 是进程 ${naming.sender} 发的，不是 ${next}。systemd 会接受（NotifyAccess=all 允许服务里的每个进程发通知），但 ${naming.sender} 无法知道 ${next} 何时开始服务：服务被移到了一个可能还会在启动中死掉的进程上。` }
      : { en: `No MAINPID= named the successor${next ? ` ${next}` : ''}.`, zh: `没有任何 MAINPID= 指向后继进程${next ? ` ${next}` : ''}。` },
  }, naming ? [evidenceLine(naming)] : log().slice(signalledAt));

  await ctx.sleep(200);
  const stats = await load.stop();
  ctx.record('no-failed', stats.failed === 0 && stats.ok > 0, {
    pass: { en: `${stats.ok} requests answered, 0 failed.`, zh: `${stats.ok} 个请求得到响应，0 个失败。` },
    fail: { en: `${stats.failed} of ${stats.ok + stats.failed} requests failed (refused ${stats.refused}, reset ${stats.reset}, timeout ${stats.timeout}).`, zh: `${stats.ok + stats.failed} 个请求中 ${stats.failed} 个失败（拒绝 ${stats.refused}，重置 ${stats.reset}，超时 ${stats.timeout}）。` },
  });

  // Stop: `systemctl stop` sends SIGTERM to the main process (KillMode=control-group: to all of them; the
  // main one is what must say STOPPING=1).
  await manager.pump();
  const early = manager.log.filter(isStopping);
  const stopAt = manager.log.length;
  const target = run.isAlive(manager.mainPid) ? manager.mainPid : run.pids()[0];
  if (target !== undefined) run.signal(target, 'SIGTERM');
  const gone = await ctx.waitForNoProcesses(run, 3000);
  await manager.pump();
  const stopping = manager.log.slice(stopAt).find(isStopping);
  ctx.record('quiet-handover', early.length === 0, {
    pass: { en: 'No STOPPING=1 arrived before SIGTERM.', zh: 'SIGTERM 之前没有收到 STOPPING=1。' },
    fail: { en: `STOPPING=1 arrived from process ${early[0]?.sender} before any SIGTERM: systemd would begin stopping the unit ("as if we SIGTERM'd it") and end the successor with it.`, zh: `在任何 SIGTERM 之前就收到了进程 ${early[0]?.sender} 发来的 STOPPING=1：systemd 会开始停止这个单元（"如同我们发了 SIGTERM"），后继进程也随之结束。` },
  }, early.map(evidenceLine));
  ctx.record('stops', target !== undefined && stopping !== undefined && stopping.sender === target && gone, {
    pass: { en: `Process ${target} sent STOPPING=1 and every process exited.`, zh: `进程 ${target} 发送了 STOPPING=1，所有进程都已退出。` },
    fail: {
      en: `${stopping ? `STOPPING=1 came from process ${stopping.sender}` : 'No STOPPING=1 arrived'} after SIGTERM to ${target}; ${gone ? 'every process exited' : `still running 3 s later: ${run.pids().join(', ')}`}.`,
      zh: `向 ${target} 发送 SIGTERM 之后${stopping ? `，STOPPING=1 来自进程 ${stopping.sender}` : '没有收到 STOPPING=1'}；${gone ? '所有进程都已退出' : `3 秒后仍在运行：${run.pids().join('、')}`}。`,
    },
  }, log().slice(stopAt));

  // Every READY=1, probed as it arrived.
  const readies = manager.log.filter(isReady);
  const bad = readies.map((message) => probes.get(message)).find((probe) => probe && !probe.ok);
  const afterRestart = readies.some((message) => message.sender === next);
  if (firstReady) {
    ctx.record('ready-serves', bad === undefined && afterRestart, {
      pass: { en: `${readies.length} READY=1 received; each sender answered GET / when it arrived (${readies.map((message) => probes.get(message)?.en).join('; ')}).`, zh: `收到 ${readies.length} 个 READY=1；每个到达时，发送它的进程都能响应 GET /（${readies.map((message) => probes.get(message)?.zh).join('；')}）。` },
      fail: bad
        ? { en: `READY=1 from process ${bad.pid} arrived before it served: ${bad.en}.`, zh: `进程 ${bad.pid} 的 READY=1 在它开始服务之前就到了：${bad.zh}。` }
        : { en: `The successor${next ? ` ${next}` : ''} never sent READY=1.`, zh: `后继进程${next ? ` ${next}` : ''}从未发送 READY=1。` },
    }, readies.map(evidenceLine));
  }
}

// Lesson 7: SO_REUSEPORT pitfalls. Several sockets on one port, each with its own accept queue; the kernel
// spreads connections by hash (measured here by the queues of listeners nobody accepts from); any process
// of the same user can join and take a share; closing a listener resets its queue, unless
// net.ipv4.tcp_migrate_req hands the queue to a sibling (changed only when allowed, always restored).
import type { FdRow } from '../src/fdtable/model.js';
import { clientsOf, listenersOn } from '../src/lesson/kit.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { rowsTogether } from '../src/lesson/procview.js';
import { readSysctl, withSysctl, type SysctlState } from '../src/lesson/sysctl.js';
import type { Lesson, LessonContext, Text } from '../src/lesson/types.js';
import { excerpt, joinText } from '../src/lesson/excerpt.js';

/** Connections per round; far below the backlog, so no queue overflows and no SYN is dropped. */
const ROUND = 200;
const BACKLOG = 1024;
const MIGRATE = 'net.ipv4.tcp_migrate_req';
const LISTENERS = ['a', 'b', 'intruder'] as const;
type Listener = (typeof LISTENERS)[number];

/** Each listener's accept queue now, from one snapshot; undefined for a closed one. */
function queues(ctx: LessonContext<Vars>): Record<string, number | undefined> {
  const names = LISTENERS.filter((name) => ctx.vars.fds?.[name] !== undefined && ctx.vars.live?.[name]);
  const rows = rowsTogether(ctx, names.map((name) => [name, ctx.vars.fds[name]]));
  return Object.fromEntries(names.map((name, i) => [name, rows[i]?.socket?.state === 'LISTEN' ? (rows[i]?.socket?.acceptQueue ?? undefined) : undefined]));
}

const total = (counts: Record<string, number | undefined>) => Object.values(counts).reduce<number>((sum, n) => sum + (n ?? 0), 0);
const queueText = (counts: Record<string, number | undefined>) => Object.entries(counts).map(([name, n]) => `${name} ${n ?? '-'}`).join(' · ');
const established = (ctx: LessonContext<Vars>) => clientsOf(ctx.vars.port).filter((s) => s.state === 'ESTABLISHED').length;
const isListener = (row: FdRow) => row.socket?.state === 'LISTEN';

async function listenOnPort(ctx: LessonContext<Vars>, name: (typeof LISTENERS)[number], port = 0): Promise<void> {
  await ctx.start(name);
  const reply = await ctx.call(name, { op: 'listen', port, reusePort: true, backlog: BACKLOG });
  ctx.vars.fds = { ...ctx.vars.fds, [name]: reply.result.fd };
  ctx.vars.live = { ...ctx.vars.live, [name]: true };
  ctx.vars.port ??= reply.result.port;
}

/** One more round of client connections; waits until the kernel has queued every one somewhere. */
async function connectRound(ctx: LessonContext<Vars>): Promise<void> {
  const before = total(queues(ctx));
  const reply = await ctx.call('client', { op: 'connect-many', port: ctx.vars.port, count: ROUND });
  ctx.vars.clientFds = [...(ctx.vars.clientFds ?? []), ...(reply.result.fds as number[])];
  await ctx.until(() => total(queues(ctx)) === before + ROUND, 3000);
}

/** What the clients read now (ECONNRESET, EAGAIN, EOF), over the clients not already known to be reset. */
async function probeClients(ctx: LessonContext<Vars>): Promise<Record<string, number>> {
  const fds = (ctx.vars.clientFds as number[]).filter((fd) => !ctx.vars.resetFds?.includes(fd));
  const reply = await ctx.call('client', { op: 'recv-many', fds });
  const reset = ((reply.result.fds as Record<string, number[]>).ECONNRESET ?? []);
  ctx.vars.resetFds = [...(ctx.vars.resetFds ?? []), ...reset];
  return reply.result.counts as Record<string, number>;
}

/** Logs the sysctl's value for the demo, and how it got there, before anything happens under it. */
function logSysctl(ctx: LessonContext, state: SysctlState, wanted: string): void {
  const { before, inForce, refused, holder } = state;
  const line: Text =
    before === undefined ? { en: `${MIGRATE} does not exist on this kernel (it came with Linux 5.14)`, zh: `这个内核没有 ${MIGRATE}（Linux 5.14 才引入）` }
    : refused === 'busy' ? { en: `${MIGRATE} stays ${before}: another tutor (pid ${holder}) is changing it right now, so this demo runs with it as it is`, zh: `${MIGRATE} 保持为 ${before}：另一个 tutor（pid ${holder}）正在修改它，本演示按现值运行` }
    : refused === 'EACCES' || refused === 'EPERM' || refused === 'EROFS' ? { en: `${MIGRATE} stays ${before}: setting it to ${wanted} was refused (${refused}); it needs root`, zh: `${MIGRATE} 保持为 ${before}：设为 ${wanted} 被拒绝（${refused}），需要 root 权限` }
    : refused === 'no lock' ? { en: `${MIGRATE} stays ${before}: there is no safe place under /run to record the value to put back, so it is not changed`, zh: `${MIGRATE} 保持为 ${before}：/run 下没有可安全记录原值的位置，因此不修改` }
    : refused ? { en: `${MIGRATE} stays ${before}: setting it to ${wanted} failed (${refused})`, zh: `${MIGRATE} 保持为 ${before}：设为 ${wanted} 失败（${refused}）` }
    : inForce !== before ? { en: `sysctl -w ${MIGRATE}=${inForce} (was ${before}; put back when this step ends)`, zh: `sysctl -w ${MIGRATE}=${inForce}（原为 ${before}；这一步结束时恢复）` }
    : { en: `${MIGRATE} is already ${inForce}`, zh: `${MIGRATE} 本来就是 ${inForce}` };
  ctx.log(line);
}

/**
 * Closes one busy listener with tcp_migrate_req at `wanted` when allowed, and measures what became of its
 * queue: how many moved to `heir` (its queue grew) and how many clients read ECONNRESET.
 */
async function closeBusy(ctx: LessonContext<Vars>, name: 'b' | 'intruder', heir: 'a', wanted: string) {
  const before = queues(ctx);
  const clientsBefore = established(ctx);
  const run = await withSysctl(MIGRATE, wanted, async (state) => {
    logSysctl(ctx, state, wanted);
    const { inForce } = state;
    await ctx.call(name, { op: 'close', fd: ctx.vars.fds[name] });
    ctx.vars.live = { ...ctx.vars.live, [name]: false };
    // Migrated connections show up in the heir's queue; reset ones leave the ESTABLISHED list.
    const queued = before[name] ?? 0;
    await ctx.until(() => (inForce === '1' ? (queues(ctx)[heir] ?? 0) >= (before[heir] ?? 0) + queued : established(ctx) <= clientsBefore - queued), 3000);
  });
  if (run.inForce !== run.before) ctx.log({ en: `sysctl -w ${MIGRATE}=${readSysctl(MIGRATE)} (restored)`, zh: `sysctl -w ${MIGRATE}=${readSysctl(MIGRATE)}（已恢复）` });
  const counts = await probeClients(ctx);
  return {
    queued: before[name] ?? 0,
    heirBefore: before[heir] ?? 0,
    heirAfter: queues(ctx)[heir] ?? 0,
    clientsBefore,
    clientsAfter: established(ctx),
    resets: counts.ECONNRESET ?? 0,
    inForce: run.inForce,
    sysctlBefore: run.before,
  };
}

type CloseOutcome = Awaited<ReturnType<typeof closeBusy>>;

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars {
  /** The shared port, and each listener's fd; live until the lesson closes it. */
  port: number;
  fds: Record<Listener, number>;
  live: Record<Listener, boolean>;
  /** Every connection the client made, and those known to have read ECONNRESET. */
  clientFds: number[];
  resetFds: number[];
  beforeIntruder: Record<string, number | undefined>;
  bClose: CloseOutcome;
  iClose: CloseOutcome;
}

export const lesson: Lesson<Vars> = {
  id: 'reuseport-pitfalls',
  number: 7,
  chapter: { en: 'Chapter 1 · Foundations and pitfalls', zh: '第一章 · 基础与陷阱' },
  title: { en: 'SO_REUSEPORT pitfalls', zh: 'SO_REUSEPORT 的陷阱' },
  summary: {
    en: 'SO_REUSEPORT lets several sockets listen on one port, each with its own accept queue, and the kernel spreads new connections across them. That is a way to restart without passing a listener, and a way to lose connections: any process of the same user can join and take a share, and a listener that closes resets every connection waiting in its queue, unless net.ipv4.tcp_migrate_req hands them to a sibling.',
    zh: 'SO_REUSEPORT 允许多个 socket 监听同一个端口，每个 socket 有自己的 accept 队列，内核把新连接分散给它们。这是一种不传递监听 socket 也能重启的办法，也是一种丢连接的办法：同一用户的任何进程都能加入进来分走一份流量；一个监听 socket 关闭时，它队列里等待的连接全部被重置，除非 net.ipv4.tcp_migrate_req 把它们交给同组的其他 socket。',
  },
  recap: [
    { en: 'SO_REUSEPORT gives every socket its own accept queue; the kernel spreads new connections across them.', zh: 'SO_REUSEPORT 让每个 socket 都有自己的 accept 队列；内核把新连接分散到这些队列里。' },
    { en: 'Any process of the same user can join the group and take a share of the connections.', zh: '同一用户的任何进程都能加入这个组，分走一部分连接。' },
    { en: 'Closing a busy listener resets every connection waiting in its queue.', zh: '关闭一个忙碌的监听 socket，会重置它队列里所有等待的连接。' },
    { en: 'net.ipv4.tcp_migrate_req=1 hands that queue to a sibling instead; other kernels have other rules.', zh: 'net.ipv4.tcp_migrate_req=1 会把这个队列转交给同组的另一个 socket；其他内核的规则又不一样。' },
  ],
  steps: [
    {
      id: 'two-listeners',
      title: { en: 'Two processes, one port', zh: '两个进程，一个端口' },
      text: {
        en: `Process a makes a socket, sets SO_REUSEPORT, binds 127.0.0.1 on a port the kernel picks and listens with a backlog of ${BACKLOG}. Process b does the same on a's port, and its bind succeeds too. Unlike a dup or an inherited listener, these are two sockets: two DESC letters, two inodes, two accept queues (one QUEUE per row). Nobody accepts in this lesson, so each queue counts what the kernel handed that socket.`,
        zh: `进程 a 创建 socket，设置 SO_REUSEPORT，绑定 127.0.0.1 和内核挑选的端口，以 ${BACKLOG} 的 backlog 监听。进程 b 在 a 的端口上做同样的事，bind 也成功了。和 dup 或继承来的监听 socket 不同，这是两个 socket：两个 DESC 字母、两个 inode、两个 accept 队列（每行一个 QUEUE）。本课里没人调用 accept，所以每个队列的长度就是内核分给那个 socket 的连接数。`,
      },
      code: {
        go: excerpt('go/reuseport.go', 'listen'),
        node: excerpt('node/reuseport.mjs', 'listen'),
      },
      async run(ctx) {
        await listenOnPort(ctx, 'a');
        await listenOnPort(ctx, 'b', ctx.vars.port);
      },
      show: { processes: ['a', 'b'], focus: isListener },
      expect: [
        {
          text: { en: 'two sockets listen on the same port', zh: '两个 socket 在同一个端口上监听' },
          check: (ctx) => ({ ok: listenersOn(ctx.vars.port).length === 2, detail: `127.0.0.1:${ctx.vars.port}: ${listenersOn(ctx.vars.port).length} LISTEN` }),
        },
        {
          text: { en: 'they are two sockets, not one shared: different inodes', zh: '它们是两个 socket，而不是共享的一个：inode 不同' },
          check: (ctx) => {
            const [a, b] = rowsTogether(ctx, [['a', ctx.vars.fds.a], ['b', ctx.vars.fds.b]]);
            return { ok: !!a?.inode && !!b?.inode && a.inode !== b.inode, detail: `a ${a?.inode ?? '-'} / b ${b?.inode ?? '-'}` };
          },
        },
      ],
    },
    {
      id: 'split',
      title: { en: 'The kernel splits the connections', zh: '内核把连接分给两边' },
      text: {
        en: `A client process opens ${ROUND} connections to the port. For each one the kernel picks a socket of the group from a hash of the connection's addresses and ports: even on average, not round-robin, and blind to how busy a process is. Read the QUEUE column: each listener got about half.`,
        zh: `一个客户端进程向这个端口发起 ${ROUND} 个连接。对每个连接，内核根据连接的地址和端口算出哈希，在组里挑一个 socket：平均下来是均匀的，但不是轮询，也完全不管进程忙不忙。看 QUEUE 一栏：每个监听 socket 大约分到一半。`,
      },
      code: {
        other: { label: 'shell', code: "ss -ltn 'sport = :PORT'   # one line per socket; Recv-Q is its accept queue" },
        note: { en: 'Neither Go nor Node chooses: the kernel does, per connection.', zh: 'Go 和 Node 都不参与选择：由内核对每个连接做决定。' },
      },
      async run(ctx) {
        await ctx.start('client');
        await connectRound(ctx);
      },
      show: { processes: ['a', 'b'], focus: isListener },
      expect: [
        {
          text: { en: `all ${ROUND} connections are queued: a + b = ${ROUND}`, zh: `${ROUND} 个连接全部在排队：a + b = ${ROUND}` },
          check: (ctx) => {
            const q = queues(ctx);
            return { ok: total(q) === ROUND, detail: queueText(q) };
          },
        },
        {
          text: { en: 'each listener got a fair share (more than a quarter)', zh: '每个监听 socket 都分到了相当的一份（超过四分之一）' },
          check: (ctx) => {
            const q = queues(ctx);
            return { ok: (q.a ?? 0) > ROUND / 4 && (q.b ?? 0) > ROUND / 4, detail: queueText(q) };
          },
        },
      ],
      quiz: {
        question: { en: 'How does Linux choose the SO_REUSEPORT socket for a new connection?', zh: 'Linux 怎样为新连接选择 SO_REUSEPORT 组里的 socket？' },
        choices: [
          { en: "By a hash of the connection's source and destination addresses and ports", zh: '根据连接的源、目的地址和端口算出的哈希' },
          { en: 'The socket with the shortest accept queue', zh: '选 accept 队列最短的 socket' },
          { en: 'Round-robin in the order the sockets were bound', zh: '按 socket 绑定的顺序轮询' },
        ],
        answer: 0,
        explanation: {
          en: 'The hash spreads connections evenly on average but ignores load: a stuck process keeps getting its share while its queue fills. A BPF program (SO_ATTACH_REUSEPORT_EBPF) can steer differently.',
          zh: '哈希让连接在平均意义上分布均匀，却不看负载：一个卡住的进程照样分到它那一份，而它的队列越积越满。挂上 BPF 程序（SO_ATTACH_REUSEPORT_EBPF）可以改变分配方式。',
        },
      },
    },
    {
      id: 'intruder',
      title: { en: 'Anyone with your uid can join', zh: '同一 uid 的任何进程都能加入' },
      text: {
        en: `A third process, intruder, unrelated to a and b (not their child, no fd passed), binds the same port with SO_REUSEPORT. For TCP the kernel only asks that every socket of the group set SO_REUSEPORT and belong to the same effective user (man 7 socket: this keeps other users from hijacking the port). Another ${ROUND} connections arrive, and the intruder takes about a third. It is an operations pitfall too: a forgotten old instance or a second deployment on the same host quietly takes traffic, and nothing reports an error.`,
        zh: `第三个进程 intruder 与 a、b 毫无关系（不是它们的子进程，也没有收到任何 fd），它用 SO_REUSEPORT 绑定了同一个端口。对 TCP，内核只要求组里每个 socket 都设置了 SO_REUSEPORT，并且属于同一个有效用户（man 7 socket：这是为了防止别的用户劫持端口）。又来了 ${ROUND} 个连接，intruder 拿走了大约三分之一。这也是运维上的陷阱：一个被遗忘的旧实例、同一台机器上的第二次部署，都会悄悄分走流量，而且不会报任何错误。`,
      },
      code: {
        go: excerpt('go/reuseport.go', 'second'),
        other: { label: 'shell', code: "ss -ltnp 'sport = :PORT'   # as root: which processes hold the group" },
      },
      async run(ctx) {
        ctx.vars.beforeIntruder = queues(ctx);
        await listenOnPort(ctx, 'intruder', ctx.vars.port);
        await connectRound(ctx);
      },
      show: { processes: ['a', 'b', 'intruder'], focus: isListener },
      expect: [
        {
          text: { en: 'three sockets of three processes listen on the port', zh: '三个进程的三个 socket 在这个端口上监听' },
          check: (ctx) => ({ ok: listenersOn(ctx.vars.port).length === 3, detail: `${listenersOn(ctx.vars.port).length} LISTEN` }),
        },
        {
          text: { en: 'the intruder took a share of the new connections (more than one in six)', zh: 'intruder 分走了新连接中的一份（超过六分之一）' },
          check: (ctx) => {
            const q = queues(ctx);
            const before = ctx.vars.beforeIntruder as Record<string, number>;
            const detail = ctx.t({
              en: `new: a +${(q.a ?? 0) - before.a} · b +${(q.b ?? 0) - before.b} · intruder ${q.intruder ?? 0}; ${total(q)} queued in all`,
              zh: `新增：a +${(q.a ?? 0) - before.a} · b +${(q.b ?? 0) - before.b} · intruder ${q.intruder ?? 0}；共 ${total(q)} 个在排队`,
            });
            return { ok: (q.intruder ?? 0) > ROUND / 6 && total(q) === 2 * ROUND, detail };
          },
        },
      ],
      quiz: {
        question: { en: 'Which processes can join a port that listens with SO_REUSEPORT?', zh: '哪些进程能加入一个用 SO_REUSEPORT 监听的端口？' },
        choices: [
          { en: 'Any process of the same effective user that also sets SO_REUSEPORT', zh: '同一有效用户下、同样设置了 SO_REUSEPORT 的任何进程' },
          { en: 'Only children of the first listener', zh: '只有第一个监听 socket 的子进程' },
          { en: 'Only processes that received the fd', zh: '只有收到了那个 fd 的进程' },
        ],
        answer: 0,
        explanation: {
          en: 'The kernel compares socket owners, not the process tree or fds: your own second copy gets in, and gets its share, without any error.',
          zh: '内核比较的是 socket 的属主，而不是进程树或 fd：你自己的第二个副本能加入，并分走它那一份，不会有任何错误。',
        },
      },
      hint: {
        en: 'Check for strangers before relying on SO_REUSEPORT: ss -ltnp lists every socket of the group with its process.',
        zh: '依赖 SO_REUSEPORT 之前先看看有没有「外人」：ss -ltnp 会列出组里每个 socket 及其进程。',
      },
    },
    {
      id: 'close-resets',
      title: { en: 'Closing a busy listener resets its queue', zh: '关闭繁忙的监听 socket 会重置它的队列' },
      text: {
        en: `Process b "restarts": it closes its listener while connections that completed the handshake wait in its queue. Closing does not hand them to a or the intruder; the kernel resets every one, and the clients, which saw connect() succeed, read ECONNRESET. This is the SO_REUSEPORT restart race: the new process has bound its own socket, the old one closes, and whatever waited in the old queue is lost. (This step runs with ${MIGRATE} at its default, 0.)`,
        zh: `进程 b「重启」：它关闭自己的监听 socket，而它的队列里还有已完成握手的连接在等待。关闭并不会把它们交给 a 或 intruder；内核把它们全部重置，以为 connect() 已经成功的客户端读到 ECONNRESET。这就是 SO_REUSEPORT 重启时的竞态：新进程已经绑定了自己的 socket，旧进程关闭，旧队列里等着的连接就这样丢了。（这一步在 ${MIGRATE} 为默认值 0 时运行。）`,
      },
      code: {
        go: excerpt('go/reuseport.go', 'close'),
        node: excerpt('node/reuseport.mjs', 'close'),
      },
      async run(ctx) {
        ctx.vars.bClose = await closeBusy(ctx, 'b', 'a', '0');
      },
      show: { processes: ['a', 'b', 'intruder'], focus: isListener },
      expect: [
        {
          text: { en: "b's socket is gone; a and the intruder still listen", zh: 'b 的 socket 没了；a 和 intruder 还在监听' },
          check: (ctx) => ({ ok: listenersOn(ctx.vars.port).length === 2, detail: `${listenersOn(ctx.vars.port).length} LISTEN` }),
        },
        {
          text: { en: "every connection queued at b was reset: its clients read ECONNRESET", zh: 'b 队列里的每个连接都被重置：客户端读到 ECONNRESET' },
          check: (ctx) => {
            const r = ctx.vars.bClose;
            const detail = ctx.t({ en: `${r.queued} queued at b, ${r.resets} ECONNRESET`, zh: `b 队列中 ${r.queued} 个，${r.resets} 个 ECONNRESET` });
            return { ok: r.queued > 0 && r.resets === r.queued && r.inForce !== '1', detail: `${detail} (${MIGRATE}=${r.inForce ?? '-'})` };
          },
        },
        {
          text: { en: 'the kernel agrees: that many fewer clients are ESTABLISHED', zh: '内核的数据一致：ESTABLISHED 的客户端正好少了这么多' },
          check: (ctx) => {
            const r = ctx.vars.bClose;
            return { ok: r.clientsBefore - r.clientsAfter === r.queued, detail: `${r.clientsBefore} → ${r.clientsAfter}` };
          },
        },
      ],
    },
    {
      id: 'migrate',
      title: { en: `${MIGRATE}: hand the queue over instead`, zh: `${MIGRATE}：把队列交出去` },
      text: {
        en: `Since Linux 5.14, ${MIGRATE} = 1 makes a closing listener move the connections in its queue (and half-open ones) to another socket of its SO_REUSEPORT group instead of resetting them. Changing it needs root. When the tutor may, it sets 1 for this step only and writes the old value back right after, even if you press Ctrl-C; otherwise the step runs with the value as it is. Now the intruder closes its listener. With 1, no client is reset and a's queue grows by exactly the intruder's; with 0, they are reset as in the previous step.`,
        zh: `从 Linux 5.14 起，${MIGRATE} = 1 会让正在关闭的监听 socket 把队列里的连接（以及半连接）迁移给同一 SO_REUSEPORT 组里的另一个 socket，而不是重置它们。修改它需要 root 权限。如果教程有权限，就只在这一步把它设为 1，结束后立刻写回原值，即使你按了 Ctrl-C 也一样；否则这一步按当前值运行。现在 intruder 关闭它的监听 socket。值为 1 时，没有客户端被重置，a 的队列正好增加 intruder 队列的长度；值为 0 时，它们会像上一步一样被重置。`,
      },
      code: {
        other: { label: 'shell', code: `sysctl ${MIGRATE}          # read\nsudo sysctl -w ${MIGRATE}=1 # Linux >= 5.14; per network namespace` },
      },
      async run(ctx) {
        ctx.vars.iClose = await closeBusy(ctx, 'intruder', 'a', '1');
      },
      show: { processes: ['a', 'intruder'], focus: isListener },
      expect: [
        {
          text: { en: `the intruder's queued connections did what ${MIGRATE} says (1: all moved to a, none reset; 0: all reset)`, zh: `intruder 队列里的连接按 ${MIGRATE} 的值处理（1：全部迁移到 a，一个也不重置；0：全部重置）` },
          check: (ctx) => {
            const r = ctx.vars.iClose;
            const moved = r.heirAfter - r.heirBefore;
            const detail = `${MIGRATE}=${r.inForce ?? '-'}: ${ctx.t({
              en: `${r.queued} queued at intruder, a ${r.heirBefore} → ${r.heirAfter}, ${r.resets} ECONNRESET`,
              zh: `intruder 队列中 ${r.queued} 个，a ${r.heirBefore} → ${r.heirAfter}，${r.resets} 个 ECONNRESET`,
            })}`;
            const ok = r.queued > 0 && (r.inForce === '1' ? moved === r.queued && r.resets === 0 : r.resets === r.queued);
            return { ok, detail };
          },
        },
        {
          text: { en: `${MIGRATE} is back to the value it had before`, zh: `${MIGRATE} 已恢复为原来的值` },
          check: (ctx) => {
            const [now, before] = [readSysctl(MIGRATE) ?? '-', ctx.vars.iClose.sysctlBefore ?? '-'];
            return { ok: now === before, detail: ctx.t({ en: `${now} (was ${before})`, zh: `${now}（原为 ${before}）` }) };
          },
        },
      ],
      quiz: {
        question: { en: 'An old process must close its SO_REUSEPORT listener. What saves the connections in its queue?', zh: '旧进程必须关闭它的 SO_REUSEPORT 监听 socket。什么能救下它队列里的连接？' },
        choices: [
          { en: `${MIGRATE} = 1 (Linux 5.14+), or not closing a second queue at all: pass the one listener on instead`, zh: `${MIGRATE} = 1（Linux 5.14+），或者干脆不要有第二个队列：把同一个监听 socket 传下去` },
          { en: 'A larger backlog', zh: '更大的 backlog' },
          { en: 'Closing the listener twice', zh: '把监听 socket 关两次' },
        ],
        answer: 0,
        explanation: {
          en: 'A larger backlog only means more connections to reset. Migration moves them to a sibling; passing the listener (inheritance or SCM_RIGHTS) keeps one socket and one queue, so there is nothing to lose.',
          zh: '更大的 backlog 只意味着会有更多连接被重置。迁移把它们交给同组的兄弟 socket；传递监听 socket（继承或 SCM_RIGHTS）则始终只有一个 socket、一个队列，也就没有什么可丢的。',
        },
      },
      hint: {
        en: 'Not root? Run the lesson with sudo to see the migration live; the tutor restores the sysctl when the step ends.',
        zh: '不是 root？用 sudo 运行本课就能现场看到迁移；这一步结束时教程会恢复这个 sysctl。',
      },
    },
    {
      id: 'elsewhere',
      title: { en: 'Other kernels, other rules', zh: '别的内核，别的规则' },
      text: {
        en: 'SO_REUSEPORT means something else outside Linux. On macOS (the classic BSD SO_REUSEPORT) several sockets may bind one port, but the kernel does not balance: new connections go to one of them. FreeBSD 12 added SO_REUSEPORT_LB for Linux-like balancing. A hot restart built on SO_REUSEPORT is therefore a Linux design; passing the listener itself, by inheritance or SCM_RIGHTS as the next lessons do, works everywhere and never has a second queue to lose.',
        zh: '在 Linux 之外，SO_REUSEPORT 的含义不同。在 macOS 上（经典 BSD 语义的 SO_REUSEPORT），多个 socket 可以绑定同一个端口，但内核并不做均衡：新连接只会交给其中一个。FreeBSD 12 增加了 SO_REUSEPORT_LB，才有类似 Linux 的均衡。所以基于 SO_REUSEPORT 的热重启是只属于 Linux 的设计；而像后面几课那样，通过继承或 SCM_RIGHTS 传递监听 socket 本身，在哪里都能用，也永远不会有第二个队列可丢。',
      },
      code: {
        go: joinText(
          {
            en: '// pass the listener itself instead of binding again (what tableflip does for you):',
            zh: '// 直接传递 listener 本身，而不是再 bind 一次（tableflip 替你做的就是这个）：',
          },
          excerpt('go/pass-listeners.go', 'forkexec'),
        ),
        node: excerpt('node/reuseport.mjs', 'successor'),
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

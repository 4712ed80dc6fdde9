// Lesson 10: rebuilding a listener from an fd. A successor is handed five fds (TCP listener, UDP socket,
// unix listener, an accepted TCP connection, a file) and asks the kernel what each is: SO_DOMAIN,
// SO_TYPE, SO_ACCEPTCONN, getsockname, getpeername — checked against the fd table. LISTEN_FDNAMES says
// what each is for. Then the constructors: listen({fd}) refuses UDP and closes a connection it cannot
// listen on; dgram bind({fd}) rebuilds the UDP socket on Node 20; Go's File* functions, side by side.
import type { FdRow } from '../src/fdtable/model.js';
import { answeredOnlyBy, askPort, type Answers } from '../src/lesson/answers.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { isNodePlumbing } from '../src/lesson/observe.js';
import { environOf, rowsTogether, sharing } from '../src/lesson/procview.js';
import type { Lesson, LessonContext, Text } from '../src/lesson/types.js';
import type { AnyResult, PuppetResults } from '../src/demo/protocol.js';
import { excerpt } from '../src/lesson/excerpt.js';

type Kind = 'tcp-listener' | 'udp' | 'unix-listener' | 'tcp-connection' | 'unix-connection' | 'not-a-socket' | 'other';

/** What old hands new, in list order (fd 3 first), and what the service of each name needs. */
const SERVICES = [
  { fd: 3, name: 'http', kind: 'tcp-listener' },
  { fd: 4, name: 'dns', kind: 'udp' },
  { fd: 5, name: 'admin', kind: 'unix-listener' },
  { fd: 6, name: 'ws', kind: 'tcp-connection' },
  { fd: 7, name: 'state', kind: 'not-a-socket' },
] as const;
type Service = (typeof SERVICES)[number];
const NEEDS = new Map<string, Kind>(SERVICES.map((s) => [s.name, s.kind]));
const PASSED = SERVICES.map((s) => s.fd) as number[];
const REQUESTS = 10;

const kindText: Record<Kind, Text> = {
  'tcp-listener': { en: 'a TCP listener', zh: 'TCP 监听 socket' },
  udp: { en: 'a UDP socket', zh: 'UDP socket' },
  'unix-listener': { en: 'a unix stream listener', zh: 'unix 流式监听 socket' },
  'tcp-connection': { en: 'a TCP connection', zh: 'TCP 连接' },
  'unix-connection': { en: 'a unix stream connection', zh: 'unix 流式连接' },
  'not-a-socket': { en: 'a non-socket (here a file)', zh: '非 socket（这里是文件）' },
  other: { en: 'something else', zh: '其他东西' },
};

interface Probe {
  socket: boolean;
  domain?: string;
  type?: string;
  acceptConn?: boolean;
  local?: string;
  peer?: string | null;
}

/** The classification a successor makes from the probe's answers. */
function kindOfProbe(p: Probe | undefined): Kind {
  if (!p) return 'other';
  if (!p.socket) return 'not-a-socket';
  if ((p.domain === 'AF_INET' || p.domain === 'AF_INET6') && p.type === 'SOCK_DGRAM') return 'udp';
  if ((p.domain === 'AF_INET' || p.domain === 'AF_INET6') && p.type === 'SOCK_STREAM') return p.acceptConn ? 'tcp-listener' : 'tcp-connection';
  if (p.domain === 'AF_UNIX' && p.type === 'SOCK_STREAM') return p.acceptConn ? 'unix-listener' : 'unix-connection';
  return 'other';
}

/** The same classification from the fd table, which the tutor reads from /proc and sock_diag. */
function kindOfRow(row: FdRow | undefined): Kind {
  if (!row) return 'other';
  const state = row.socket?.state;
  if (row.type === 'TCP' || row.type === 'TCP6') return state === 'LISTEN' ? 'tcp-listener' : state === 'ESTABLISHED' ? 'tcp-connection' : 'other';
  if (row.type === 'UDP' || row.type === 'UDP6') return 'udp';
  if (row.type === 'UNIX') return state === 'LISTEN' ? 'unix-listener' : 'unix-connection';
  return ['REG', 'DIR', 'CHR', 'FIFO'].includes(row.type) ? 'not-a-socket' : 'other';
}

/** Chinese runs Latin words apart from the text around them: 是 TCP 监听 socket, but 是非 socket. */
const zhKind = (before: string, kind: Kind) => `${before}${/^[A-Za-z]/.test(kindText[kind].zh) ? ' ' : ''}${kindText[kind].zh}`;
const probeText = (p: Probe | undefined) =>
  !p ? 'no probe' : !p.socket ? 'ENOTSOCK' : `${p.domain} ${p.type} ACCEPTCONN=${p.acceptConn ? 1 : 0} ${p.local}${p.peer ? ` -> ${p.peer}` : ''}`;
/** The addresses agree: getsockname with the table's local end, getpeername with its remote end. */
const sameAddresses = (p: Probe | undefined, row: FdRow | undefined) =>
  !p?.socket || (p.local === row?.socket?.local && (p.peer ?? null) === (row?.socket?.remote ?? null));
const oldFd = (ctx: LessonContext<Vars>, service: Service): number => ctx.vars.oldFds[service.name];
const passedOnly = (row: FdRow, ctx: LessonContext) => (row.command === 'new' ? PASSED.includes(row.fd) : !isNodePlumbing(row, ctx));
const namesOf = (ctx: LessonContext) => (environOf(ctx.pid('new')).get('LISTEN_FDNAMES') ?? '').split(':').filter(Boolean);

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars {
  /** old's fd and the ports of each service. */
  oldFds: Record<Service['name'], number>;
  ports: { http: number; dns: number };
  /** What new's probe said of each passed fd, by fd. */
  probes: Record<number, Probe>;
  /** LISTEN_FDS and LISTEN_FDNAMES as new read them (getenv). */
  environ: Record<string, string | null>;
  wsInode: number | null | undefined;
  wsNonblockBefore: boolean | null | undefined;
  /** What Node and accept4 said when new used an fd the wrong way. */
  udpAsHttp: AnyResult<'serve-fd'>;
  acceptOnWs: AnyResult<'accept-blocking'>;
  wsAsHttp: AnyResult<'serve-fd'>;
  answers: Answers;
  datagram: PuppetResults['udp-ask'];
}

export const lesson: Lesson<Vars> = {
  id: 'rebuild-listener',
  number: 10,
  chapter: { en: 'Chapter 2 · Handing over the listener', zh: '第二章 · 交接监听 socket' },
  title: { en: 'Rebuilding a listener from an fd', zh: '从 fd 重建监听 socket' },
  summary: {
    en: 'A successor is handed numbers. Before it serves anything it must find out what each fd is — the kernel answers getsockopt(SO_DOMAIN, SO_TYPE, SO_ACCEPTCONN), getsockname and getpeername — and what each is for (LISTEN_FDNAMES). Then it needs the right constructor: Node\'s listen({fd}) and dgram bind({fd}), Go\'s FileListener, FilePacketConn and FileConn each accept some kinds and refuse, or mishandle, the rest.',
    zh: '后继进程拿到的只是一些编号。在提供任何服务之前，它得先弄清每个 fd 是什么——内核会回答 getsockopt(SO_DOMAIN、SO_TYPE、SO_ACCEPTCONN)、getsockname 和 getpeername——以及每个 fd 是干什么用的（LISTEN_FDNAMES）。然后还得用对构造方式：Node 的 listen({fd}) 和 dgram bind({fd})，Go 的 FileListener、FilePacketConn 和 FileConn，各自只接受某几种 fd，对其余的要么拒绝，要么处理错。',
  },
  recap: [
    { en: 'A successor is handed numbers: ask the kernel what each fd is (SO_DOMAIN, SO_TYPE, SO_ACCEPTCONN, getsockname).', zh: '后继进程拿到的只是编号：要问内核每个 fd 是什么（SO_DOMAIN、SO_TYPE、SO_ACCEPTCONN、getsockname）。' },
    { en: 'LISTEN_FDNAMES says what each fd is for.', zh: 'LISTEN_FDNAMES 说明每个 fd 是做什么用的。' },
    { en: "Each constructor accepts some kinds and refuses, or mishandles, the rest: listen({fd}), dgram bind({fd}), Go's FileListener, FilePacketConn, FileConn.", zh: '每种构造方法只接受某些类型，对其余的要么拒绝、要么处理错：listen({fd})、dgram 的 bind({fd})、Go 的 FileListener、FilePacketConn、FileConn。' },
  ],
  steps: [
    {
      id: 'arrive',
      title: { en: 'Five numbers arrive', zh: '到手的是五个编号' },
      text: {
        en: "old owns five things: an http listener (TCP), a dns socket (UDP), an admin listener (unix stream), ws — a connection it accepted on its http port, say a long-lived WebSocket it wants to keep across the restart — and state, an open file. It starts new with them at fds 3 to 7 and LISTEN_FDS=5, the way systemd passes sockets (SD_LISTEN_FDS_START is 3).\n\nThe table shows what they are, because the tutor reads /proc and sock_diag from outside. new itself has only five numbers and a count.",
        zh: 'old 手里有五样东西：http 监听 socket（TCP）、dns socket（UDP）、admin 监听 socket（unix 流式）、ws——它在 http 端口上 accept 来的一个连接，比如想在重启中保留下来的长连接 WebSocket——以及 state，一个打开的文件。它启动 new，把这五样放在 fd 3 到 7，并设置 LISTEN_FDS=5，和 systemd 传递 socket 的方式一样（SD_LISTEN_FDS_START 为 3）。\n\n表里能看出它们是什么，因为教程从外部读取 /proc 和 sock_diag。new 自己手里只有五个编号和一个数量。',
      },
      code: {
        go: excerpt('go/rebuild.go', 'extrafiles'),
        node: excerpt('node/rebuild.mjs', 'spawn'),
      },
      async run(ctx) {
        await ctx.start('old');
        const http = (await ctx.call('old', { op: 'listen' })).result;
        const dns = (await ctx.call('old', { op: 'udp-bind' })).result;
        const admin = (await ctx.call('old', { op: 'unix-listen', path: `admin-${ctx.pid('old')}.sock` })).result;
        await ctx.call('old', { op: 'connect', port: http.port as number });
        const ws = (await ctx.call('old', { op: 'accept', fd: http.fd as number, timeoutMs: 1000 })).result;
        const state = (await ctx.call('old', { op: 'open', path: 'state.json', mode: 'rw' })).result;
        ctx.vars.oldFds = { http: http.fd, dns: dns.fd, admin: admin.fd, ws: ws.fd, state: state.fd };
        ctx.vars.ports = { http: http.port, dns: dns.port };
        const fds = Object.fromEntries(SERVICES.map((s) => [s.fd, ctx.vars.oldFds[s.name]]));
        const names = SERVICES.map((s) => s.name).join(':');
        await ctx.call('old', { op: 'spawn', name: 'new', fds, env: { LISTEN_FDS: String(SERVICES.length), LISTEN_FDNAMES: names } });
        await ctx.waitFor('new');
      },
      show: { processes: ['new'], only: passedOnly, focus: (row) => PASSED.includes(row.fd) },
      expect: [
        {
          text: { en: "new's fds 3 to 7 are old's five descriptions, in list order", zh: 'new 的 fd 3 到 7 就是 old 的五个打开文件描述，顺序与列表一致' },
          check: (ctx) => {
            const pairs = SERVICES.map((s) => sharing(ctx, [['old', oldFd(ctx, s)], ['new', s.fd]]));
            const all = sharing(ctx, SERVICES.map((s): [string, number] => ['new', s.fd]));
            return { ok: pairs.every((p) => p.count === 1) && all.count === SERVICES.length, detail: SERVICES.map((s) => `${oldFd(ctx, s)}→${s.fd}`).join(' ') };
          },
        },
      ],
    },
    {
      id: 'probe',
      title: { en: 'Ask the kernel what each fd is', zh: '问内核：每个 fd 是什么' },
      text: {
        en: 'new asks four questions of each fd, one call each: SO_DOMAIN (which family: AF_INET, AF_UNIX), SO_TYPE (stream or datagram), SO_ACCEPTCONN (listening or not), getsockname (bound where); getpeername adds who is at the other end, or ENOTCONN. The first call on the file fails with ENOTSOCK, itself an answer: not a socket.\n\nSO_TYPE alone cannot tell the http listener from the ws connection: both are AF_INET SOCK_STREAM. SO_ACCEPTCONN can, and getpeername confirms it. Each classification below is checked against the table, which the tutor builds from other sources (/proc/PID/fd, sock_diag).',
        zh: 'new 对每个 fd 问四个问题，每个问题一次调用：SO_DOMAIN（哪个协议族：AF_INET、AF_UNIX）、SO_TYPE（流式还是数据报）、SO_ACCEPTCONN（是否在监听）、getsockname（绑定在哪里）；getpeername 再补上对端是谁，或者返回 ENOTCONN。对那个文件的第一次调用就失败了，返回 ENOTSOCK——这本身就是答案：它不是 socket。\n\n光靠 SO_TYPE 分不清 http 监听 socket 和 ws 连接：两者都是 AF_INET SOCK_STREAM。SO_ACCEPTCONN 能分清，getpeername 再确认一遍。下面每一项分类都和 fd 表对照检查，而 fd 表是教程从另外的来源（/proc/PID/fd、sock_diag）构建的。',
      },
      code: {
        go: excerpt('go/rebuild.go', 'probe'),
        node: excerpt('node/rebuild.mjs', 'probe'),
      },
      async run(ctx) {
        ctx.vars.probes = {};
        for (const service of SERVICES) {
          const probe = (await ctx.call('new', { op: 'probe', fd: service.fd })).result as unknown as Probe;
          ctx.vars.probes[service.fd] = probe;
          const kind = kindOfProbe(probe);
          ctx.log({ en: `fd ${service.fd} is ${kindText[kind].en}${probe.local ? ` (${probe.local})` : ''}`, zh: `fd ${service.fd} ${zhKind('是', kind)}${probe.local ? `（${probe.local}）` : ''}` });
        }
      },
      show: { processes: ['new'], only: passedOnly, focus: (row) => PASSED.includes(row.fd) },
      expect: SERVICES.map((service) => ({
        text: {
          en: `fd ${service.fd}: the probe says ${kindText[service.kind].en}, and so does the table`,
          zh: `fd ${service.fd}：探测结果${zhKind('是', service.kind)}，fd 表也这么说`,
        },
        check: (ctx: LessonContext<Vars>) => {
          const probe: Probe | undefined = ctx.vars.probes[service.fd];
          const [row] = rowsTogether(ctx, [['new', service.fd]]);
          const ok = kindOfProbe(probe) === service.kind && kindOfRow(row) === service.kind && sameAddresses(probe, row);
          return { ok, detail: `${probeText(probe)} · ${row ? `${row.type} ${row.name}` : 'not open'}` };
        },
      })),
      quiz: {
        question: { en: 'Which answer tells the http listener (fd 3) from the ws connection (fd 6)?', zh: '哪个答案能区分 http 监听 socket（fd 3）和 ws 连接（fd 6）？' },
        choices: [
          { en: 'SO_ACCEPTCONN (1 for a listener), or getpeername (a peer only for a connection)', zh: 'SO_ACCEPTCONN（监听 socket 为 1），或 getpeername（只有连接才有对端）' },
          { en: 'SO_TYPE', zh: 'SO_TYPE' },
          { en: 'SO_DOMAIN', zh: 'SO_DOMAIN' },
        ],
        answer: 0,
        explanation: {
          en: 'Both are AF_INET and SOCK_STREAM, and both are bound to an address on the http port. Only whether the socket listens, or has a peer, tells them apart.',
          zh: '两者都是 AF_INET、SOCK_STREAM，也都绑定在 http 端口的地址上。只有「是否在监听」或「是否有对端」能把它们区分开。',
        },
      },
    },
    {
      id: 'names',
      title: { en: 'What each fd is for: LISTEN_FDNAMES', zh: '每个 fd 干什么用：LISTEN_FDNAMES' },
      text: {
        en: 'The probe says what an fd is, not what it is for: two TCP listeners look alike. endless and grace rely on order — fd 3 is http because the parent always lists http first. systemd passes names: LISTEN_FDNAMES, colon-separated in fd order (FileDescriptorName= in the unit, read with sd_listen_fds_with_names). tableflip keys each fd by network and address.\n\nA careful successor uses both: the name says which service an fd belongs to, the probe says whether it can serve it. A mismatch is a reason to refuse to start — not to serve HTTP on a UDP socket.',
        zh: '探测结果只说明 fd 是什么，说明不了它是干什么用的：两个 TCP 监听 socket 看起来一模一样。endless 和 grace 依靠顺序——fd 3 是 http，因为父进程总是先列 http。systemd 传递名字：LISTEN_FDNAMES，按 fd 顺序用冒号分隔（在 unit 里用 FileDescriptorName= 设置，用 sd_listen_fds_with_names 读取）。tableflip 用网络类型加地址作为每个 fd 的键。\n\n谨慎的后继进程两者都用：名字说明 fd 属于哪个服务，探测结果说明它能不能提供这个服务。两者对不上，就应该拒绝启动——而不是在 UDP socket 上提供 HTTP 服务。',
      },
      code: {
        other: { label: 'C (libsystemd)', code: excerpt('c/sd-listen.c', 'names') },
        node: excerpt('node/rebuild.mjs', 'names'),
      },
      async run(ctx) {
        ctx.vars.environ = (await ctx.call('new', { op: 'env', names: ['LISTEN_FDS', 'LISTEN_FDNAMES'] })).result.vars;
        namesOf(ctx).forEach((name, i) => {
          const fd = 3 + i;
          const found = kindOfProbe(ctx.vars.probes[fd]);
          const fits = NEEDS.get(name) === found;
          ctx.log({
            en: `fd ${fd} = "${name}": needs ${kindText[NEEDS.get(name) ?? 'other'].en}, is ${kindText[found].en} ${fits ? '✓' : '✗'}`,
            zh: `fd ${fd} = "${name}"：${zhKind('需要', NEEDS.get(name) ?? 'other')}，${zhKind('实际是', found)} ${fits ? '✓' : '✗'}`,
          });
        });
      },
      expect: [
        {
          text: { en: 'new was started with LISTEN_FDS=5 and one name per fd, and reads them', zh: 'new 启动时带有 LISTEN_FDS=5，每个 fd 一个名字，它也读到了这些' },
          check: (ctx) => {
            const env = environOf(ctx.pid('new'));
            const read = ctx.vars.environ;
            const asRead = read?.LISTEN_FDS === env.get('LISTEN_FDS') && read?.LISTEN_FDNAMES === env.get('LISTEN_FDNAMES');
            return { ok: env.get('LISTEN_FDS') === '5' && namesOf(ctx).length === 5 && asRead, detail: `LISTEN_FDS=${env.get('LISTEN_FDS') ?? '-'} LISTEN_FDNAMES=${env.get('LISTEN_FDNAMES') ?? '-'}` };
          },
        },
        {
          text: { en: 'every name gets the kind of fd its service needs', zh: '每个名字拿到的都是它的服务所需要的那种 fd' },
          check: (ctx) => {
            const names = namesOf(ctx);
            const misfits = names.filter((name, i) => NEEDS.get(name) !== kindOfProbe(ctx.vars.probes[3 + i]));
            return { ok: names.length === SERVICES.length && misfits.length === 0, detail: misfits.length ? `mismatch: ${misfits.join(', ')}` : names.map((name, i) => `${name}=${3 + i}`).join(' ') };
          },
        },
      ],
      quiz: {
        question: { en: 'LISTEN_FDNAMES says fd 4 is "dns", but the probe says fd 4 is a TCP listener. What should new do?', zh: 'LISTEN_FDNAMES 说 fd 4 是 "dns"，但探测结果说 fd 4 是 TCP 监听 socket。new 应该怎么做？' },
        choices: [
          { en: 'Refuse to start and say so: the parent handed over the wrong fds', zh: '拒绝启动并报告：父进程交过来的 fd 不对' },
          { en: 'Serve DNS on it anyway: the name is authoritative', zh: '照样在上面提供 DNS 服务：以名字为准' },
          { en: 'Close it and bind a new UDP socket on the same port', zh: '关掉它，在同一个端口上重新 bind 一个 UDP socket' },
        ],
        answer: 0,
        explanation: {
          en: 'Serving on the wrong kind fails in confusing ways, and closing what you were handed may be closing the port for good. An old process is still running: refusing lets it keep serving while someone fixes the handover.',
          zh: '在类型不对的 fd 上提供服务，会以各种令人困惑的方式失败；而关掉别人交给你的 fd，可能就是把端口彻底关掉了。旧进程还在运行：拒绝启动，它就能继续服务，等人把交接修好。',
        },
      },
    },
    {
      id: 'wrong-kind',
      title: { en: 'The wrong constructor', zh: '用错了构造方式' },
      text: {
        en: "Node picks nothing by itself: you choose the constructor, and it checks. listen({fd: 4}) runs libuv's uv_guess_handle — getsockname and getsockopt(SO_TYPE), the probe without SO_ACCEPTCONN — sees UDP, and refuses with EINVAL before touching fd 4. listen({fd: 6}) sees a TCP stream, so it goes ahead: listen(2) on a connected socket fails with EINVAL, and Node then closes the handle it wrapped around fd 6. The connection survives only because old still holds it — though not untouched: libuv's ioctl(FIONBIO) went to the shared description, and old's fd for it is now non-blocking too (lesson 6).\n\nGo is less careful here. Its FileListener looks at the kind of local address only (net/file_unix.go): UDP gives an error, but a connected TCP socket passes, and the first Accept fails. new's accept4 on fd 6 shows what that Accept meets.",
        zh: 'Node 不会替你选择：构造方式由你决定，它只做检查。listen({fd: 4}) 会执行 libuv 的 uv_guess_handle——getsockname 和 getsockopt(SO_TYPE)，也就是少了 SO_ACCEPTCONN 的探测——看到是 UDP，于是在碰 fd 4 之前就以 EINVAL 拒绝。listen({fd: 6}) 看到的是 TCP 流，于是继续：对已连接的 socket 调用 listen(2) 失败，返回 EINVAL，随后 Node 关闭了它包在 fd 6 外面的句柄。这个连接之所以还活着，只是因为 old 仍然持有它——但也并非毫发无损：libuv 的 ioctl(FIONBIO) 作用在共享的打开文件描述上，old 那边的 fd 现在也变成了非阻塞（第 6 课）。\n\nGo 在这里没那么谨慎。它的 FileListener 只看本地地址的类型（net/file_unix.go）：UDP 会报错，但已连接的 TCP socket 能通过，直到第一次 Accept 才失败。new 对 fd 6 调用 accept4，展示的就是那次 Accept 会遇到的结果。',
      },
      code: {
        go: excerpt('go/rebuild.go', 'wrong'),
        node: excerpt('node/rebuild.mjs', 'wrong'),
      },
      async run(ctx) {
        ctx.vars.wsInode = ctx.row('new', 6)?.inode;
        ctx.vars.wsNonblockBefore = ctx.row('old', ctx.vars.oldFds.ws)?.nonblock;
        ctx.vars.udpAsHttp = (await ctx.call('new', { op: 'serve-fd', fd: 4 }, { allowFail: true })).result;
        ctx.vars.acceptOnWs = (await ctx.call('new', { op: 'accept-blocking', fd: 6, giveUpAfterS: 1 }, { allowFail: true })).result;
        ctx.vars.wsAsHttp = (await ctx.call('new', { op: 'serve-fd', fd: 6 }, { allowFail: true })).result;
      },
      show: { processes: ['old', 'new'], only: passedOnly, focus: (row, ctx) => row.fd === 4 || row.inode === ctx.vars.wsInode },
      expect: [
        {
          text: { en: 'listen({fd: 4}) on the UDP socket failed, and fd 4 is still open, still UDP', zh: '对 UDP socket 的 listen({fd: 4}) 失败了，fd 4 仍然打开，仍然是 UDP' },
          check: (ctx) => {
            const row = ctx.row('new', 4);
            return { ok: ctx.vars.udpAsHttp?.code === 'EINVAL' && row?.type === 'UDP', detail: `${ctx.vars.udpAsHttp?.code ?? 'no error'}; fd 4: ${row ? `${row.type} ${row.name}` : 'not open'}` };
          },
        },
        {
          text: { en: 'accept(2) on the connection fails with EINVAL: what Go\'s Accept would meet', zh: '对这个连接调用 accept(2) 失败，返回 EINVAL：Go 的 Accept 会遇到的就是它' },
          check: (ctx) => ({ ok: ctx.vars.acceptOnWs?.errno === 'EINVAL', detail: `accept4(6) → ${ctx.vars.acceptOnWs?.errno ?? 'no error'}` }),
        },
        {
          text: { en: 'listen({fd: 6}) on the connection failed, and Node closed fd 6', zh: '对这个连接的 listen({fd: 6}) 失败了，而且 Node 关闭了 fd 6' },
          check: (ctx) => {
            const row = ctx.row('new', 6);
            return { ok: ctx.vars.wsAsHttp?.code === 'EINVAL' && row === undefined, detail: `${ctx.vars.wsAsHttp?.code ?? 'no error'}; fd 6: ${row ? row.name : 'not open'}` };
          },
        },
        {
          text: { en: "the connection lives on in old, ESTABLISHED, but now non-blocking: libuv's FIONBIO reached old's description", zh: '连接在 old 里还活着，状态为 ESTABLISHED，但变成了非阻塞：libuv 的 FIONBIO 波及了 old 的打开文件描述' },
          check: (ctx) => {
            const row = ctx.row('old', ctx.vars.oldFds.ws);
            const flag = (nonblock: boolean | null | undefined) => (nonblock ? 'nonblock' : nonblock === false ? 'blocking' : '?');
            const ok = row?.inode === ctx.vars.wsInode && row?.socket?.state === 'ESTABLISHED' && ctx.vars.wsNonblockBefore === false && row.nonblock === true;
            return { ok, detail: `old fd ${ctx.vars.oldFds.ws}: ${flag(ctx.vars.wsNonblockBefore)} → ${flag(row?.nonblock)}; ${row?.name ?? 'not open'}` };
          },
        },
      ],
      quiz: {
        question: { en: 'Node closed new\'s fd 6. Why is the ws connection still ESTABLISHED?', zh: 'Node 关闭了 new 的 fd 6。为什么 ws 连接仍然是 ESTABLISHED？' },
        choices: [
          { en: "old's fd still refers to the same description; a socket ends with its last reference", zh: 'old 的 fd 仍然指向同一个打开文件描述；socket 要等最后一个引用消失才结束' },
          { en: 'Closing an fd never closes a TCP connection', zh: '关闭 fd 永远不会关闭 TCP 连接' },
          { en: 'Node only marked it closed without calling close(2)', zh: 'Node 只是把它标记为已关闭，并没有调用 close(2)' },
        ],
        answer: 0,
        explanation: {
          en: "close(2) drops one reference. Had new been the only holder, its failed listen would have ended the client's connection: probe before you construct.",
          zh: 'close(2) 只减少一个引用。如果 new 是唯一的持有者，这次失败的 listen 就会把客户端的连接断掉：先探测，再构造。',
        },
      },
    },
    {
      id: 'right-kind',
      title: { en: 'The right constructor for each', zh: '为每种 fd 用对构造方式' },
      text: {
        en: `Now the constructors that fit. listen({fd: 3}) rebuilds the HTTP server on the TCP listener: ${REQUESTS} requests to old's http port are answered by new. For UDP Node 20 has dgram.createSocket().bind({fd}) — tested here rather than assumed: new rebuilds the dns socket from fd 4, and a client's datagram to the dns port comes back from new. (A unix listener would go to listen({fd}) too, and become a pipe server.)\n\nGo has one function per shape: FileListener for TCP and unix listeners, FilePacketConn for UDP (and unixgram), FileConn for connections. Each dups the fd (F_DUPFD_CLOEXEC) and asks getsockopt(SO_TYPE), getsockname and getpeername, so the *os.File can and should be closed afterwards.`,
        zh: `现在换上匹配的构造方式。listen({fd: 3}) 在 TCP 监听 socket 上重建 HTTP 服务：发往 old 的 http 端口的 ${REQUESTS} 个请求都由 new 响应。对于 UDP，Node 20 有 dgram.createSocket().bind({fd})——这里是实测而不是假设：new 从 fd 4 重建 dns socket，客户端发往 dns 端口的数据报由 new 回应。（unix 监听 socket 同样交给 listen({fd})，成为一个 pipe 服务器。）\n\nGo 为每种形态提供一个函数：FileListener 用于 TCP 和 unix 监听 socket，FilePacketConn 用于 UDP（以及 unixgram），FileConn 用于连接。它们都会先 dup 这个 fd（F_DUPFD_CLOEXEC），再调用 getsockopt(SO_TYPE)、getsockname 和 getpeername，所以之后可以、也应该关闭那个 *os.File。`,
      },
      code: {
        go: excerpt('go/rebuild.go', 'right'),
        node: excerpt('node/rebuild.mjs', 'right'),
      },
      async run(ctx) {
        await ctx.call('new', { op: 'serve-fd', fd: 3 });
        ctx.vars.answers = await askPort(ctx, ctx.vars.ports.http, REQUESTS);
        await ctx.call('new', { op: 'serve-fd', fd: 4, as: 'udp-echo' });
        await ctx.start('client');
        ctx.vars.datagram = (await ctx.call('client', { op: 'udp-ask', port: ctx.vars.ports.dns, data: 'ping', timeoutMs: 3000 })).result;
      },
      show: { processes: ['new'], only: passedOnly, focus: (row) => row.fd === 3 || row.fd === 4 },
      expect: [
        {
          text: { en: "every HTTP request to old's http port was answered by new (listen({fd: 3}))", zh: '发往 old 的 http 端口的每个 HTTP 请求都由 new 响应（listen({fd: 3})）' },
          check: (ctx) => answeredOnlyBy(ctx.vars.answers, ctx.pid('new')),
        },
        {
          text: { en: 'the datagram to the dns port was answered by new (dgram bind({fd: 4}))', zh: '发往 dns 端口的数据报由 new 回应（dgram bind({fd: 4})）' },
          check: (ctx) => {
            const data = String(ctx.vars.datagram?.data ?? '');
            return { ok: data === `new ${ctx.pid('new')}: ping`, detail: JSON.stringify(data) };
          },
        },
        {
          text: { en: "it is still old's UDP socket: one description, rebuilt, not bound again", zh: '它仍然是 old 的那个 UDP socket：同一个打开文件描述，是重建，而不是重新 bind' },
          check: (ctx) => {
            const { count, detail } = sharing(ctx, [['old', ctx.vars.oldFds.dns], ['new', 4]]);
            return { ok: count === 1, detail };
          },
        },
      ],
      hint: {
        en: 'strace -f -e trace=getsockname,getsockopt,listen,close on a Node process calling listen({fd}) shows uv_guess_handle at work, and the close after a failed listen.',
        zh: '对调用 listen({fd}) 的 Node 进程执行 strace -f -e trace=getsockname,getsockopt,listen,close，可以看到 uv_guess_handle 的调用，以及 listen 失败后的那次 close。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

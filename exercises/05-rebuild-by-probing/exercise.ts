// Exercise 5, rebuild by probing (lesson 10): the verifier plays systemd. It makes three sockets — a
// TCP listener, a UDP socket, a unix stream listener — and hands them to the program (through the given
// activator, as fds 3, 4, 5 with LISTEN_FDS=3 and no names) in an order that differs from run to run.
// Two runs, two orders: any fixed assumption fails at least one. Each socket must be served by its own
// service; the program may open no listening socket of its own.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { AF_INET, AF_UNIX, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_STREAM, bind, close, getsockname, listen, sendFds, socket } from '../../src/sys/index.js';
import { defineExercise, httpGet, type FdRow, type ProgramRun, type VerifyContext } from '../../src/exercise/define.js';

type Kind = 'tcp' | 'udp' | 'unix';
interface Made {
  kind: Kind;
  fd: number;
  inode: number;
  port: number;
  path: string;
}

/** The two runs' orders: each differs from the other and from tcp, udp, unix at every position. */
const ORDERS: Kind[][] = [['udp', 'unix', 'tcp'], ['unix', 'tcp', 'udp']];
const SERVICE_MS = 2500;

function make(kind: Kind, path: string): Made {
  const fd = socket(kind === 'unix' ? AF_UNIX : AF_INET, (kind === 'udp' ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC);
  try {
    bind(fd, kind === 'unix' ? { family: 'unix', path } : { family: 'inet', address: '127.0.0.1', port: 0 });
    if (kind !== 'udp') listen(fd, 64);
    const address = getsockname(fd);
    return { kind, fd, inode: statSync(`/proc/self/fd/${fd}`).ino, port: address.family === 'inet' ? address.port : 0, path };
  } catch (error) {
    close(fd);
    throw error;
  }
}

/** A unix socket the activator connects to; it gets the fds in one SCM_RIGHTS message. */
function activationServer(path: string, fds: number[]): { sent: Promise<boolean>; close(): void } {
  let resolveSent: (sent: boolean) => void = () => {};
  const sent = new Promise<boolean>((resolve) => (resolveSent = resolve));
  const server = net.createServer((conn) => {
    const fd = (conn as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
    try {
      sendFds(fd, fds, 'fds');
      resolveSent(true);
    } catch {
      resolveSent(false);
    }
    conn.end();
  });
  server.listen(path);
  return { sent, close: () => server.close() };
}

function unixGet(path: string, timeoutMs: number): Promise<{ status: number | null; body: string; error: string | null }> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: path, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk.slice(0, 1024)));
      res.on('end', () => resolve({ status: res.statusCode ?? null, body, error: null }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ status: null, body, error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: null, body: '', error: error.code ?? error.message }));
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({ status: null, body: '', error: 'TIMEOUT' });
    });
  });
}

function udpEcho(port: number, payload: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const client = dgram.createSocket('udp4');
    const done = (answer: string | null) => {
      clearTimeout(timer);
      client.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    client.on('error', () => done(null));
    client.on('message', (message) => done(message.toString()));
    client.send(payload, port, '127.0.0.1');
  });
}

/** Asks again while nothing answers (the server may still be starting), until the deadline. */
async function retry<T>(deadline: number, ask: () => Promise<T>, answered: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await ask();
    if (answered(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function oneRun(ctx: VerifyContext, round: number, order: Kind[]): Promise<void> {
  const made: Made[] = [];
  let run: ProgramRun | undefined;
  let activation: ReturnType<typeof activationServer> | undefined;
  try {
    for (const kind of ['tcp', 'udp', 'unix'] as Kind[]) made.push(make(kind, join(ctx.dir, `admin-${round}.sock`)));
    const byKind = (kind: Kind) => made.find((socket) => socket.kind === kind)!;
    const handed = order.map(byKind);
    const activationPath = join(ctx.dir, `activate-${round}.sock`);
    activation = activationServer(activationPath, handed.map((socket) => socket.fd));
    run = await ctx.start({ env: { ACTIVATION_SOCKET: activationPath } });
    const sent = await Promise.race([activation.sent, ctx.sleep(4000).then(() => false)]);
    // The program holds them now (or never will): the verifier lets its own copies go.
    for (const socket of made) close(socket.fd);
    made.length = 0;
    if (!sent) ctx.fault('setup', { en: 'The activator (activate.mjs / activate.go, given) never connected to ACTIVATION_SOCKET within 4 s.', zh: '激活器（activate.mjs / activate.go，已给出）4 秒内没有连接 ACTIVATION_SOCKET。' });
    const orderText = handed.map((socket, i) => `fd ${3 + i} ${socket.kind}`).join(', ');

    const deadline = Date.now() + SERVICE_MS;
    const tcp = byKindOf(handed, 'tcp');
    const unix = byKindOf(handed, 'unix');
    const udp = byKindOf(handed, 'udp');
    const payload = `ping-${round}-${process.pid}`;
    const [web, echo, admin] = await Promise.all([
      retry(deadline, () => httpGet(tcp.port, { timeoutMs: 500 }), (answer) => answer.status !== null),
      retry(deadline, () => udpEcho(udp.port, payload, 300), (answer) => answer !== null),
      retry(deadline, () => unixGet(unix.path, 500), (answer) => answer.status !== null),
    ]);
    const snap = run.snapshot();
    const handedRows = snap.rows.filter((row) => handed.some((socket) => socket.inode === row.inode));
    const evidence = ctx.rows(snap, handedRows);
    const of = (kind: Kind) => evidence.filter((_, i) => i === 0 || handedRows[i - 1]?.inode === byKindOf(handed, kind).inode);
    ctx.record('tcp-served', web.status === 200 && web.body.trim() === 'web', {
      pass: { en: `Run ${round} (${orderText}): GET / on the TCP listener answered "web".`, zh: `第 ${round} 轮（${orderText}）：TCP 监听 socket 上的 GET / 回答 "web"。` },
      fail: { en: `Run ${round} (${orderText}): GET / on the TCP listener (port ${tcp.port}) got ${web.status ?? web.error} "${web.body.trim().slice(0, 20)}", expected 200 "web".`, zh: `第 ${round} 轮（${orderText}）：TCP 监听 socket（端口 ${tcp.port}）上的 GET / 得到 ${web.status ?? web.error} "${web.body.trim().slice(0, 20)}"，应为 200 "web"。` },
    }, of('tcp'));
    ctx.record('udp-served', echo === payload, {
      pass: { en: `Run ${round} (${orderText}): the datagram "${payload}" came back.`, zh: `第 ${round} 轮（${orderText}）：数据报 "${payload}" 被原样发回。` },
      fail: { en: `Run ${round} (${orderText}): the datagram "${payload}" to UDP port ${udp.port} got ${echo === null ? `no answer within ${SERVICE_MS} ms` : `"${echo.slice(0, 30)}"`}.`, zh: `第 ${round} 轮（${orderText}）：发往 UDP 端口 ${udp.port} 的数据报 "${payload}" ${echo === null ? `在 ${SERVICE_MS} 毫秒内没有回音` : `得到 "${echo.slice(0, 30)}"`}。` },
    }, of('udp'));
    ctx.record('unix-served', admin.status === 200 && admin.body.trim() === 'admin', {
      pass: { en: `Run ${round} (${orderText}): GET / on the unix socket answered "admin".`, zh: `第 ${round} 轮（${orderText}）：unix socket 上的 GET / 回答 "admin"。` },
      fail: { en: `Run ${round} (${orderText}): GET / on the unix socket got ${admin.status ?? admin.error} "${admin.body.trim().slice(0, 20)}", expected 200 "admin".`, zh: `第 ${round} 轮（${orderText}）：unix socket 上的 GET / 得到 ${admin.status ?? admin.error} "${admin.body.trim().slice(0, 20)}"，应为 200 "admin"。` },
    }, of('unix'));
    // A socket of the program's own: a TCP/unix listener or a bound UDP socket that was not handed over.
    const own = snap.rows.filter((row: FdRow) => !handed.some((socket) => socket.inode === row.inode) && (
      ((row.type === 'TCP' || row.type === 'TCP6' || row.type === 'UNIX') && row.socket?.state === 'LISTEN') ||
      ((row.type === 'UDP' || row.type === 'UDP6') && !/:0$/.test(row.socket?.local ?? ':0'))));
    ctx.record('no-new-sockets', own.length === 0 && run.pids().length > 0, {
      pass: { en: `Run ${round}: the program serves only the three sockets it was handed.`, zh: `第 ${round} 轮：程序只服务交给它的三个 socket。` },
      fail: own.length > 0
        ? { en: `Run ${round}: the program opened ${own.length} socket(s) of its own: ${own.map((row) => `${row.type} ${row.socket?.local ?? row.name}`).join(', ')}.`, zh: `第 ${round} 轮：程序自己打开了 ${own.length} 个 socket：${own.map((row) => `${row.type} ${row.socket?.local ?? row.name}`).join('、')}。` }
        : { en: `Run ${round}: no process of the program is left.`, zh: `第 ${round} 轮：程序已经没有进程在运行。` },
    }, ctx.rows(snap, own));
  } finally {
    for (const socket of made) close(socket.fd);
    activation?.close();
    await run?.stop();
  }
}

function byKindOf(handed: Made[], kind: Kind): Made {
  return handed.find((socket) => socket.kind === kind)!;
}

export default defineExercise({
  id: 'rebuild-by-probing',
  number: 5,
  lesson: 'rebuild-listener',
  title: { en: 'Rebuild by probing', zh: '靠探测重建' },
  summary: {
    en: 'Three inherited fds — TCP, UDP, unix — in an unknown order and without names: ask the kernel what each is, and serve each with the right service.',
    zh: '三个继承来的 fd——TCP、UDP、unix——顺序未知，也没有名字：问内核每个是什么，再用对应的服务去服务它。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 20_000,
  checks: [
    {
      id: 'tcp-served',
      title: { en: 'in both runs the TCP listener is served by the web service (GET / → "web")', zh: '两轮中 TCP 监听 socket 都由 web 服务服务（GET / → "web"）' },
      hint: { en: 'A stream socket of family AF_INET (or AF_INET6) is the web listener: SO_TYPE says stream, SO_DOMAIN says inet.', zh: 'AF_INET（或 AF_INET6）协议族的流式 socket 就是 web 监听 socket：SO_TYPE 说是流式，SO_DOMAIN 说是 inet。' },
    },
    {
      id: 'udp-served',
      title: { en: 'in both runs the UDP socket echoes every datagram', zh: '两轮中 UDP socket 都原样回显每个数据报' },
      hint: { en: 'The UDP socket is the one whose SO_TYPE is SOCK_DGRAM. Node: dgram.createSocket(\'udp4\').bind({ fd }); Go: net.FilePacketConn.', zh: 'SO_TYPE 为 SOCK_DGRAM 的就是 UDP socket。Node：dgram.createSocket(\'udp4\').bind({ fd })；Go：net.FilePacketConn。' },
    },
    {
      id: 'unix-served',
      title: { en: 'in both runs the unix listener is served by the admin service (GET / → "admin")', zh: '两轮中 unix 监听 socket 都由 admin 服务服务（GET / → "admin"）' },
      hint: { en: 'SO_TYPE alone cannot tell the unix listener from the TCP one: both are SOCK_STREAM. SO_DOMAIN (or getsockname\'s family) can.', zh: '光靠 SO_TYPE 分不清 unix 监听 socket 和 TCP 监听 socket：两者都是 SOCK_STREAM。SO_DOMAIN（或 getsockname 返回的协议族）能分清。' },
    },
    {
      id: 'no-new-sockets',
      title: { en: 'the program listens on no socket besides the three it was handed', zh: '除了交给它的三个 socket，程序不监听任何别的 socket' },
      hint: { en: 'Rebuild from the fds you were given; a socket of your own is a new inode nobody will connect to.', zh: '用交给你的 fd 来重建；你自己新开的 socket 是一个没人会连接的新 inode。' },
    },
  ],
  hints: [
    { en: 'Lesson 10 probes every inherited fd with getsockopt(SO_DOMAIN, SO_TYPE, SO_ACCEPTCONN) and getsockname, and checks each answer against the fd table.', zh: '第 10 课用 getsockopt(SO_DOMAIN、SO_TYPE、SO_ACCEPTCONN) 和 getsockname 探测每个继承来的 fd，并把每个答案和 fd 表对照。' },
    { en: 'Run `hotrestart-tutor fds PID` on your server: the TYPE column (TCP, UDP, UNIX) is what your probe must find, whatever the fd number.', zh: '对你的服务器执行 `hotrestart-tutor fds PID`：TYPE 列（TCP、UDP、UNIX）就是你的探测要得出的结论，与 fd 编号无关。' },
    { en: 'Node: sys.getsockoptInt(fd, sys.SOL_SOCKET, sys.SO_TYPE) and sys.SO_DOMAIN, compared with sys.SOCK_STREAM, sys.SOCK_DGRAM, sys.AF_INET, sys.AF_UNIX. Go: syscall.GetsockoptInt with the same names.', zh: 'Node：sys.getsockoptInt(fd, sys.SOL_SOCKET, sys.SO_TYPE) 和 sys.SO_DOMAIN，与 sys.SOCK_STREAM、sys.SOCK_DGRAM、sys.AF_INET、sys.AF_UNIX 比较。Go：syscall.GetsockoptInt，名字相同。' },
  ],
  wrong: [
    { dir: 'node-fixed-order', code: 'node', fails: 'tcp-served', mistake: 'assumes fd 3 tcp, 4 udp, 5 unix' },
    { dir: 'node-type-only', code: 'node', fails: 'unix-served', mistake: 'probes SO_TYPE only (every stream is the web listener)' },
    { dir: 'go-fixed-order', code: 'go', fails: 'tcp-served', mistake: 'assumes fd 3 tcp, 4 udp, 5 unix' },
  ],

  async scenario(ctx) {
    for (const [i, order] of ORDERS.entries()) await oneRun(ctx, i + 1, order);
  },
});

// Sockets asked one by one (pidfd_getfd, then an exact sock_diag request or TCP_INFO) must answer
// exactly what the namespace-wide dump answers, socket by socket, for every kind the fd table shows.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sys from '../../src/sys/index.js';
import { readSocketsPerFd, type SocketFd } from '../../src/fdtable/sockquery.js';
import { readSocketsSockDiag } from '../../src/fdtable/sockdiag.js';
import { snapshot, type Snapshot } from '../../src/fdtable/index.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const opened: number[] = [];
const track = (fd: number) => (opened.push(fd), fd);
const dirs: string[] = [];
afterEach(() => {
  while (opened.length) sys.closeQuietly(opened.pop()!);
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

const inodeOf = (fd: number) => Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/self/fd/${fd}`))![1]);
const target = (fd: number): SocketFd => ({ pid: process.pid, fd, inode: inodeOf(fd) });

function tcp(family: number, address: string, backlog: number): { listener: number; addr: sys.SockAddr } {
  const listener = track(sys.socket(family, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
  sys.bind(listener, family === sys.AF_INET ? { family: 'inet', address, port: 0 } : { family: 'inet6', address, port: 0 });
  sys.listen(listener, backlog);
  return { listener, addr: sys.getsockname(listener) };
}

function connectTo(family: number, addr: sys.SockAddr): number {
  const fd = track(sys.socket(family, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
  sys.connect(fd, addr);
  return fd;
}

/** Every per-socket answer next to the dump's answer for the same inode. */
function compare(fds: number[]): ReturnType<typeof readSocketsPerFd> {
  const targets = fds.map(target);
  const perFd = readSocketsPerFd(targets);
  const dumped = readSocketsSockDiag();
  for (const t of targets) expect({ fd: t.fd, entry: perFd.index.get(t.inode) }).toEqual({ fd: t.fd, entry: dumped.get(t.inode) });
  return perFd;
}

describe('a socket asked on its own equals the dump', () => {
  it('TCP: listeners with queued clients, SO_REUSEPORT twins, both ends of a connection with unread bytes, CLOSE_WAIT', () => {
    const { listener, addr } = tcp(sys.AF_INET, '127.0.0.1', 9);
    const closing = connectTo(sys.AF_INET, addr);
    const closingServer = track(sys.accept4(listener, sys.SOCK_CLOEXEC).fd);
    sys.close(opened.splice(opened.indexOf(closing), 1)[0]); // the server end goes to CLOSE_WAIT, its FIN unread
    const clients = [0, 1, 2].map(() => connectTo(sys.AF_INET, addr)); // three wait in the accept queue
    const server = track(sys.accept4(listener, sys.SOCK_CLOEXEC).fd);
    sys.write(clients[0], 'unread bytes'); // accepted first, so queued at `server` (its Recv-Q)
    // Two listeners on one address: an exact lookup would find either; TCP_INFO tells them apart.
    const twins = [0, 1].map(() => {
      const fd = track(sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
      sys.setReusePort(fd);
      return fd;
    });
    sys.bind(twins[0], { family: 'inet', address: '127.0.0.1', port: 0 });
    sys.bind(twins[1], sys.getsockname(twins[0]));
    sys.listen(twins[0], 3);
    sys.listen(twins[1], 4);
    const perFd = compare([listener, ...clients, server, closingServer, ...twins]);
    expect(perFd.index.get(inodeOf(listener))).toMatchObject({ state: 'LISTEN', rqueue: 2, wqueue: 9 });
    expect(perFd.index.get(inodeOf(server))!.rqueue).toBe('unread bytes'.length);
    expect(perFd.index.get(inodeOf(closingServer))!.state).toBe('CLOSE_WAIT');
    expect(perFd).toMatchObject({ tcpInfo: 3, exact: 5, absent: 0 });
    expect(perFd.unresolved.size).toBe(0);
  });

  it('TCP6 and a v4-mapped connection on a dual-stack listener', () => {
    const { listener, addr } = tcp(sys.AF_INET6, '::1', 4);
    const client = connectTo(sys.AF_INET6, addr);
    const server = track(sys.accept4(listener, sys.SOCK_CLOEXEC).fd);
    const dual = tcp(sys.AF_INET6, '::', 4);
    const v4client = connectTo(sys.AF_INET, { family: 'inet', address: '127.0.0.1', port: (dual.addr as { port: number }).port });
    const mapped = track(sys.accept4(dual.listener, sys.SOCK_CLOEXEC).fd);
    const perFd = compare([listener, client, server, dual.listener, v4client, mapped]);
    expect(perFd.index.get(inodeOf(mapped))).toMatchObject({ protocol: 'TCP6', state: 'ESTABLISHED' });
    expect(perFd.unresolved.size).toBe(0);
  });

  it('UDP and UDP6, unconnected and connected', () => {
    const udp = (family: number, address: string) => {
      const fd = track(sys.socket(family, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC));
      sys.bind(fd, family === sys.AF_INET ? { family: 'inet', address, port: 0 } : { family: 'inet6', address, port: 0 });
      return fd;
    };
    const a = udp(sys.AF_INET, '127.0.0.1');
    const b = udp(sys.AF_INET, '127.0.0.1');
    sys.connect(b, sys.getsockname(a));
    sys.write(b, 'datagram'); // waits unread in a's receive queue
    const c = udp(sys.AF_INET6, '::1');
    const d = udp(sys.AF_INET, '0.0.0.0');
    const perFd = compare([a, b, c, d]);
    expect(perFd.index.get(inodeOf(b))).toMatchObject({ protocol: 'UDP', state: 'CONNECTED' });
    expect(perFd.index.get(inodeOf(a))!.rqueue).toBeGreaterThan(0);
    expect(perFd.unresolved.size).toBe(0);
  });

  it('unix: a listener with a queued client, an accepted pair with peer inodes, a socketpair, datagrams', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hrt-sockquery-'));
    dirs.push(dir);
    const listener = track(sys.socket(sys.AF_UNIX, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
    sys.bind(listener, { family: 'unix', path: join(dir, 'l.sock') });
    sys.listen(listener, 5);
    const client = connectTo(sys.AF_UNIX, { family: 'unix', path: join(dir, 'l.sock') });
    const server = track(sys.accept4(listener, sys.SOCK_CLOEXEC).fd);
    const waiting = connectTo(sys.AF_UNIX, { family: 'unix', path: join(dir, 'l.sock') });
    sys.write(client, 'hello');
    const pair = sys.socketpair(sys.SOCK_STREAM | sys.SOCK_CLOEXEC).map(track);
    const dgram = track(sys.socket(sys.AF_UNIX, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC));
    sys.bind(dgram, { family: 'unix', path: '@hrt-sockquery-' + process.pid });
    const perFd = compare([listener, client, server, waiting, ...pair, dgram]);
    expect(perFd.index.get(inodeOf(client))!.peerInode).toBe(inodeOf(server));
    expect(perFd.index.get(inodeOf(listener))).toMatchObject({ state: 'LISTEN', rqueue: 1 });
    expect(perFd.exact).toBe(7);
    expect(perFd.unresolved.size).toBe(0);
  });

  it('a second snapshot sends remembered requests without copying the fds, and still sees changes', () => {
    const { listener, addr } = tcp(sys.AF_INET, '127.0.0.1', 4);
    const client = connectTo(sys.AF_INET, addr);
    const server = track(sys.accept4(listener, sys.SOCK_CLOEXEC).fd);
    const udp = track(sys.socket(sys.AF_INET, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC));
    sys.bind(udp, { family: 'inet', address: '127.0.0.1', port: 0 });
    const fds = [listener, server, udp];
    expect(compare(fds)).toMatchObject({ exact: 2, remembered: 0, tcpInfo: 1 });
    sys.close(opened.splice(opened.indexOf(client), 1)[0]); // server: ESTABLISHED -> CLOSE_WAIT
    sys.connect(udp, addr); // its remembered request (unconnected) no longer finds it
    const again = compare(fds);
    expect(again).toMatchObject({ exact: 2, remembered: 1, tcpInfo: 1 });
    expect(again.index.get(inodeOf(server))!.state).toBe('CLOSE_WAIT');
    expect(again.index.get(inodeOf(udp))!.state).toBe('CONNECTED');
  });

  it('sockets no dump lists are known absent without one; a bound closed TCP socket is left to the dump', () => {
    const fresh = track(sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
    const netlink = track(sys.socket(sys.AF_NETLINK, sys.SOCK_RAW | sys.SOCK_CLOEXEC, 4));
    const bound = track(sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
    sys.bind(bound, { family: 'inet', address: '127.0.0.1', port: 0 });
    const perFd = compare([fresh, netlink]);
    expect(perFd.absent).toBe(2);
    expect(perFd.index.size).toBe(0);
    // Recent kernels dump a bound, never-connected socket as CLOSE; a reset one they do not: only the dump knows.
    expect(readSocketsPerFd([target(bound)]).unresolved).toEqual(new Set([inodeOf(bound)]));
  });

  it('a closed fd is left to the dump; a vanished pid too', () => {
    const fd = sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC);
    const inode = inodeOf(fd);
    sys.close(fd);
    const perFd = readSocketsPerFd([{ pid: process.pid, fd, inode }, { pid: 2 ** 22 + 777, fd: 3, inode: 1 }]);
    expect([...perFd.unresolved].sort()).toEqual([1, inode].sort());
  });
});

describe('another process', () => {
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
  const children: ChildProcess[] = [];
  afterEach(() => {
    while (children.length) children.pop()!.kill('SIGKILL');
  });

  function start(options: { uid?: number; gid?: number } = {}): Promise<number> {
    // No tsx cache: another user's would be left behind in /tmp.
    const env = { ...process.env, TSX_DISABLE_CACHE: '1' };
    const child = spawn(process.execPath, ['--import', 'tsx', fixture('socket-kinds')], { stdio: ['pipe', 'pipe', 'inherit'], env, ...options });
    children.push(child);
    return new Promise((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (text) => resolve(JSON.parse(text).pid));
      child.once('exit', (code) => reject(new Error(`socket-kinds exited with ${code}`)));
    });
  }

  const socketRows = (snap: Snapshot) =>
    snap.rows.filter((r) => ['TCP', 'TCP6', 'UDP', 'UDP6', 'UNIX'].includes(r.type)).map(({ description, identity, descriptionNote, ...row }) => row);

  it('a snapshot asked socket by socket equals one from the dump, row for row', async () => {
    const pid = await start();
    const perSocket = snapshot([pid], { sockets: 'per-socket' });
    const dumped = snapshot([pid], { sockets: 'dump' });
    expect(perSocket.rows).toEqual(dumped.rows);
    expect(perSocket.socketSource).toBe('sock_diag');
    expect(socketRows(perSocket).find((r) => r.socket?.state === 'LISTEN' && r.type === 'TCP')?.socket).toMatchObject({ acceptQueue: 2, backlog: 8 });
    expect(socketRows(perSocket).filter((r) => r.type === 'UNIX' && r.name.includes(' -> ')).length).toBeGreaterThanOrEqual(4);
  });

  it.skipIf(process.getuid?.() !== 0)('without ptrace rights pidfd_getfd is refused, and the dump gives the same socket rows', async () => {
    const pid = await start({ uid: 12345, gid: 12345 });
    const reader = spawnSync(process.execPath, ['--import', 'tsx', fixture('reader-without-ptrace'), String(pid), '12345'], { encoding: 'utf8', timeout: 30_000 });
    expect(reader.stderr).toBe('');
    const { perSocket, snapshot: theirs } = JSON.parse(reader.stdout) as { perSocket: { asked: number; unresolved: number }; snapshot: Snapshot };
    expect(perSocket.asked).toBeGreaterThan(10);
    expect(perSocket.unresolved).toBe(perSocket.asked); // every pidfd_getfd refused
    expect(theirs.processes[0].status).toBe('ok');
    expect(socketRows(theirs)).toEqual(socketRows(snapshot([pid], { sockets: 'per-socket' })));
  });
});

// Socket calls Node does not expose: a socket made by hand can carry SO_REUSEPORT on Node 20,
// sit in LISTEN without libuv accepting from it (so its accept queue can be watched), and be
// accepted from one call at a time.
import { check } from './errno.js';
import { cfunc } from './libc.js';
import { domainNames, SOCK_CLOEXEC, SOCK_NONBLOCK, SOL_SOCKET, SO_PEERCRED, SO_REUSEPORT, typeNames } from './constants.js';
import { readCredentials, type Credentials } from './scm.js';
import { decodeSockAddr, encodeSockAddr, formatSockAddr, SOCKADDR_STORAGE_SIZE, type SockAddr } from './sockaddr.js';

function typeText(type: number): string {
  const base = typeNames[type & 0xf] ?? String(type & 0xf);
  const extras = [type & SOCK_NONBLOCK ? 'SOCK_NONBLOCK' : '', type & SOCK_CLOEXEC ? 'SOCK_CLOEXEC' : ''].filter(Boolean);
  return [base, ...extras].join('|');
}

export function socket(domain: number, type: number, protocol = 0): number {
  const call = `socket(${domainNames[domain] ?? domain}, ${typeText(type)}, ${protocol})`;
  return check(cfunc('int socket(int, int, int)', 'socket')(domain, type, protocol), call);
}

const optionNames: Record<number, string> = { 2: 'SO_REUSEADDR', 3: 'SO_TYPE', 15: 'SO_REUSEPORT', 16: 'SO_PASSCRED', 30: 'SO_ACCEPTCONN', 39: 'SO_DOMAIN' };

export function setsockoptInt(fd: number, level: number, option: number, value: number): void {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value);
  const levelName = level === SOL_SOCKET ? 'SOL_SOCKET' : String(level);
  const call = `setsockopt(${fd}, ${levelName}, ${optionNames[option] ?? option}, [${value}], 4)`;
  check(cfunc('int setsockopt(int, int, int, const void *, uint32)', 'setsockopt')(fd, level, option, buffer, 4), call);
}

export function getsockoptInt(fd: number, level: number, option: number): number {
  const buffer = Buffer.alloc(4);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(4);
  const levelName = level === SOL_SOCKET ? 'SOL_SOCKET' : String(level);
  const call = `getsockopt(${fd}, ${levelName}, ${optionNames[option] ?? option})`;
  check(cfunc('int getsockopt(int, int, int, void *, void *)', 'getsockopt')(fd, level, option, buffer, length), call);
  return buffer.readInt32LE();
}

/** getsockopt(SO_PEERCRED): the pid, uid and gid of a connected unix socket's peer, recorded by the kernel at connect(). */
export function peerCredentials(fd: number): Credentials {
  const ucred = Buffer.alloc(12);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(12);
  check(cfunc('int getsockopt(int, int, int, void *, void *)', 'getsockopt')(fd, SOL_SOCKET, SO_PEERCRED, ucred, length), `getsockopt(${fd}, SOL_SOCKET, SO_PEERCRED)`);
  return readCredentials(ucred);
}

/** SO_LINGER {on, 0}: close() resets the connection instead of leaving a TIME_WAIT entry behind. */
export function abortOnClose(fd: number): void {
  const linger = Buffer.alloc(8); // struct linger { int l_onoff; int l_linger; }
  linger.writeInt32LE(1, 0);
  check(cfunc('int setsockopt(int, int, int, const void *, uint32)', 'setsockopt')(fd, SOL_SOCKET, 13, linger, 8), `setsockopt(${fd}, SOL_SOCKET, SO_LINGER, {1, 0}, 8)`);
}

export function setReusePort(fd: number): void {
  setsockoptInt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
}

export function bind(fd: number, addr: SockAddr): void {
  const b = encodeSockAddr(addr);
  check(cfunc('int bind(int, const void *, uint32)', 'bind')(fd, b, b.length), `bind(${fd}, ${formatSockAddr(addr)})`);
}

export function connect(fd: number, addr: SockAddr): void {
  const b = encodeSockAddr(addr);
  check(cfunc('int connect(int, const void *, uint32)', 'connect')(fd, b, b.length), `connect(${fd}, ${formatSockAddr(addr)})`);
}

export function listen(fd: number, backlog: number): void {
  check(cfunc('int listen(int, int)', 'listen')(fd, backlog), `listen(${fd}, ${backlog})`);
}

export function accept4(fd: number, flags = 0): { fd: number; peer: SockAddr } {
  const b = Buffer.alloc(SOCKADDR_STORAGE_SIZE);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(SOCKADDR_STORAGE_SIZE);
  const call = `accept4(${fd}, …, ${flags ? typeText(flags).replace(/^\d+\|?/, '') : '0'})`;
  const newFd = check(cfunc('int accept4(int, void *, void *, int)', 'accept4')(fd, b, length, flags), call);
  return { fd: newFd, peer: decodeSockAddr(b, length.readUInt32LE()) };
}

function nameCall(fn: 'getsockname' | 'getpeername', fd: number): SockAddr {
  const b = Buffer.alloc(SOCKADDR_STORAGE_SIZE);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(SOCKADDR_STORAGE_SIZE);
  check(cfunc(`int ${fn}(int, void *, void *)`, fn)(fd, b, length), `${fn}(${fd})`);
  return decodeSockAddr(b, length.readUInt32LE());
}

export function getsockname(fd: number): SockAddr {
  return nameCall('getsockname', fd);
}

export function getpeername(fd: number): SockAddr {
  return nameCall('getpeername', fd);
}

const shutdownNames = ['SHUT_RD', 'SHUT_WR', 'SHUT_RDWR'];
export function shutdown(fd: number, how: number): void {
  check(cfunc('int shutdown(int, int)', 'shutdown')(fd, how), `shutdown(${fd}, ${shutdownNames[how] ?? how})`);
}

/** poll(2) on one fd: the returned events, or 0 when the timeout passed first. */
export function pollOne(fd: number, events: number, timeoutMs: number): number {
  const pollfd = Buffer.alloc(8); // struct pollfd { int fd; short events; short revents; }
  pollfd.writeInt32LE(fd, 0);
  pollfd.writeInt16LE(events, 4);
  const n = check(cfunc('int poll(void *, ulong, int)', 'poll')(pollfd, 1, timeoutMs), `poll([{fd=${fd}}], 1, ${timeoutMs})`);
  return n === 0 ? 0 : pollfd.readInt16LE(6);
}

export function send(fd: number, data: Buffer, flags = 0): number {
  return check(cfunc('long send(int, const void *, size_t, int)', 'send')(fd, data, data.length, flags), `send(${fd}, …, ${data.length}, ${flags})`);
}

export function recv(fd: number, buffer: Buffer, flags = 0): number {
  return check(cfunc('long recv(int, void *, size_t, int)', 'recv')(fd, buffer, buffer.length, flags), `recv(${fd}, …, ${buffer.length}, ${flags})`);
}

/** sendto(2): one datagram to addr (a unix datagram socket's peer, for instance systemd's NOTIFY_SOCKET). */
export function sendTo(fd: number, data: Buffer, addr: SockAddr, flags = 0): number {
  const b = encodeSockAddr(addr);
  const call = `sendto(${fd}, …, ${data.length}, ${flags}, ${formatSockAddr(addr)})`;
  return check(cfunc('long sendto(int, const void *, size_t, int, const void *, uint32)', 'sendto')(fd, data, data.length, flags, b, b.length), call);
}

// Socket ops made by hand through src/sys: listeners, clients, accept, data, and descriptor passing.
// Every socket is made with SOCK_CLOEXEC, as Node makes its own. Anything that could block is preceded
// by poll(2) with a timeout, so a puppet always answers.
import { constants } from 'node:os';
import * as sys from '../sys/index.js';
import { assertPort, loopbackAddress, type OpContext, type OpTable, privatePath, waitReadable } from './puppet-op.js';
import { OpError } from './puppet-state.js';
import { backlogOf, serveHttp } from './puppet-server-ops.js';
import { addrText, domainText, quote, socketTypeText } from './trace.js';

const STREAM = sys.SOCK_STREAM | sys.SOCK_CLOEXEC;
const SO_ERROR = 4;
const MSG_DONTWAIT = 0x40;
const MAX_RECV = 65536;
const shutdownHows = { rd: sys.SHUT_RD, wr: sys.SHUT_WR, rdwr: sys.SHUT_RDWR } as const;

function newSocket(domain: number, { trace, state }: OpContext): number {
  const fd = trace.call(`socket(${domainText(domain)}, ${socketTypeText(STREAM)}, 0)`, () => sys.socket(domain, STREAM, 0));
  state.adopt(fd);
  return fd;
}

function bindAndListen(fd: number, addr: sys.SockAddr, backlog: number, { trace }: OpContext): void {
  trace.call(`bind(${fd}, ${addrText(addr)})`, () => sys.bind(fd, addr));
  trace.call(`listen(${fd}, ${backlog})`, () => sys.listen(fd, backlog));
}

/**
 * connect(2) that cannot hang: the socket is non-blocking for the attempt only. A TCP listener whose
 * accept queue is full drops the SYN, leaving the client in SYN_SENT: reported after timeoutMs, the
 * socket left as it is for the lesson to look at. A full unix listener answers EAGAIN at once.
 */
function connectWithin(fd: number, addr: sys.SockAddr, timeoutMs: number | undefined, { trace }: OpContext): void {
  const text = `connect(${fd}, ${addrText(addr)})`;
  const wait = Math.min(Math.max(0, Math.trunc(timeoutMs ?? 1000)), 10_000);
  sys.setNonBlocking(fd, true);
  try {
    try {
      sys.connect(fd, addr);
      trace.note(`${text} = 0`);
      return;
    } catch (error) {
      if (!(error instanceof sys.SysError) || error.code !== 'EINPROGRESS') {
        if (error instanceof sys.SysError) trace.failed(text, error);
        throw error;
      }
    }
    if (sys.pollOne(fd, sys.POLLOUT, wait) === 0) {
      trace.failed(text, new sys.SysError(text, constants.errno.EINPROGRESS));
      throw new OpError(`no answer within ${wait} ms: the listener's accept queue is probably full, so the client waits in SYN_SENT.`, { fd, state: 'SYN_SENT' });
    }
    const errno = sys.getsockoptInt(fd, sys.SOL_SOCKET, SO_ERROR);
    if (errno !== 0) {
      const error = new sys.SysError(text, errno);
      trace.failed(text, error);
      throw error;
    }
    trace.note(`${text} = 0`);
  } finally {
    sys.setNonBlocking(fd, false);
  }
}

export const netOps: OpTable<'listen' | 'unix-listen' | 'unix-connect' | 'accept' | 'connect' | 'shutdown' | 'send' | 'recv' | 'sendfd' | 'recvfd'> = {
  async listen({ address, port = 0, backlog, reusePort = false, serve = 'none' }, context) {
    if (assertPort(port) !== 0 && !reusePort) {
      throw new OpError('a demo listener binds port 0 and lets the kernel choose; an explicit port is only for reusePort, to join another listener.');
    }
    const addr = loopbackAddress(address, port);
    const limit = backlogOf(backlog);
    const fd = newSocket(addr.family === 'inet6' ? sys.AF_INET6 : sys.AF_INET, context);
    if (reusePort) context.trace.call(`setsockopt(${fd}, SOL_SOCKET, SO_REUSEPORT, [1], 4)`, () => sys.setReusePort(fd));
    bindAndListen(fd, addr, limit, context);
    const bound = sys.getsockname(fd) as { port: number; address: string };
    if (serve === 'http') await serveHttp(fd, limit, context);
    return { fd, port: bound.port, address: bound.address };
  },

  'unix-listen'({ path, backlog }, context) {
    const addr: sys.SockAddr = { family: 'unix', path: privatePath(path) };
    const limit = backlogOf(backlog);
    const fd = newSocket(sys.AF_UNIX, context);
    bindAndListen(fd, addr, limit, context);
    return { fd, path: addr.path };
  },

  'unix-connect'({ path, timeoutMs }, context) {
    const addr: sys.SockAddr = { family: 'unix', path: privatePath(path) };
    const fd = newSocket(sys.AF_UNIX, context);
    connectWithin(fd, addr, timeoutMs, context);
    return { fd };
  },

  connect({ port, address, timeoutMs }, context) {
    const addr = loopbackAddress(address, assertPort(port));
    const fd = newSocket(addr.family === 'inet6' ? sys.AF_INET6 : sys.AF_INET, context);
    connectWithin(fd, addr, timeoutMs, context);
    return { fd };
  },

  accept({ fd, timeoutMs = 100 }, { trace, state }) {
    state.assertLessonFd(fd);
    waitReadable(trace, fd, timeoutMs, `accept4(${fd})`, 'accept queue empty');
    const accepted = trace.callWith(`accept4(${fd}, …, SOCK_CLOEXEC)`, () => sys.accept4(fd, sys.SOCK_CLOEXEC),
      ({ fd: conn, peer }) => `accept4(${fd}, {${addrText(peer)}}, SOCK_CLOEXEC) = ${conn}`);
    state.adopt(accepted.fd);
    return { fd: accepted.fd, peer: sys.formatSockAddr(accepted.peer) };
  },

  shutdown({ fd, how }, { trace, state }) {
    state.assertLessonFd(fd);
    if (!(how in shutdownHows)) throw new OpError(`shutdown takes rd, wr or rdwr, not ${String(how)}.`);
    trace.call(`shutdown(${fd}, SHUT_${how.toUpperCase()})`, () => sys.shutdown(fd, shutdownHows[how]));
    return { fd };
  },

  send({ fd, data }, { trace, state }) {
    state.assertLessonFd(fd);
    const bytes = Buffer.from(String(data));
    const sent = trace.call(`send(${fd}, ${quote(String(data))}, ${bytes.length}, MSG_DONTWAIT)`, () => sys.send(fd, bytes, MSG_DONTWAIT));
    return { fd, bytes: sent };
  },

  recv({ fd, length = 4096, timeoutMs = 100 }, { trace, state }) {
    state.assertLessonFd(fd);
    const size = Math.min(Math.max(1, Math.trunc(length) || 1), MAX_RECV);
    waitReadable(trace, fd, timeoutMs, `recv(${fd})`, 'no data arrived');
    const buffer = Buffer.alloc(size);
    const n = trace.callWith(`recv(${fd}, …, ${size}, MSG_DONTWAIT)`, () => sys.recv(fd, buffer, MSG_DONTWAIT),
      (count) => `recv(${fd}, ${quote(buffer.subarray(0, count).toString())}, ${size}, MSG_DONTWAIT) = ${count}`);
    return { fd, data: buffer.subarray(0, n).toString(), bytes: n, eof: n === 0 };
  },

  sendfd({ fd, fds }, { trace, state }) {
    state.assertLessonFd(fd);
    if (!Array.isArray(fds) || fds.length === 0) throw new OpError('sendfd needs at least one fd to pass.');
    fds.forEach((passed) => state.assertLessonFd(passed));
    const bytes = trace.call(`sendmsg(${fd}, {"fd", SCM_RIGHTS=[${fds.join(', ')}]}, MSG_NOSIGNAL)`, () => sys.sendFds(fd, fds, 'fd'));
    return { fd, fds, bytes };
  },

  recvfd({ fd, timeoutMs = 100 }, { trace, state }) {
    state.assertLessonFd(fd);
    waitReadable(trace, fd, timeoutMs, `recvmsg(${fd})`, 'no message arrived');
    const message = trace.callWith(`recvmsg(${fd}, …, MSG_CMSG_CLOEXEC)`, () => sys.recvFds(fd),
      ({ fds, data }) => `recvmsg(${fd}, {${quote(data.toString())}, SCM_RIGHTS=[${fds.join(', ')}]}, MSG_CMSG_CLOEXEC) = ${data.length}`);
    message.fds.forEach((received) => state.adopt(received));
    if (message.fds.length === 0) {
      throw new OpError(message.data.length === 0 ? 'the peer closed the connection; no descriptors came.' : 'a message came without descriptors.', { data: message.data.toString() });
    }
    return { fd, fds: message.fds, data: message.data.toString(), truncated: message.truncated };
  },
};

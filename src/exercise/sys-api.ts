// The syscall API a Node workspace imports (`import * as sys from './hotrestart-sys.mjs'`), documented
// in the README ("Exercises: the syscall API for Node"). It is the project's own koffi bindings
// (src/sys), narrowed to what the exercises need, plus two helpers that read Node's handles. Each call
// does exactly one system call (or the two a helper names) and throws a SysError carrying the call as
// strace would print it, e.g. `close(99) = -1 EBADF`.
import type { Server, Socket } from 'node:net';
import type { Socket as DgramSocket } from 'node:dgram';

export {
  dup, dup2, close, fcntl, setNonBlocking, isNonBlocking, setCloseOnExec, isCloseOnExec,
  sendFds, recvFds, socketpair, getsockname, socket, bind, listen, setReusePort,
  getsockoptInt, getpeername, sendTo, SOL_SOCKET, SO_TYPE, SO_DOMAIN, SO_ACCEPTCONN, AF_INET6, SOCK_DGRAM,
  F_GETFD, F_SETFD, F_GETFL, F_SETFL, FD_CLOEXEC, O_NONBLOCK, AF_INET, AF_UNIX, SOCK_STREAM, SOCK_CLOEXEC,
  SysError,
} from '../sys/index.js';

/** The fd number behind a net.Server, net.Socket or dgram socket (libuv's handle), or -1 when it has
 *  none (not listening yet, or closed). The fd stays owned by Node: never close() it yourself. */
export function fdOf(handleOwner: Server | Socket | DgramSocket): number {
  const direct = (handleOwner as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof direct === 'number') return direct;
  const dgram = (handleOwner as unknown as { [key: symbol]: { handle?: { fd?: number } } });
  for (const symbol of Object.getOwnPropertySymbols(dgram)) {
    const fd = dgram[symbol]?.handle?.fd;
    if (typeof fd === 'number') return fd;
  }
  return -1;
}

/** The fds passed the systemd way: LISTEN_FDS=n and LISTEN_PID=<this pid> mean fds 3 … 3+n-1, named by
 *  LISTEN_FDNAMES (colon-separated). Empty when the variables are absent or meant for another pid. */
export function listenFds(env: NodeJS.ProcessEnv = process.env): Array<{ fd: number; name: string }> {
  const count = Number(env.LISTEN_FDS);
  if (!Number.isInteger(count) || count <= 0) return [];
  if (env.LISTEN_PID !== undefined && Number(env.LISTEN_PID) !== process.pid) return [];
  const names = (env.LISTEN_FDNAMES ?? '').split(':');
  return Array.from({ length: count }, (_, i) => ({ fd: 3 + i, name: names[i] || 'unknown' }));
}

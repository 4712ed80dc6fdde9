// Creating a listener when nothing was inherited. The socket is made here, through src/sys, and only
// then given to Node (`server.listen({ fd })`, `dgram.bind({ fd })`), for two reasons:
//  - the module knows the fd number of every listener it will pass on, without reaching into libuv;
//  - libuv never owns a unix socket path. libuv unlinks a path it bound itself when the server closes,
//    which would delete the path under the successor that now serves it. Here nobody unlinks a path
//    in use; a stale one (a socket file nobody listens on any more) is removed before the first bind.
import { lookup } from 'node:dns/promises';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { isIP } from 'node:net';
import { AF_INET, AF_INET6, AF_UNIX, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR } from './sys/constants.js';
import { close } from './sys/fd.js';
import type { SockAddr } from './sys/sockaddr.js';
import { bind, connect, listen, setsockoptInt, socket } from './sys/socket.js';
import type { ListenAddress } from './listeners.js';

/** Node's default backlog for server.listen(). */
export const DEFAULT_BACKLOG = 511;

/** A new listening (stream) or bound (datagram) socket: non-blocking and close-on-exec from birth. */
export async function bindFresh(address: ListenAddress, datagram = false): Promise<number> {
  if ('path' in address) {
    if (datagram) throw new Error('unix datagram sockets are not supported');
    return bindUnix(address.path, address.backlog ?? DEFAULT_BACKLOG, address.mode);
  }
  const sockaddr = await resolve(address.host, address.port);
  const fd = socket(sockaddr.family === 'inet' ? AF_INET : AF_INET6, (datagram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC);
  try {
    // As Node does for TCP: a port whose old connections linger in TIME_WAIT can be bound again.
    if (!datagram) setsockoptInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    bind(fd, sockaddr);
    if (!datagram) listen(fd, address.backlog ?? DEFAULT_BACKLOG);
    return fd;
  } catch (error) {
    close(fd);
    throw error;
  }
}

async function resolve(host: string | undefined, port: number): Promise<SockAddr> {
  if (host === undefined || host === '') {
    // Node's default: the IPv6 wildcard, which on Linux also accepts IPv4 (bindv6only=0); IPv4 without IPv6.
    return ipv6Available() ? { family: 'inet6', address: '::', port } : { family: 'inet', address: '0.0.0.0', port };
  }
  const ip = isIP(host) ? { address: host, family: isIP(host) } : await lookup(host);
  return ip.family === 6 ? { family: 'inet6', address: ip.address, port } : { family: 'inet', address: ip.address, port };
}

let ipv6: boolean | undefined;
function ipv6Available(): boolean {
  if (ipv6 === undefined) {
    try {
      close(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC));
      ipv6 = true;
    } catch {
      ipv6 = false;
    }
  }
  return ipv6;
}

function bindUnix(path: string, backlog: number, mode: number | undefined): number {
  const fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
  try {
    removeStaleSocket(path);
    bind(fd, { family: 'unix', path });
    if (mode !== undefined) chmodSync(path, mode);
    listen(fd, backlog);
    return fd;
  } catch (error) {
    close(fd);
    throw error;
  }
}

/**
 * Unlinks `path` only when it is a socket file nobody accepts on (connect gets ECONNREFUSED): what a
 * crashed server leaves behind. A live socket or any other file is left alone, and bind then reports
 * EADDRINUSE, which is the truth.
 */
export function removeStaleSocket(path: string): boolean {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return false;
  }
  if (!isSocket) return false;
  // Non-blocking: a live listener with a full backlog answers EAGAIN instead of blocking the probe.
  const probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
  try {
    connect(probe, { family: 'unix', path });
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ECONNREFUSED') return false;
    unlinkSync(path);
    return true;
  } finally {
    close(probe);
  }
}

// Rebuilding a listener from a bare fd. An inherited fd says nothing about itself, so the kernel is
// asked: SO_DOMAIN and SO_TYPE tell TCP from UDP from a unix stream socket, SO_ACCEPTCONN whether it
// listens, getsockname where. That is enough to check the fd really is what the name promises, and to
// match fds by address when they came without names (systemd without FileDescriptorName=).
import { isIP } from 'node:net';
import { AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_ACCEPTCONN, SO_DOMAIN, SO_TYPE } from './sys/constants.js';
import { formatSockAddr, type SockAddr } from './sys/sockaddr.js';
import { getsockname, getsockoptInt } from './sys/socket.js';

export type ListenerKind = 'tcp' | 'udp' | 'unix';

/** Where to listen: a TCP or UDP port (host defaults to every address), or a unix socket path. */
export type ListenAddress = { host?: string; port: number; backlog?: number } | { path: string; backlog?: number; mode?: number };

export interface SocketDescription {
  fd: number;
  kind: ListenerKind | 'other';
  address: SockAddr;
  /** SO_ACCEPTCONN: listen(2) was called on it. */
  listening: boolean;
}

/** What the kernel says about fd. Throws a SysError when fd is not a socket. */
export function describeSocket(fd: number): SocketDescription {
  const domain = getsockoptInt(fd, SOL_SOCKET, SO_DOMAIN);
  const type = getsockoptInt(fd, SOL_SOCKET, SO_TYPE);
  const address = getsockname(fd);
  let kind: SocketDescription['kind'] = 'other';
  if ((domain === AF_INET || domain === AF_INET6) && type === SOCK_STREAM) kind = 'tcp';
  else if ((domain === AF_INET || domain === AF_INET6) && type === SOCK_DGRAM) kind = 'udp';
  else if (domain === AF_UNIX && type === SOCK_STREAM) kind = 'unix';
  const listening = type === SOCK_STREAM && getsockoptInt(fd, SOL_SOCKET, SO_ACCEPTCONN) === 1;
  return { fd, kind, address, listening };
}

export function kindOf(address: ListenAddress, datagram = false): ListenerKind {
  if ('path' in address) return 'unix';
  return datagram ? 'udp' : 'tcp';
}

/** Hosts that mean "every address of the family": an inherited wildcard socket matches them. */
const WILDCARDS = new Set(['', '0.0.0.0', '::', '::0']);

/**
 * Whether an inherited socket can stand for the requested address. Port 0 ("any port") accepts any
 * port, so a server that asked for port 0 keeps the port it got first across upgrades.
 */
export function addressMatches(description: SocketDescription, wanted: ListenAddress, kind: ListenerKind): string | null {
  if (description.kind !== kind) return `it is ${description.kind === 'other' ? 'not a TCP, UDP or unix stream socket' : `a ${description.kind} socket`}, not ${kind}`;
  if (kind !== 'udp' && !description.listening) return 'it is not listening';
  const actual = description.address;
  if ('path' in wanted) {
    if (actual.family !== 'unix' || actual.path !== wanted.path) return `it is bound to ${formatSockAddr(actual)}, not ${wanted.path}`;
    return null;
  }
  if (actual.family !== 'inet' && actual.family !== 'inet6') return `it is bound to ${formatSockAddr(actual)}`;
  if (wanted.port !== 0 && actual.port !== wanted.port) return `it is bound to port ${actual.port}, not ${wanted.port}`;
  const host = wanted.host ?? '';
  if (WILDCARDS.has(host) ? !WILDCARDS.has(actual.address) : isIP(host) !== 0 && host !== actual.address) {
    return `it is bound to ${formatSockAddr(actual)}, not ${host || 'every address'}`;
  }
  return null;
}

/** A listener's address as people write it: `127.0.0.1:8080`, `[::1]:8080`, `/run/app.sock`. */
export function describeAddress(address: SockAddr): string {
  return formatSockAddr(address);
}

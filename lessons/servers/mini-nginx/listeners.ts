// The master's listening sockets, nginx's way. With NGINX="3;4;" in the environment the listed fds are
// listening sockets someone handed over (the old master of a binary upgrade, or the tutor): each is matched
// to a `listen` of the config by its address (getsockname), and used as it is. A `listen` no inherited
// socket matches is bound here; an inherited socket no `listen` wants is closed.
//
// The master never accepts: it only holds the sockets, without FD_CLOEXEC, so that every process it starts
// (workers, and the new master of an upgrade) gets the same open file description (one accept queue) at
// the same fd number.
import * as sys from '../../../src/sys/index.js';
import type { Conf, Listen } from './conf.js';

export const NGINX_VAR = 'NGINX';
/** nginx's default backlog on Linux (NGX_LISTEN_BACKLOG). */
const BACKLOG = 511;

export interface Listener extends Listen {
  fd: number;
}

export const addressText = (l: Listen) => `${l.address}:${l.port}`;

/**
 * The fds of an NGINX value, parsed as nginx parses it (numbers ended by ';' or ':'); a bad number stops
 * the parse with nginx's emerg line, passed to `warn`.
 */
export function parseInheritedFds(value: string, warn: (line: string) => void): number[] {
  const fds: number[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== ';' && value[i] !== ':') continue;
    const text = value.slice(start, i);
    if (!/^\d+$/.test(text)) {
      warn(`invalid socket number "${value.slice(start)}" in NGINX environment variable, ignoring the rest of the variable`);
      return fds;
    }
    fds.push(Number(text));
    start = i + 1;
  }
  if (start !== value.length) warn(`invalid socket number "${value.slice(start)}" in NGINX environment variable, ignoring`);
  return fds;
}

/** What an inherited fd is: a listening IPv4 TCP socket with its address, or undefined (logged). */
export function describeInherited(fd: number, warn: (line: string) => void): Listener | undefined {
  try {
    const name = sys.getsockname(fd);
    if (name.family !== 'inet' || sys.getsockoptInt(fd, sys.SOL_SOCKET, sys.SO_ACCEPTCONN) !== 1) {
      warn(`the inherited socket #${fd} is not a listening IPv4 TCP socket, ignored`);
      return undefined;
    }
    return { fd, address: name.address, port: name.port };
  } catch (error) {
    warn(`getsockname() of the inherited socket #${fd} failed (${(error as Error).message})`);
    return undefined;
  }
}

/** The `listen` addresses of the config, each once. */
export function wantedAddresses(conf: Conf): Listen[] {
  const wanted = new Map<string, Listen>();
  for (const server of conf.servers) for (const l of server.listen) wanted.set(addressText(l), l);
  return [...wanted.values()];
}

/**
 * The listeners for `conf`: those of `available` whose address a `listen` names, and new ones bound for the
 * rest. Returns them with the available ones no `listen` wants (the caller closes those). Throws nginx's
 * bind() emerg line when a bind fails (the sockets bound so far are closed first).
 */
export function openListeners(conf: Conf, available: Listener[]): { listeners: Listener[]; unused: Listener[] } {
  const listeners: Listener[] = [];
  const bound: number[] = [];
  for (const want of wantedAddresses(conf)) {
    const same = available.find((l) => addressText(l) === addressText(want));
    if (same) {
      listeners.push(same);
      continue;
    }
    try {
      const fd = bindListener(want);
      bound.push(fd);
      listeners.push({ ...want, fd });
    } catch (error) {
      for (const fd of bound) sys.close(fd);
      throw error;
    }
  }
  for (const l of listeners) sys.setCloseOnExec(l.fd, false);
  return { listeners, unused: available.filter((l) => !listeners.includes(l)) };
}

function bindListener(want: Listen): number {
  // No SOCK_CLOEXEC: nginx's listening sockets are meant to cross exec (see the top of this file).
  const fd = sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_NONBLOCK);
  try {
    sys.setsockoptInt(fd, sys.SOL_SOCKET, sys.SO_REUSEADDR, 1);
    sys.bind(fd, { family: 'inet', address: want.address, port: want.port });
    sys.listen(fd, BACKLOG);
    return fd;
  } catch (error) {
    sys.close(fd);
    const e = error as sys.SysError;
    throw new Error(`bind() to ${addressText(want)} failed (${e.errno}: ${e.description ?? e.message})`);
  }
}

/** The value of NGINX for a new binary: the listeners' fds, each followed by ';'. */
export function nginxVariable(listeners: Listener[]): string {
  return listeners.map((l) => `${l.fd};`).join('');
}

// Shared shape of the puppet's op handlers, and the argument checks several of them need.
import { isAbsolute } from 'node:path';
import * as sys from '../sys/index.js';
import type { PuppetOp, PuppetResults, Request } from './protocol.js';
import { OpError, type PuppetState } from './puppet-state.js';
import type { Trace } from './trace.js';

export type { Request };
export interface OpContext {
  trace: Trace;
  state: PuppetState;
}
/** A handler answers its op's result (protocol.ts, PuppetResults): what lessons read is checked here. */
type Handler<K extends PuppetOp> = (request: Request<K>, context: OpContext) => PuppetResults[K] | Promise<PuppetResults[K]>;
/** Handlers for the ops K; the dispatcher merges the tables and the compiler checks none is missing. */
export type OpTable<K extends PuppetOp> = { [P in K]: Handler<P> };

/** The longest a single request may make the puppet wait in poll(2); its event loop is blocked meanwhile. */
const MAX_WAIT_MS = 10_000;

/** poll(2) before a call that would block: with nothing there after timeoutMs, logs
 *  `<call> would block: <reason>` and fails the op instead of hanging the puppet. */
export function waitReadable(trace: Trace, fd: number, timeoutMs: number, call: string, reason: string): void {
  const wait = Math.min(Math.max(0, Math.trunc(timeoutMs)), MAX_WAIT_MS);
  // Any event (POLLIN, POLLHUP, POLLNVAL for a closed fd) means the real call will not block: let it answer.
  if (sys.pollOne(fd, sys.POLLIN, wait) !== 0) return;
  trace.note(`${call} would block: ${reason}`);
  throw new OpError(`${call} would block: ${reason} after ${wait} ms.`);
}

/** A path inside the private directory (the puppet's working directory): relative, no `..`. */
export function privatePath(path: string): string {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw new OpError('a path is needed.');
  if (isAbsolute(path) || path.split('/').includes('..')) {
    throw new OpError(`${JSON.stringify(path)} must stay inside the run's private directory: give a relative path without "..".`);
  }
  if (Buffer.byteLength(path) > 100) throw new OpError(`${JSON.stringify(path)} is too long for a socket path.`);
  return path;
}

/** Demo sockets stay on loopback, so a lesson never listens on or dials the network. */
export function loopbackAddress(address: string | undefined, port: number): sys.SockAddr {
  const host = address ?? '127.0.0.1';
  if (host === '127.0.0.1' || host === 'localhost') return { family: 'inet', address: '127.0.0.1', port };
  if (host === '::1') return { family: 'inet6', address: '::1', port };
  throw new OpError(`demo sockets use loopback only (127.0.0.1 or ::1), not ${host}.`);
}

export function assertPort(port: unknown): number {
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535) throw new OpError(`${String(port)} is not a port number.`);
  return port as number;
}

// Draining: what the old process does once its successor is ready, or when it stops for good.
//  1. Stop accepting. For an HTTP server this must NOT be http.Server#close(): since Node 19 that also
//     closes idle keep-alive connections, and a client that sends on an idle connection at that moment
//     loses its request (the race every graceful restart of a keep-alive server suffers). Only the
//     listening handle is closed: net.Server.prototype.close.
//  2. Every connection, as soon as it is idle, is handed to the successor over the handoff channel and
//     destroyed here; in-flight requests finish first. Without a successor (stop()), responses say
//     Connection: close and idle connections are closed.
//  3. Past the deadline, whatever is left is destroyed.
import type dgram from 'node:dgram';
import net from 'node:net';
import { ConnectionTracker, socketHandle } from './connections.js';
import type { HandoffSender } from './handoff.js';

export interface DrainTarget {
  name: string;
  tracker: ConnectionTracker;
  /** false: the successor does not serve this name, so its connections are closed, not handed over. */
  handOver?: boolean;
}

export interface DrainInput {
  servers: DrainTarget[];
  datagram: dgram.Socket[];
  /** The successor's channel, or null to close connections instead of handing them over. */
  handoff: HandoffSender | null;
  timeoutMs: number;
  /** See IDLE_GRACE_MS. */
  idleGraceMs?: number;
  log: (line: string) => void;
}

export interface DrainReport {
  handedOver: number;
  closedIdle: number;
  /** Connections still open at the deadline, destroyed. */
  cutOff: number;
  ms: number;
}

const RETRY_MS = 5;
/**
 * Without a handover (HTTPS, a stop, a Node without the private fields) an idle keep-alive connection
 * is not closed at once: its client may be sending the next request at this very moment, and would lose
 * it. Responses say Connection: close from now on, so a client that sends within this time is answered
 * and closes; one that stays quiet this long is closed.
 */
export const IDLE_GRACE_MS = 1000;

export async function drain(input: DrainInput): Promise<DrainReport> {
  const startedAt = Date.now();
  const report: DrainReport = { handedOver: 0, closedIdle: 0, cutOff: 0, ms: 0 };
  let over = false;

  for (const { tracker } of input.servers) stopAccepting(tracker.server);
  for (const socket of input.datagram) closeDatagram(socket);

  const release = (target: DrainTarget, socket: net.Socket): void => {
    if (over || socket.destroyed) return;
    const { tracker } = target;
    const busy = tracker.busyReason(socket);
    if (busy === 'writing') socket.once('drain', () => release(target, socket));
    else if (busy === 'in-flight' || busy === 'arriving') tracker.onNextResponseEnd(socket, () => release(target, socket));
    // Anything else is closing by itself, or is the application's to end (raw TCP, WebSocket) within the deadline.
    if (busy) return;
    const handoff = tracker.canHandOver && target.handOver !== false ? input.handoff : null;
    if (!handoff) {
      closeWhenQuiet(target, socket);
      return;
    }
    const handle = socketHandle(socket);
    if (!handle) {
      // No fd to pass (a Node without the private handle): closing it idle is what remains.
      report.closedIdle++;
      socket.destroy();
      return;
    }
    // Stop reading first: from here on, whatever the client sends stays in the kernel's buffer and
    // travels with the fd. Then make sure nothing arrived since the last response (all synchronous:
    // libuv cannot read in between).
    const wasReading = handle.reading !== false;
    handle.readStop();
    if (tracker.busyReason(socket)) {
      if (wasReading) handle.readStart();
      tracker.onNextResponseEnd(socket, () => release(target, socket));
      return;
    }
    const result = handoff.send(handle.fd, { server: target.name });
    if (result.sent) {
      report.handedOver++;
      // Closes this process's fd only: the successor's reference keeps the connection open. No FIN, no RST.
      socket.destroy();
    } else if (result.retry) {
      setTimeout(() => release(target, socket), RETRY_MS);
    } else {
      if (wasReading) handle.readStart();
      input.log(`handing a connection over failed (${result.reason}); closing it when idle instead`);
      input.handoff = null;
      tracker.closeAfterResponses();
      release(target, socket);
    }
  };

  const quiet = new Set<net.Socket>();
  /** Closes an idle connection after IDLE_GRACE_MS unless a request came meanwhile (then its response closes it). */
  const closeWhenQuiet = (target: DrainTarget, socket: net.Socket): void => {
    if (quiet.has(socket)) return;
    quiet.add(socket);
    const timer = setTimeout(() => {
      quiet.delete(socket);
      if (over || socket.destroyed) return;
      const busy = target.tracker.busyReason(socket);
      if (busy === 'in-flight' || busy === 'arriving') target.tracker.onNextResponseEnd(socket, () => release(target, socket));
      else if (busy === null) {
        report.closedIdle++;
        socket.destroy();
      }
    }, input.idleGraceMs ?? IDLE_GRACE_MS);
    socket.once('close', () => clearTimeout(timer));
  };

  for (const target of input.servers) {
    target.tracker.onNewConnection((socket) => release(target, socket));
    if (target.tracker.isHttp2) target.tracker.goAway();
    if (!input.handoff || !target.tracker.canHandOver || target.handOver === false) target.tracker.closeAfterResponses();
    for (const socket of target.tracker.sockets()) release(target, socket);
  }

  const allGone = Promise.all(input.servers.map(({ tracker }) => tracker.whenEmpty())).then(() => 'done' as const);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), input.timeoutMs)));
  const outcome = await Promise.race([allGone, deadline]);
  clearTimeout(timer);
  over = true;
  if (outcome === 'timeout') {
    for (const { tracker } of input.servers) {
      for (const socket of tracker.sockets()) {
        report.cutOff++;
        socket.destroy();
      }
    }
  }
  for (const { tracker } of input.servers) tracker.detach();
  report.ms = Date.now() - startedAt;
  return report;
}

/** Closes the listening handle only, whatever kind of server this is (http.Server#close would do more). */
export function stopAccepting(server: net.Server): void {
  if (server.listening) net.Server.prototype.close.call(server);
}

function closeDatagram(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed by the application.
  }
}

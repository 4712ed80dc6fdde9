// Which connections a server holds, and for HTTP, whether each one is idle: no request in flight and
// no byte of a next request read yet. Only an idle connection can change process without losing a
// request, because the HTTP state (a half-parsed request, a response being written) lives in this
// process's memory, while the bytes the kernel still holds travel with the fd.
//
// "Idle" is checked three ways, each covering a gap in the others:
//  - requests counted between 'request' and the response's end (covers pipelined requests already parsed);
//  - socket.bytesRead compared with its value when the last response ended (covers the start of a
//    request that libuv has read but the parser has not yet turned into 'request');
//  - the parser's own clock: parser.duration() is 0 between messages and counts from the first byte of
//    the next one (covers a partial request that arrived together with the previous one).
import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import type net from 'node:net';
import tls from 'node:tls';

/**
 * closed / closing: it is going away by itself. not-http / upgraded: its protocol is the application's
 * (raw TCP, WebSocket), so only the application or the deadline ends it. in-flight / arriving: wait for
 * the response's end. writing: wait for 'drain'.
 */
export type BusyReason = 'closed' | 'closing' | 'not-http' | 'upgraded' | 'in-flight' | 'arriving' | 'writing';

interface ConnectionState {
  inFlight: number;
  /** The response in flight, if any: public knowledge, so Connection: close needs no private field. */
  response?: ServerResponse;

  requests: number;
  /** socket.bytesRead when the last response ended; 0 for a fresh connection. */
  mark: number;
  /** Called when the connection may have become idle (a response ended). */
  onMaybeIdle?: () => void;
}

/** Node's private fields this module reads; present on Node 20 to 24. */
interface SocketInternals {
  parser?: { duration?: () => number } | null;
  _httpMessage?: unknown;
  _handle?: { fd?: number; readStop?: () => number; readStart?: () => number; reading?: boolean } | null;
}

export class ConnectionTracker {
  private readonly states = new Map<net.Socket, ConnectionState>();
  private readonly goneWaiters = new Set<() => void>();
  /** Plain HTTP: connections can be handed over. HTTPS keeps TLS state in memory, raw TCP has unknown framing. */
  readonly canHandOver: boolean;
  readonly isHttp: boolean;
  /** Once set, every response says Connection: close (a stop without successor). */
  private closing = false;

  constructor(
    readonly server: net.Server,
    /** False when this Node lacks a private field the handover reads (see internals.ts): public APIs only, no handover. */
    readonly internals = true,
  ) {
    this.isHttp = server instanceof http.Server || server instanceof tls.Server;
    this.canHandOver = internals && server instanceof http.Server && !(server instanceof tls.Server);
    server.on('connection', this.onConnection);
    // No 'upgrade' listener here: having one changes how Node answers an Upgrade request.
    if (this.isHttp) server.on('request', this.onRequest);
  }

  get size(): number {
    return this.states.size;
  }

  sockets(): net.Socket[] {
    return [...this.states.keys()];
  }

  /** Resolves when no tracked connection is left. */
  whenEmpty(): Promise<void> {
    if (this.states.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.goneWaiters.add(resolve));
  }

  /** From now on responses end their connection; responses whose headers are not out yet too. */
  closeAfterResponses(): void {
    this.closing = true;
    for (const [socket, state] of this.states) {
      const response = state.response ?? ((socket as unknown as SocketInternals)._httpMessage as ServerResponse | undefined);
      if (response && !response.headersSent) response.shouldKeepAlive = false;
    }
  }

  /** Calls `callback` (once) the next time a response on `socket` ends. */
  onNextResponseEnd(socket: net.Socket, callback: () => void): void {
    const state = this.states.get(socket);
    if (state) state.onMaybeIdle = callback;
  }

  /** Why `socket` cannot change hands now, or null when it is idle. */
  busyReason(socket: net.Socket): BusyReason | null {
    const state = this.states.get(socket);
    if (!state || socket.destroyed) return 'closed';
    if (socket.writableEnded) return 'closing';
    if (!this.isHttp) return 'not-http';
    if (state.inFlight > 0) return 'in-flight';
    if (socket.bytesRead !== state.mark) return 'arriving';
    if (this.internals) {
      const internals = socket as unknown as SocketInternals;
      if (!internals.parser) return 'upgraded';
      if (internals._httpMessage) return 'in-flight';
      if (state.requests > 0 && (internals.parser.duration?.() ?? 0) > 0) return 'arriving';
    }
    if (socket.writableLength > 0) return 'writing';
    return null;
  }

  private readonly onConnection = (socket: net.Socket) => {
    this.states.set(socket, { inFlight: 0, requests: 0, mark: socket.bytesRead });
    socket.once('close', () => {
      this.states.delete(socket);
      if (this.states.size === 0) {
        for (const resolve of this.goneWaiters) resolve();
        this.goneWaiters.clear();
      }
    });
  };

  private readonly onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    const state = this.states.get(socket);
    if (!state) return;
    state.inFlight++;
    state.requests++;
    state.response = response;
    if (this.closing) response.shouldKeepAlive = false;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      state.inFlight--;
      if (state.response === response) state.response = undefined;
      state.mark = socket.bytesRead;
      const callback = state.onMaybeIdle;
      state.onMaybeIdle = undefined;
      // After Node's own end-of-response work (detach, keep-alive timer, dumping an unread body).
      if (callback) setImmediate(callback);
    };
    response.once('finish', end);
    response.once('close', end);
  };

  /** New connections are no longer tracked here (the server listens again under a new tracker); known ones still are. */
  stopTrackingNew(): void {
    this.server.off('connection', this.onConnection);
  }

  detach(): void {
    this.server.off('connection', this.onConnection);
    this.server.off('request', this.onRequest);
  }
}

/** The libuv handle behind a socket: its fd, and read start/stop. Null when there is none (closed). */
export function socketHandle(socket: net.Socket): Required<NonNullable<SocketInternals['_handle']>> | null {
  const handle = (socket as unknown as SocketInternals)._handle;
  if (!handle || typeof handle.fd !== 'number' || handle.fd < 0 || !handle.readStop || !handle.readStart) return null;
  return handle as Required<NonNullable<SocketInternals['_handle']>>;
}

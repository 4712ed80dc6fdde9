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
import type { Http2Session } from 'node:http2';
import tls from 'node:tls';

/**
 * closed / closing: it is going away by itself. not-http / upgraded: its protocol is the application's
 * (raw TCP, WebSocket), so only the application or the deadline ends it. in-flight / arriving: wait for
 * the response's end. writing: wait for 'drain'.
 */
export type BusyReason = 'closed' | 'closing' | 'not-http' | 'upgraded' | 'in-flight' | 'arriving' | 'writing' | 'http2';

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
  private readonly connectionEvent: 'connection' | 'secureConnection';
  private readonly sessions = new Set<Http2Session>();
  private readonly handshaking = new Set<net.Socket>();
  private newcomer: ((socket: net.Socket) => void) | null = null;
  /** An http2.createServer / createSecureServer server: its connections carry sessions. */
  readonly isHttp2: boolean;
  /** Once set, every session (and each new one) is closed gracefully: GOAWAY, then its streams finish. */
  private goingAway = false;

  constructor(
    readonly server: net.Server,
    /** False when this Node lacks a private field the handover reads (see internals.ts): public APIs only, no handover. */
    readonly internals = true,
  ) {
    this.isHttp = server instanceof http.Server || server instanceof tls.Server;
    this.canHandOver = internals && server instanceof http.Server && !(server instanceof tls.Server);
    this.isHttp2 = ['Http2Server', 'Http2SecureServer'].includes(server.constructor.name);
    // A TLS server's requests and sessions live on the TLSSocket, not on the TCP socket under it.
    this.connectionEvent = server instanceof tls.Server ? 'secureConnection' : 'connection';
    server.on(this.connectionEvent, this.onConnection);
    if (this.connectionEvent === 'secureConnection') server.on('connection', this.onRawConnection);
    if (this.isHttp2) server.on('session', this.onSession);
    // No 'upgrade' listener here: having one changes how Node answers an Upgrade request.
    // First among the 'request' listeners: an application that answers at once has sent its headers by the
    // time a later listener could still ask for Connection: close.
    if (this.isHttp) server.prependListener('request', this.onRequest);
  }

  get size(): number {
    return this.states.size;
  }

  sockets(): net.Socket[] {
    return [...this.states.keys()];
  }

  /** Resolves when no tracked connection is left. */
  whenEmpty(): Promise<void> {
    if (this.states.size === 0 && this.handshaking.size === 0) return Promise.resolve();
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

  /**
   * HTTP/2: GOAWAY on every session. The client learns which streams were processed (they finish here) and
   * opens a new connection (to the successor) for anything else. TLS state cannot change process, so
   * this is how an h2 connection ends well.
   */
  goAway(): void {
    this.goingAway = true;
    for (const session of this.sessions) if (!session.closed) session.close();
  }

  /** Called with each connection tracked from now on (a TLS handshake that completes during a drain). */
  onNewConnection(callback: ((socket: net.Socket) => void) | null): void {
    this.newcomer = callback;
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
    // Every connection of an HTTP/2 server carries a session (allowHTTP1 aside): it ends by GOAWAY.
    if (this.isHttp2) return 'http2';
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
    if (this.connectionEvent === 'secureConnection') {
      for (const raw of this.handshaking) {
        if (raw.remotePort === socket.remotePort && raw.remoteAddress === socket.remoteAddress) this.handshaking.delete(raw);
      }
    }
    this.states.set(socket, { inFlight: 0, requests: 0, mark: socket.bytesRead });
    socket.once('close', () => {
      this.states.delete(socket);
      this.maybeEmpty();
    });
    // After Node's own 'secureConnection' work (the HTTP parser is attached by then).
    if (this.newcomer) setImmediate(() => this.newcomer?.(socket));
  };

  private readonly onSession = (session: Http2Session) => {
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
    if (this.goingAway) session.close();
  };

  /**
   * A TLS connection is tracked from its handshake's end ('secureConnection'); until then it is only a
   * TCP connection in this set, so that a drain waits for it instead of exiting under its handshake.
   * Matched by the client's port, which is public (the TLSSocket's link to its TCP socket is not).
   */
  private readonly onRawConnection = (socket: net.Socket) => {
    this.handshaking.add(socket);
    socket.once('close', () => {
      this.handshaking.delete(socket);
      this.maybeEmpty();
    });
  };

  private maybeEmpty(): void {
    if (this.states.size > 0 || this.handshaking.size > 0) return;
    for (const resolve of this.goneWaiters) resolve();
    this.goneWaiters.clear();
  }

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
    this.server.off(this.connectionEvent, this.onConnection);
    this.server.off('connection', this.onRawConnection);
    this.newcomer = null;
  }

  detach(): void {
    this.server.off(this.connectionEvent, this.onConnection);
    this.server.off('request', this.onRequest);
    this.server.off('session', this.onSession);
    this.server.off('connection', this.onRawConnection);
    this.newcomer = null;
  }
}

/** The libuv handle behind a socket: its fd, and read start/stop. Null when there is none (closed). */
export function socketHandle(socket: net.Socket): Required<NonNullable<SocketInternals['_handle']>> | null {
  const handle = (socket as unknown as SocketInternals)._handle;
  if (!handle || typeof handle.fd !== 'number' || handle.fd < 0 || !handle.readStop || !handle.readStart) return null;
  return handle as Required<NonNullable<SocketInternals['_handle']>>;
}

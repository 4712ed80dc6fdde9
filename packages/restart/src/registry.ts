// The named listeners of one process: each is an inherited fd claimed by its name (or by its address
// when it came without one) or a socket bound afresh, then given to a Node server. The registry knows
// every listener's fd, which is what an upgrade passes on, and it adopts the connections a predecessor
// hands over into the server of the same name.
import type dgram from 'node:dgram';
import net from 'node:net';
import { F_DUPFD_CLOEXEC } from './sys/constants.js';
import { close, fcntl } from './sys/fd.js';
import { type SockAddr } from './sys/sockaddr.js';
import { bindFresh } from './bind.js';
import { ConnectionTracker } from './connections.js';
import { endUnserved } from './unserved.js';
import { checkListenerName, LISTEN_FDS_START, type InheritedFd } from './env.js';
import { addressMatches, describeAddress, describeSocket, kindOf, type ListenAddress, type ListenerKind } from './listeners.js';

export interface ListenerInfo {
  name: string;
  kind: ListenerKind;
  fd: number;
  /** `127.0.0.1:8080`, `[::]:8080`, `/run/app.sock` */
  address: string;
  /** True when the socket came from the predecessor (or systemd), false when bound here. */
  inherited: boolean;
}

/** A duplicate of a listener's fd, held through a drain for a rollback. */
export interface Spare {
  entry: Entry;
  fd: number;
}

interface Entry extends ListenerInfo {
  server?: net.Server;
  datagram?: dgram.Socket;
  tracker?: ConnectionTracker;
}

export class ListenerRegistry {
  private readonly entries = new Map<string, Entry>();
  /** Names whose handed-over connections were ended here (logged once each). */
  private readonly unserved = new Set<string>();
  /** Connections adopted from the predecessor so far. */
  adopted = 0;
  /** False when this Node lacks a private field the handover reads (see internals.ts). */
  internals = true;
  /** While draining, a server's 'close' does not remove its listener: a rollback may serve on it again. */
  private keepClosed = false;

  constructor(
    /** Inherited fds not claimed yet. */
    private readonly unclaimed: InheritedFd[],
    private readonly log: (line: string) => void,
  ) {}

  async listen(server: net.Server, name: string, address: ListenAddress): Promise<ListenerInfo> {
    const { fd, inherited, sockaddr } = await this.obtain(name, address, false);
    // Tracking starts before the first connection can arrive.
    const tracker = new ConnectionTracker(server, this.internals);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ fd, backlog: address.backlog }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      tracker.detach();
      close(fd);
      throw error;
    }
    const entry = this.add({ name, kind: kindOf(address), fd, address: describeAddress(sockaddr), inherited, server, tracker });
    server.on('close', () => {
      if (!this.keepClosed && !server.listening) this.forget(entry);
    });
    return publicInfo(entry);
  }

  async listenUdp(socket: dgram.Socket, name: string, address: { host?: string; port: number }): Promise<ListenerInfo> {
    const { fd, inherited, sockaddr } = await this.obtain(name, address, true);
    const family = (socket as unknown as { type?: string }).type === 'udp6' ? 'inet6' : 'inet';
    if (sockaddr.family !== family) {
      close(fd);
      throw new Error(`listener ${name} is ${describeAddress(sockaddr)}, which a ${family === 'inet6' ? 'udp6' : 'udp4'} socket cannot use`);
    }
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ fd }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      close(fd);
      throw error;
    }
    const entry = this.add({ name, kind: 'udp', fd, address: describeAddress(sockaddr), inherited, datagram: socket });
    socket.once('close', () => this.forget(entry));
    return publicInfo(entry);
  }

  list(): ListenerInfo[] {
    return [...this.entries.values()].map(publicInfo);
  }

  /** The fds to pass on, in a fixed order, with their names. Listeners the application closed are not among them. */
  passable(): InheritedFd[] {
    return [...this.entries.values()].map(({ fd, name }) => ({ fd, name }));
  }

  servers(): Array<{ name: string; tracker: ConnectionTracker }> {
    return [...this.entries.values()].flatMap(({ name, tracker }) => (tracker ? [{ name, tracker }] : []));
  }

  datagramSockets(): dgram.Socket[] {
    return [...this.entries.values()].flatMap(({ datagram }) => (datagram ? [datagram] : []));
  }

  /**
   * Before a drain: a duplicate of every listener fd, kept so that this process can serve again if its
   * successor dies (the drain closes the originals). release() closes them; resume() serves on them.
   */
  holdForRollback(): Spare[] {
    this.keepClosed = true;
    return [...this.entries.values()].map((entry) => ({ entry, fd: fcntl(entry.fd, F_DUPFD_CLOEXEC, LISTEN_FDS_START) }));
  }

  releaseSpares(spares: Spare[]): void {
    for (const { fd } of spares.splice(0)) close(fd);
    this.keepClosed = false;
  }

  /**
   * Serves again on the spare fds: every server listens anew with a fresh tracker, while the old trackers
   * keep only the connections they had (the drain still ends those). A datagram socket, once closed,
   * cannot be reopened from Node, so its listener is given up with a log line.
   */
  async resume(spares: Spare[]): Promise<void> {
    for (const { entry, fd } of spares.splice(0)) {
      if (!entry.server) {
        this.log(`listener ${entry.name} (udp) cannot be served again after a rollback; it is closed`);
        close(fd);
        this.forget(entry);
        continue;
      }
      entry.tracker?.stopTrackingNew();
      entry.tracker?.closeAfterResponses();
      const tracker = new ConnectionTracker(entry.server, this.internals);
      try {
        await new Promise<void>((resolve, reject) => {
          entry.server!.once('error', reject);
          entry.server!.listen({ fd }, () => {
            entry.server!.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        tracker.detach();
        close(fd);
        this.log(`listener ${entry.name} could not serve again: ${(error as Error).message}`);
        this.forget(entry);
        continue;
      }
      entry.fd = fd;
      entry.tracker = tracker;
    }
    this.keepClosed = false;
  }

  /** Closes inherited fds nobody claimed: the new version does not listen there any more. */
  closeUnclaimed(): void {
    for (const { fd, name } of this.unclaimed.splice(0)) {
      this.log(`closing inherited listener ${name} (fd ${fd}): nothing listened on it`);
      close(fd);
    }
  }

  /**
   * A connection the predecessor handed over: the same TCP connection, a new fd in this process. It enters
   * the server as if accepted here (the bookkeeping net.Server does in its own onconnection). Adoption
   * starts in ready(), when the listeners are settled: a name without a server now never gets one, and
   * its connections are ended at once (see unserved.ts).
   */
  adopt(fd: number, name: string): void {
    const entry = this.entries.get(name);
    if (!entry?.server) {
      if (!this.unserved.has(name)) {
        this.unserved.add(name);
        this.log(`connections handed over for ${name} are ended here: this process does not listen on ${name} (a request already sent is answered 503, Connection: close)`);
      }
      endUnserved(fd);
      return;
    }
    if (!this.internals) {
      this.log(`a connection handed over for ${name} is closed: this Node cannot adopt it (see the probe at start-up)`);
      close(fd);
      return;
    }
    const server = entry.server as net.Server & { _connections: number };
    let socket: net.Socket & { server?: net.Server; _server?: net.Server };
    try {
      socket = new net.Socket({ fd, readable: true, writable: true });
    } catch (error) {
      this.log(`a connection handed over for ${name} could not be adopted: ${(error as Error).message}`);
      close(fd);
      return;
    }
    this.adopted++;
    socket.server = server;
    socket._server = server;
    server._connections++;
    server.emit('connection', socket);
  }

  private async obtain(name: string, address: ListenAddress, datagram: boolean): Promise<{ fd: number; inherited: boolean; sockaddr: SockAddr }> {
    checkListenerName(name);
    if (this.entries.has(name)) throw new Error(`a listener named ${name} already exists`);
    const kind = kindOf(address, datagram);
    const claimed = this.claim(name, address, kind);
    if (claimed) return { ...claimed, inherited: true };
    const fd = await bindFresh(address, datagram);
    return { fd, inherited: false, sockaddr: describeSocket(fd).address };
  }

  /** The inherited fd named `name`, or among unnamed ones the first at the same address, when it fits. */
  private claim(name: string, address: ListenAddress, kind: ListenerKind): { fd: number; sockaddr: SockAddr } | null {
    let index = this.unclaimed.findIndex((entry) => entry.name === name);
    const byName = index !== -1;
    if (!byName) {
      index = this.unclaimed.findIndex((entry) => entry.name === 'unknown' && fits(entry.fd, address, kind) === null);
      if (index === -1) return null;
    }
    const candidate = this.unclaimed[index];
    const misfit = fits(candidate.fd, address, kind);
    if (misfit !== null) {
      this.log(`inherited listener ${name} (fd ${candidate.fd}) does not fit: ${misfit}; binding a new one`);
      return null;
    }
    this.unclaimed.splice(index, 1);
    return { fd: candidate.fd, sockaddr: describeSocket(candidate.fd).address };
  }

  private add(entry: Entry): Entry {
    this.entries.set(entry.name, entry);
    return entry;
  }

  private forget(entry: Entry): void {
    if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
  }
}

function fits(fd: number, address: ListenAddress, kind: ListenerKind): string | null {
  try {
    return addressMatches(describeSocket(fd), address, kind);
  } catch (error) {
    return (error as Error).message;
  }
}

function publicInfo({ name, kind, fd, address, inherited }: Entry): ListenerInfo {
  return { name, kind, fd, address, inherited };
}

// The supervisor's end of one puppet's control connection: numbered requests, a map of calls waiting
// for their reply, and a clear error for every waiting call when the puppet goes away.
import type { Socket } from 'node:net';
import { readJsonLines, writeJsonLine } from './json-lines.js';
import { isAlive } from './marker.js';
import type { PuppetHello, PuppetOp, PuppetReply, PuppetRequest } from './protocol.js';
import type { PuppetHandle } from './types.js';

interface Pending {
  op: string;
  resolve(reply: PuppetReply): void;
  reject(error: Error): void;
}

export function isHello(message: unknown): message is PuppetHello {
  const m = message as PuppetHello;
  return typeof m === 'object' && m !== null && typeof m.hello === 'string' && Number.isInteger(m.pid) && Number.isInteger(m.ppid);
}

export class PuppetClient implements PuppetHandle {
  readonly name: string;
  readonly pid: number;
  /** The pid of the process that started it, when it said hello. */
  readonly ppid: number;
  readonly exited: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private connected = true;

  /** Takes over socket after the hello line was read from it (remaining lines are replies). */
  constructor(private readonly socket: Socket, hello: PuppetHello) {
    this.name = hello.hello;
    this.pid = hello.pid;
    this.ppid = hello.ppid;
    this.exited = new Promise<void>((resolve) => {
      socket.once('close', () => {
        this.connected = false;
        this.failPending();
        // The connection closes when the process dies (the fd is close-on-exec and never passed on), but
        // the process may need a moment more to finish exiting; wait so callers can trust /proc afterwards.
        void waitUntilGone(this.pid, 2000).then(resolve);
      });
    });
    socket.on('error', () => {
      // 'close' follows; a puppet killed mid-write gives ECONNRESET here, which is expected.
    });
  }

  /** True until the control connection closed (the puppet exited or was rejected). */
  get connectedNow(): boolean {
    return this.connected;
  }

  handleMessage(message: unknown): void {
    const { id, reply } = message as { id?: number; reply?: PuppetReply };
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (!pending || !reply) return;
    this.pending.delete(id!);
    pending.resolve(reply);
  }

  call<K extends PuppetOp>(request: PuppetRequest & { op: K }): Promise<PuppetReply<K>> {
    if (!this.connected) return Promise.reject(new Error(`puppet ${this.name} (pid ${this.pid}) has exited; it cannot ${request.op}`));
    const id = this.nextId++;
    return new Promise<PuppetReply<K>>((resolve, reject) => {
      // The puppet answered this request, so the reply is the one of its op (runOp<K>).
      this.pending.set(id, { op: request.op, resolve: (reply) => resolve(reply as PuppetReply<K>), reject });
      writeJsonLine(this.socket, { id, request });
    });
  }

  /** Closes the control connection; the puppet treats that as the tutor going away and exits. */
  disconnect(): void {
    this.socket.destroy();
  }

  private failPending(): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new Error(`puppet ${this.name} (pid ${this.pid}) exited before answering ${pending.op}`));
    }
  }
}

/** Attaches a reader to a fresh control connection: the first line must be a hello, which yields a
 *  PuppetClient via onHello; later lines go to that client. */
export function acceptControlConnection(socket: Socket, onHello: (client: PuppetClient) => void): void {
  let client: PuppetClient | undefined;
  readJsonLines(socket, (message) => {
    if (client) return client.handleMessage(message);
    if (!isHello(message)) return void socket.destroy();
    client = new PuppetClient(socket, message);
    onHello(client);
  });
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

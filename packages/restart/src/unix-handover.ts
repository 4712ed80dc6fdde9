// Handover of the listeners over a unix socket (handover: 'unix'), the other way besides inheritance:
// the old process listens on a socket in a private 0700 directory, the successor connects and receives
// every listener fd with SCM_RIGHTS, their names travelling in the same message. Only the successor
// knows the path (from its environment) and only the same user can enter the directory.
// SOCK_SEQPACKET keeps each batch of fds with its own list of names.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AF_UNIX, POLLIN, SOCK_CLOEXEC, SOCK_NONBLOCK } from './sys/constants.js';
import { close } from './sys/fd.js';
import { MAX_FDS_PER_MESSAGE, recvFds, sendFds } from './sys/scm.js';
import { accept4, bind, connect, listen, pollOne, socket } from './sys/socket.js';
import { SOCK_SEQPACKET } from './sys/socketpair.js';
import type { InheritedFd } from './env.js';

const POLL_MS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The old process's side: one offer per upgrade, removed (socket, path and directory) when done. */
export class ListenerOffer {
  private disposed = false;
  private constructor(
    private readonly directory: string,
    private readonly listenFd: number,
    readonly path: string,
  ) {}

  static create(): ListenerOffer {
    // mkdtemp creates the directory with mode 0700.
    const directory = mkdtempSync(join(tmpdir(), 'hotrestart-'));
    const path = join(directory, 'handover.sock');
    const fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC);
    try {
      bind(fd, { family: 'unix', path });
      listen(fd, 1);
    } catch (error) {
      close(fd);
      rmSync(directory, { recursive: true, force: true });
      throw error;
    }
    return new ListenerOffer(directory, fd, path);
  }

  /** Waits for the successor to connect, sends it every listener, then removes the offer. */
  async serve(listeners: InheritedFd[], isCancelled: () => boolean): Promise<void> {
    try {
      while (!isCancelled() && !this.disposed) {
        if (pollOne(this.listenFd, POLLIN, 0) & POLLIN) {
          const { fd } = accept4(this.listenFd, SOCK_CLOEXEC);
          try {
            sendListeners(fd, listeners);
          } finally {
            close(fd);
          }
          return;
        }
        await sleep(POLL_MS);
      }
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    close(this.listenFd);
    rmSync(this.directory, { recursive: true, force: true });
  }
}

function sendListeners(fd: number, listeners: InheritedFd[]): void {
  for (let start = 0; start < listeners.length; start += MAX_FDS_PER_MESSAGE) {
    const batch = listeners.slice(start, start + MAX_FDS_PER_MESSAGE);
    sendFds(fd, batch.map((entry) => entry.fd), JSON.stringify({ names: batch.map((entry) => entry.name) }));
  }
}

/** The successor's side: connects to `path`, receives until the old process closes. */
export async function receiveListeners(path: string, timeoutMs: number): Promise<InheritedFd[]> {
  const fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC);
  const received: InheritedFd[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    connect(fd, { family: 'unix', path });
    for (;;) {
      if (!(pollOne(fd, POLLIN, 0) & POLLIN)) {
        if (Date.now() > deadline) throw new Error(`no listeners arrived on ${path} within ${timeoutMs} ms`);
        await sleep(POLL_MS);
        continue;
      }
      const message = recvFds(fd, MAX_FDS_PER_MESSAGE, 64 * 1024);
      if (message.data.length === 0 && message.fds.length === 0) return received; // end-of-file: all sent
      const { names } = JSON.parse(message.data.toString()) as { names: string[] };
      message.fds.forEach((listenerFd, i) => received.push({ fd: listenerFd, name: names[i] ?? 'unknown' }));
    }
  } catch (error) {
    for (const entry of received) close(entry.fd);
    throw error;
  } finally {
    close(fd);
  }
}

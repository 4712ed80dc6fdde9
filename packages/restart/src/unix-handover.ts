// Handover of the listeners over a unix socket (handover: 'unix'), the other way besides inheritance:
// the old process listens on a socket, the successor connects and receives every listener fd with
// SCM_RIGHTS, their names travelling in the same message. SOCK_SEQPACKET keeps each batch of fds with
// its own list of names.
// The socket has an abstract name (see abstract-socket.ts), not a path in a private directory: a process
// killed mid-handover (SIGKILL, the OOM killer) leaves nothing behind. A socket file would stay for the
// whole of the successor's start-up (0.7 to 1.2 s measured under tsx) before it connects. Since anyone in
// the network namespace may connect to an abstract name, the listeners go only to a peer the kernel says
// (SO_PEERCRED) is the successor itself or one of its descendants; any other connection is closed unanswered.
import { AF_UNIX, POLLIN, SOCK_CLOEXEC, SOCK_NONBLOCK } from './sys/constants.js';
import { close } from './sys/fd.js';
import { isDescendant } from './sys/process.js';
import { MAX_FDS_PER_MESSAGE, recvFds, sendFds } from './sys/scm.js';
import { accept4, connect, listen, peerCredentials, pollOne, socket } from './sys/socket.js';
import { SOCK_SEQPACKET } from './sys/socketpair.js';
import { bindAbstract } from './abstract-socket.js';
import type { InheritedFd } from './env.js';

const POLL_MS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The old process's side: one offer per upgrade, closed when done (an abstract name leaves no file to remove). */
export class ListenerOffer {
  private disposed = false;
  private constructor(
    private readonly listenFd: number,
    /** '@hotrestart-PID-RANDOM', for the successor's HOTRESTART_HANDOVER_SOCKET. */
    readonly path: string,
  ) {}

  static create(): ListenerOffer {
    const fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC);
    try {
      const name = bindAbstract(fd, 'hotrestart');
      listen(fd, 4);
      return new ListenerOffer(fd, name);
    } catch (error) {
      close(fd);
      throw error;
    }
  }

  /**
   * Waits for the successor (`successorPid`, or a process it started) to connect, sends it every listener,
   * then closes the offer. `log` hears of any other process that connected (it gets nothing).
   */
  async serve(listeners: InheritedFd[], successorPid: number, isCancelled: () => boolean, log: (line: string) => void): Promise<void> {
    try {
      while (!isCancelled() && !this.disposed) {
        if (pollOne(this.listenFd, POLLIN, 0) & POLLIN) {
          const { fd } = accept4(this.listenFd, SOCK_CLOEXEC);
          try {
            const peer = peerCredentials(fd);
            if (!isDescendant(peer.pid, successorPid)) {
              log(`pid ${peer.pid} (uid ${peer.uid}) connected to the listener handover, which is for pid ${successorPid}: closed unanswered`);
              continue;
            }
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

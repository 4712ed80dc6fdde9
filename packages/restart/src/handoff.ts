// The handoff channel: a socketpair created at spawn over which the old process sends its idle
// connections (one fd per SCM_RIGHTS message, with the listener name as the message's bytes) to the
// successor. SOCK_SEQPACKET keeps one message one fd.
//
// libuv must never read this socket: it would take the message's bytes and silently drop the fds
// that came with them. So the successor polls the raw fd on a short timer (poll(2) with a zero timeout,
// then recvmsg) and nothing else touches it. End-of-file means the predecessor has closed its end, which
// it does when it has handed over everything, or the kernel does for it when it exits.
import { POLLERR, POLLHUP, POLLIN, SOCK_CLOEXEC, SOCK_NONBLOCK } from './sys/constants.js';
import { close } from './sys/fd.js';
import { recvFds, sendFds } from './sys/scm.js';
import { pollOne } from './sys/socket.js';
import { SOCK_SEQPACKET, socketpair } from './sys/socketpair.js';

export interface HandoffMessage {
  /** The logical name of the listener the connection came from ('http'). */
  server: string;
}

/** One socketpair: the parent keeps parentEnd, the successor inherits childEnd. Both non-blocking. */
export function createHandoffChannel(): { parentEnd: number; childEnd: number } {
  const [parentEnd, childEnd] = socketpair(SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK);
  return { parentEnd, childEnd };
}

export type SendResult = { sent: true } | { sent: false; retry: boolean; reason: string };

/** The old process's end. */
export class HandoffSender {
  private open = true;
  constructor(private readonly fd: number) {}

  /** Sends a duplicate of connectionFd; the caller then closes its own fd (the successor's keeps the connection). */
  send(connectionFd: number, message: HandoffMessage): SendResult {
    if (!this.open) return { sent: false, retry: false, reason: 'the handoff channel is closed' };
    try {
      sendFds(this.fd, [connectionFd], JSON.stringify(message));
      return { sent: true };
    } catch (error) {
      const code = (error as { code?: string }).code;
      // EAGAIN: the successor's receive queue is full; it empties it every few milliseconds.
      if (code === 'EAGAIN') return { sent: false, retry: true, reason: 'the channel is full' };
      return { sent: false, retry: false, reason: (error as Error).message };
    }
  }

  /** Closing is the "nothing more" message: the successor reads end-of-file after the last fd. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    close(this.fd);
  }
}

/** The successor's end. Received fds are close-on-exec (MSG_CMSG_CLOEXEC). */
export class HandoffReceiver {
  private timer: NodeJS.Timeout | undefined;
  private open = true;
  private resolveEnded!: () => void;
  /** Resolves at end-of-file: the predecessor will send nothing more. */
  readonly ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));

  constructor(
    private readonly fd: number,
    private readonly onConnection: (fd: number, message: HandoffMessage) => void,
    private readonly onProblem: (text: string) => void = () => {},
  ) {}

  start(intervalMs = 5): void {
    if (this.timer || !this.open) return;
    this.timer = setInterval(() => this.drainQueue(), intervalMs);
    this.timer.unref();
    this.drainQueue();
  }

  /** Reads every message that is waiting; stops at the first EAGAIN. */
  private drainQueue(): void {
    while (this.open) {
      const events = pollOne(this.fd, POLLIN, 0);
      if (events === 0) return;
      if (!(events & POLLIN)) {
        if (events & (POLLHUP | POLLERR)) this.close();
        return;
      }
      let message;
      try {
        message = recvFds(this.fd, 8, 1024);
      } catch (error) {
        if ((error as { code?: string }).code === 'EAGAIN') return;
        this.onProblem(`reading the handoff channel failed: ${(error as Error).message}`);
        this.close();
        return;
      }
      if (message.data.length === 0 && message.fds.length === 0) {
        this.close();
        return;
      }
      let parsed: HandoffMessage | null = null;
      try {
        parsed = JSON.parse(message.data.toString()) as HandoffMessage;
      } catch {
        this.onProblem(`a handoff message was not understood: ${JSON.stringify(message.data.toString())}`);
      }
      for (const fd of message.fds) {
        if (parsed) this.onConnection(fd, parsed);
        else close(fd);
      }
    }
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.timer);
    close(this.fd);
    this.resolveEnded();
  }
}

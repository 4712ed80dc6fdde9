// What a puppet remembers between requests: which fds belong to the lesson, and the Node servers it runs.
// A puppet is a Node process, so most of its fds are Node's own (epoll, eventfds, signal pipes, the
// control connection). The lesson may only touch its own fds: closing Node's epoll or clearing
// O_NONBLOCK on the control socket would hang the puppet instead of teaching anything.
import { readlinkSync } from 'node:fs';
import type { Server } from 'node:net';

/** A failure the user caused (bad argument, refused fd); `message` is the one sentence to show. */
export class OpError extends Error {
  constructor(message: string, readonly result: Record<string, unknown> = {}) {
    super(message);
    this.name = 'OpError';
  }
}

export class PuppetState {
  /** The control connection's fd, once connected. */
  controlFd = -1;
  /** Node servers this puppet runs (listen serve=http, listen-node), by listening fd. */
  readonly servers = new Map<number, Server>();
  private readonly lessonFds: Set<number>;

  /** inherited: fds the spawner placed here on purpose (besides 0, 1, 2). */
  constructor(readonly name: string, inherited: number[]) {
    this.lessonFds = new Set([0, 1, 2, ...inherited]);
  }

  adopt(fd: number): void {
    this.lessonFds.add(fd);
  }

  forget(fd: number): void {
    this.lessonFds.delete(fd);
  }

  /** Throws unless fd is the lesson's or not open at all (then the kernel answers EBADF itself). */
  assertLessonFd(fd: number): void {
    if (!Number.isInteger(fd) || fd < 0) throw new OpError(`${fd} is not a file descriptor number.`);
    if (this.lessonFds.has(fd)) return;
    if (fd === this.controlFd) throw new OpError(`fd ${fd} is this puppet's control connection to the tutor; the lesson cannot use it.`);
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return; // not open
    }
    throw new OpError(`fd ${fd} (${target}) belongs to Node itself, not to the lesson; using it would break this puppet.`);
  }

  /** Throws when fd is owned by one of this puppet's Node servers (libuv would close it again later). */
  assertNotServerFd(fd: number, instead: string): void {
    if (this.servers.has(fd)) throw new OpError(`fd ${fd} is owned by a Node server in this puppet; ${instead}.`);
  }
}

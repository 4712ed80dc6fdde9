// Unix sockets with an abstract name ('@…', Linux only): no file at all. The name lives exactly as long
// as the socket, and the kernel closes every socket of a process however the process ends, SIGKILL
// included, so nothing is ever left behind. A socket file and its private directory, by contrast, are
// removed only by code that runs, and none runs in a killed process.
// The price: an abstract name has no file permissions; any process of the same network namespace may
// connect or send to it (and can read the name in /proc/net/unix). So its owner checks who is at the
// other end with what the kernel attests and a sender cannot forge: SO_PEERCRED for a connection,
// SCM_CREDENTIALS for a datagram. Accepting only this user (and root, whom a 0700 directory does not
// stop either) is exactly what the private directory used to allow.
import { randomBytes } from 'node:crypto';
import { bind } from './sys/socket.js';

/** Binds `fd` to a fresh abstract name `@prefix-PID-RANDOM` and returns it (retried on the rare collision). */
export function bindAbstract(fd: number, prefix: string): string {
  for (let attempt = 1; ; attempt++) {
    const name = `@${prefix}-${process.pid}-${randomBytes(8).toString('hex')}`;
    try {
      bind(fd, { family: 'unix', path: name });
      return name;
    } catch (error) {
      // Someone holds that name (a squatter who guessed it, or chance): take another.
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}

/** Whether credentials the kernel attested are this user's or root's: who could have entered a 0700 directory of ours. */
export function sameUser(uid: number): boolean {
  return uid === 0 || uid === process.geteuid?.();
}

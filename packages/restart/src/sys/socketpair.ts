// socketpair(2): two connected unix sockets, the usual private channel between a parent and the child it
// spawns (one end stays, the other is inherited). SOCK_SEQPACKET keeps message boundaries, so one
// sendmsg with SCM_RIGHTS arrives as one recvmsg with its fds and its bytes, never merged with the next.
import { check } from './errno.js';
import { cfunc } from './libc.js';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM } from './constants.js';

export const SOCK_SEQPACKET = 5;

const typeNamesLocal: Record<number, string> = { [SOCK_STREAM]: 'SOCK_STREAM', [SOCK_SEQPACKET]: 'SOCK_SEQPACKET' };

/** socketpair(AF_UNIX, type, 0): [one end, the other end]. Add SOCK_CLOEXEC / SOCK_NONBLOCK to `type` as needed. */
export function socketpair(type: number = SOCK_SEQPACKET | SOCK_CLOEXEC): [number, number] {
  const fds = Buffer.alloc(8);
  const flags = [type & SOCK_NONBLOCK ? 'SOCK_NONBLOCK' : '', type & SOCK_CLOEXEC ? 'SOCK_CLOEXEC' : ''].filter(Boolean);
  const base = typeNamesLocal[type & 0xf] ?? String(type & 0xf);
  const call = `socketpair(AF_UNIX, ${[base, ...flags].join('|')}, 0)`;
  check(cfunc('int socketpair(int, int, int, void *)', 'socketpair')(AF_UNIX, type, 0, fds), call);
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

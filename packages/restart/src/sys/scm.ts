// Passing open file descriptions between processes over a unix socket (SCM_RIGHTS), and receiving a
// datagram with its sender's credentials (SCM_CREDENTIALS).
// struct msghdr, iovec and cmsghdr are laid out by hand in memory from koffi.alloc, because the
// kernel follows the pointers inside msghdr. Offsets are those of 64-bit Linux (x86_64, arm64):
//   msghdr  { void *name @0; u32 namelen @8; iovec *iov @16; size_t iovlen @24;
//             void *control @32; size_t controllen @40; int flags @48 }   size 56
//   iovec   { void *base @0; size_t len @8 }                               size 16
//   cmsghdr { size_t len @0; int level @8; int type @12; data @16 }
import { check } from './errno.js';
import { cfunc, requireFfi } from './libc.js';
import { SCM_CREDENTIALS, SCM_RIGHTS, SOL_SOCKET } from './constants.js';

const MSGHDR_SIZE = 56;
const IOVEC_SIZE = 16;
const CMSG_HEADER = 16;
const align8 = (n: number) => (n + 7) & ~7;
/** The most fds one message may carry here; the kernel's own limit is 253 (SCM_MAX_FD). */
export const MAX_FDS_PER_MESSAGE = 64;

interface Scratch {
  msghdr: Buffer;
  iov: Buffer;
  data: Buffer;
  control: Buffer;
  free(): void;
}

function ensureSupported(feature: string): void {
  requireFfi(feature);
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new Error(`${feature} is implemented for 64-bit Linux only, not ${process.platform}/${process.arch}`);
  }
}

/** Allocates C memory for one message and wires the pointers inside msghdr and iovec; controlData is the
 *  room for the ancillary payload (4 bytes per fd, 12 for a struct ucred). */
function scratch(dataLength: number, controlData: number): Scratch {
  const { koffi } = requireFfi('sendmsg/recvmsg');
  const controlLength = CMSG_HEADER + align8(controlData);
  const pointers = [MSGHDR_SIZE, IOVEC_SIZE, Math.max(1, dataLength), controlLength].map((n) => koffi.alloc('uint8', n));
  const [msghdr, iov, data, control] = pointers.map((p, i) => Buffer.from(koffi.view(p, [MSGHDR_SIZE, IOVEC_SIZE, Math.max(1, dataLength), controlLength][i])));
  const address = (i: number) => koffi.address(pointers[i]);
  msghdr.fill(0);
  control.fill(0);
  iov.writeBigUInt64LE(address(2), 0);
  iov.writeBigUInt64LE(BigInt(dataLength), 8);
  msghdr.writeBigUInt64LE(address(1), 16);
  msghdr.writeBigUInt64LE(1n, 24);
  msghdr.writeBigUInt64LE(address(3), 32);
  msghdr.writeBigUInt64LE(BigInt(controlLength), 40);
  return { msghdr, iov, data, control, free: () => pointers.forEach((p) => koffi.free(p)) };
}

/** sendmsg(sock, data + SCM_RIGHTS[fds]). The receiver gets new fds for the same open file descriptions. */
export function sendFds(sock: number, fds: number[], payload: Buffer | string = 'fd'): number {
  ensureSupported('sendmsg with SCM_RIGHTS');
  if (fds.length === 0 || fds.length > MAX_FDS_PER_MESSAGE) throw new RangeError(`can send 1 to ${MAX_FDS_PER_MESSAGE} fds in one message`);
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (bytes.length === 0) throw new RangeError('SCM_RIGHTS needs at least one byte of data to travel with');
  const s = scratch(bytes.length, 4 * fds.length);
  try {
    bytes.copy(s.data);
    s.control.writeBigUInt64LE(BigInt(CMSG_HEADER + 4 * fds.length), 0);
    s.control.writeInt32LE(SOL_SOCKET, 8);
    s.control.writeInt32LE(SCM_RIGHTS, 12);
    fds.forEach((fd, i) => s.control.writeInt32LE(fd, CMSG_HEADER + 4 * i));
    const sendmsg = cfunc('long sendmsg(int, void *, int)', 'sendmsg');
    // MSG_NOSIGNAL (0x4000): a closed peer gives EPIPE instead of killing the process with SIGPIPE.
    return check(sendmsg(sock, s.msghdr, 0x4000), `sendmsg(${sock}, {data=${bytes.length}B, SCM_RIGHTS=[${fds.join(', ')}]}, MSG_NOSIGNAL)`);
  } finally {
    s.free();
  }
}

export interface ReceivedFds {
  fds: number[];
  data: Buffer;
  /** MSG_CTRUNC: the sender passed more fds than there was room for; the extra ones were closed by the kernel. */
  truncated: boolean;
}

/** recvmsg(sock) with room for up to maxFds descriptors; received fds are close-on-exec (MSG_CMSG_CLOEXEC). */
export function recvFds(sock: number, maxFds = 16, maxData = 4096, cloexec = true): ReceivedFds {
  ensureSupported('recvmsg with SCM_RIGHTS');
  const s = scratch(maxData, 4 * maxFds);
  try {
    const recvmsg = cfunc('long recvmsg(int, void *, int)', 'recvmsg');
    const MSG_CMSG_CLOEXEC = 0x40000000;
    const flags = cloexec ? MSG_CMSG_CLOEXEC : 0;
    const n = check(recvmsg(sock, s.msghdr, flags), `recvmsg(${sock}, …, ${cloexec ? 'MSG_CMSG_CLOEXEC' : '0'})`);
    const msgFlags = s.msghdr.readInt32LE(48);
    const controlLength = Number(s.msghdr.readBigUInt64LE(40));
    const fds: number[] = [];
    let offset = 0;
    while (offset + CMSG_HEADER <= controlLength) {
      const length = Number(s.control.readBigUInt64LE(offset));
      if (length < CMSG_HEADER) break;
      const level = s.control.readInt32LE(offset + 8);
      const type = s.control.readInt32LE(offset + 12);
      if (level === SOL_SOCKET && type === SCM_RIGHTS) {
        for (let p = offset + CMSG_HEADER; p + 4 <= offset + length; p += 4) fds.push(s.control.readInt32LE(p));
      }
      offset += align8(length);
    }
    const MSG_CTRUNC = 0x8;
    return { fds, data: Buffer.from(s.data.subarray(0, n)), truncated: (msgFlags & MSG_CTRUNC) !== 0 };
  } finally {
    s.free();
  }
}

/** struct ucred { pid_t pid; uid_t uid; gid_t gid; }: who sent a datagram, or who is at the other end. */
export interface Credentials {
  pid: number;
  uid: number;
  gid: number;
}
const UCRED_SIZE = 12;

export function readCredentials(buffer: Buffer, offset = 0): Credentials {
  return { pid: buffer.readInt32LE(offset), uid: buffer.readUInt32LE(offset + 4), gid: buffer.readUInt32LE(offset + 8) };
}

export interface ReceivedDatagram {
  data: Buffer;
  /** null when the message came without SCM_CREDENTIALS (SO_PASSCRED was not set when it was sent). */
  credentials: Credentials | null;
  /** MSG_TRUNC: the datagram was longer than maxData; the rest is lost. */
  truncated: boolean;
}

/**
 * recvmsg(sock) for one datagram and the sender's credentials. With SO_PASSCRED set on `sock` the kernel
 * attaches an SCM_CREDENTIALS message (struct ucred, 12 bytes) to every datagram, filled in with the real
 * sender unless the sender passed its own, which only CAP_SYS_ADMIN (pid) and CAP_SETUID/CAP_SETGID (uid,
 * gid) may make differ from the truth (unix(7)). This is how systemd tells who wrote to its notification
 * socket (src/core/manager.c, manager_dispatch_notify_fd()).
 */
export function recvWithCredentials(sock: number, maxData = 4096, flags = 0): ReceivedDatagram {
  ensureSupported('recvmsg with SCM_CREDENTIALS');
  const s = scratch(maxData, UCRED_SIZE);
  try {
    const recvmsg = cfunc('long recvmsg(int, void *, int)', 'recvmsg');
    const n = check(recvmsg(sock, s.msghdr, flags), `recvmsg(${sock}, …, ${flags})`);
    const msgFlags = s.msghdr.readInt32LE(48);
    const controlLength = Number(s.msghdr.readBigUInt64LE(40));
    let credentials: Credentials | null = null;
    for (let offset = 0; offset + CMSG_HEADER <= controlLength; ) {
      const length = Number(s.control.readBigUInt64LE(offset));
      if (length < CMSG_HEADER) break;
      if (s.control.readInt32LE(offset + 8) === SOL_SOCKET && s.control.readInt32LE(offset + 12) === SCM_CREDENTIALS && length >= CMSG_HEADER + UCRED_SIZE) {
        credentials = readCredentials(s.control, offset + CMSG_HEADER);
      }
      offset += align8(length);
    }
    const MSG_TRUNC = 0x20;
    return { data: Buffer.from(s.data.subarray(0, Math.min(n, maxData))), credentials, truncated: (msgFlags & MSG_TRUNC) !== 0 };
  } finally {
    s.free();
  }
}

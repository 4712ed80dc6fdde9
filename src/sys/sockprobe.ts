// Allocation-free socket questions for hot loops (the fd table asks them of every socket it shows):
// each writes into a caller's buffer and returns the length, or minus errno where an answer such as
// ENOTCONN is expected rather than exceptional. The throwing versions live in socket.ts.
import { cfunc, requireFfi } from './libc.js';

const lengthBuffer = Buffer.alloc(4);

function negErrno(ret: number): number {
  return ret < 0 ? -requireFfi('socket details').koffi.errno() : ret;
}

/** getsockname (peer = false) or getpeername (peer = true) into `out` (128 bytes is enough). */
export function socketAddressInto(fd: number, peer: boolean, out: Buffer): number {
  lengthBuffer.writeUInt32LE(out.length);
  const fn = peer ? cfunc('int getpeername(int, void *, void *)', 'getpeername') : cfunc('int getsockname(int, void *, void *)', 'getsockname');
  const ret = negErrno(fn(fd, out, lengthBuffer));
  return ret < 0 ? ret : lengthBuffer.readUInt32LE();
}

/** getsockopt into the first `length` bytes of `out`; returns the length the kernel wrote. */
export function sockoptInto(fd: number, level: number, option: number, out: Buffer, length = out.length): number {
  lengthBuffer.writeUInt32LE(length);
  const ret = negErrno(cfunc('int getsockopt(int, int, int, void *, void *)', 'getsockopt')(fd, level, option, out, lengthBuffer));
  return ret < 0 ? ret : lengthBuffer.readUInt32LE();
}

/** send without throwing: bytes sent or minus errno. */
export function sendRaw(fd: number, data: Buffer, flags = 0): number {
  return negErrno(Number(cfunc('long send(int, const void *, size_t, int)', 'send')(fd, data, data.length, flags)));
}

/** recv without throwing: bytes received or minus errno (EAGAIN with MSG_DONTWAIT when nothing is queued). */
export function recvRaw(fd: number, buffer: Buffer, flags = 0): number {
  return negErrno(Number(cfunc('long recv(int, void *, size_t, int)', 'recv')(fd, buffer, buffer.length, flags)));
}

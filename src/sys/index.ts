// The syscall layer: koffi bindings to the C library for what Node does not expose.
export * from './constants.js';
export { SysError, errnoName, errnoMessage } from './errno.js';
export { ffiAvailable, ffiUnavailableReason, FfiUnavailableError, requireFfi } from './libc.js';
export * from './fd.js';
export * from './socket.js';
export * from './sockaddr.js';
export * from './scm.js';
export * from './process.js';
export * from './procdir.js';
export * from './socketpair.js';
export * from './pidfd.js';
export * from './sockprobe.js';

// Numeric constants for the calls in src/sys. Linux values (identical on x86_64 and arm64);
// the demos that use them run on Linux only. File status flags come from Node's fs.constants,
// which are right for whatever platform Node runs on.
import { constants as fsConstants } from 'node:fs';

export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;

export const O_RDONLY = fsConstants.O_RDONLY;
export const O_WRONLY = fsConstants.O_WRONLY;
export const O_RDWR = fsConstants.O_RDWR;
export const O_ACCMODE = 3;
export const O_NONBLOCK = fsConstants.O_NONBLOCK;
export const O_APPEND = fsConstants.O_APPEND;
export const O_CREAT = fsConstants.O_CREAT;
export const O_TRUNC = fsConstants.O_TRUNC;
/** Linux's O_CLOEXEC bit as it appears in /proc/PID/fdinfo `flags:` (octal 02000000). */
export const O_CLOEXEC = 0o2000000;

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ACCEPTCONN = 30;
export const SO_DOMAIN = 39;
export const SO_REUSEPORT = 15;
export const SCM_RIGHTS = 1;
/** SO_PASSCRED: the socket receives an SCM_CREDENTIALS message with each datagram (unix(7)). */
export const SO_PASSCRED = 16;
export const SCM_CREDENTIALS = 2;

export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

export const POLLIN = 0x001;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;

export const PR_SET_PDEATHSIG = 1;
export const PR_GET_PDEATHSIG = 2;
export const PR_SET_CHILD_SUBREAPER = 36;

export const KCMP_FILE = 0;
/** kcmp(2) has no libc wrapper; its syscall number differs per architecture. */
export const SYS_kcmp: Record<string, number> = { x64: 312, arm64: 272 };

export const domainNames: Record<number, string> = { [AF_UNIX]: 'AF_UNIX', [AF_INET]: 'AF_INET', [AF_INET6]: 'AF_INET6', [AF_NETLINK]: 'AF_NETLINK' };
export const typeNames: Record<number, string> = { [SOCK_STREAM]: 'SOCK_STREAM', [SOCK_DGRAM]: 'SOCK_DGRAM', [SOCK_RAW]: 'SOCK_RAW' };

export const SO_PROTOCOL = 38;
export const SO_RCVBUF = 8;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const TCP_INFO = 11;
export const MSG_DONTWAIT = 0x40;

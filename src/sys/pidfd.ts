// pidfd_open(2) and pidfd_getfd(2): a handle on a process, and a copy of one of its fds in this
// process. The copy refers to the same open file description (like an fd passed with SCM_RIGHTS),
// so socket calls on it answer about the target's socket. pidfd_getfd needs ptrace-attach rights
// over the target (same user and not restricted, or CAP_SYS_PTRACE); callers keep a fallback.
import { check } from './errno.js';
import { cfunc } from './libc.js';

// Both syscalls are newer than the per-architecture tables: one number everywhere (Linux 5.3 / 5.6).
const SYS_pidfd_open = 434;
const SYS_pidfd_getfd = 438;

/** True where the two syscalls can exist (Linux); the kernel may still answer ENOSYS. */
export function pidfdSupported(): boolean {
  return process.platform === 'linux';
}

export function pidfdOpen(pid: number): number {
  // glibc's syscall() only moves registers, so a fixed prototype is safe on x86_64 and arm64.
  const syscall = cfunc('long syscall(long, int, uint)', 'pidfd_open');
  return check(syscall(SYS_pidfd_open, pid, 0), () => `pidfd_open(${pid}, 0)`);
}

/** A new fd in this process (close-on-exec) for the target's fd `targetFd`. */
export function pidfdGetfd(pidfd: number, targetFd: number): number {
  const syscall = cfunc('long syscall(long, int, int, uint)', 'pidfd_getfd');
  return check(syscall(SYS_pidfd_getfd, pidfd, targetFd, 0), () => `pidfd_getfd(${pidfd}, ${targetFd}, 0)`);
}

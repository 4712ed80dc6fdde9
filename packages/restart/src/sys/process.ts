// Process-level calls: parent-death signal, child subreaper, getppid.
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { check } from './errno.js';
import { cfunc } from './libc.js';
import { PR_GET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG } from './constants.js';

function prctl(option: number, arg: number, call: string): number {
  const fn = cfunc('int prctl(int, ...)', 'prctl');
  return check(fn(option, 'ulong', arg, 'ulong', 0, 'ulong', 0, 'ulong', 0), call);
}

/** Asks the kernel to send `signal` to this process when the thread that forked it exits. Linux only. */
export function setParentDeathSignal(signal: NodeJS.Signals | number): void {
  const number = typeof signal === 'number' ? signal : constants.signals[signal];
  prctl(PR_SET_PDEATHSIG, number, `prctl(PR_SET_PDEATHSIG, ${signal})`);
}

export function getParentDeathSignal(): number {
  const out = Buffer.alloc(4);
  const fn = cfunc('int prctl(int, ...)', 'prctl');
  check(fn(PR_GET_PDEATHSIG, 'void *', out, 'ulong', 0, 'ulong', 0, 'ulong', 0), 'prctl(PR_GET_PDEATHSIG)');
  return out.readInt32LE();
}

/** Orphaned descendants are re-parented to this process instead of init. Linux only. */
export function setChildSubreaper(on = true): void {
  prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, `prctl(PR_SET_CHILD_SUBREAPER, ${on ? 1 : 0})`);
}

export function getppid(): number {
  return cfunc('int getppid()', 'getppid')();
}

const P_ALL = 0;
const WNOHANG = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const CLD_EXITED = 1;
/** sizeof(siginfo_t); si_code at 8, si_pid at 16 and si_status at 24 on x86_64 and arm64 Linux. */
const SIGINFO_SIZE = 128;

export type ChildPeek = { state: 'none' } | { state: 'running' } | { state: 'exited'; pid: number; code: number | null; signal: number | null };

/**
 * waitid(P_ALL, WEXITED | WNOHANG | WNOWAIT): whether this process has children at all ('none' is
 * ECHILD), and one that has exited, left waitable (WNOWAIT), so that a child libuv spawned can still be
 * reaped by libuv, while the caller reaps the others with reapChild().
 */
export function peekExitedChild(): ChildPeek {
  const info = Buffer.alloc(SIGINFO_SIZE);
  const result = cfunc('int waitid(int, uint32, void *, int)', 'waitid')(P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT);
  if (result === -1) {
    try {
      check(result, 'waitid(P_ALL, 0, …, WEXITED|WNOHANG|WNOWAIT)');
    } catch (error) {
      if ((error as { code?: string }).code === 'ECHILD') return { state: 'none' };
      throw error;
    }
  }
  const pid = info.readInt32LE(16);
  if (pid === 0) return { state: 'running' };
  const exited = info.readInt32LE(8) === CLD_EXITED;
  const status = info.readInt32LE(24);
  return { state: 'exited', pid, code: exited ? status : null, signal: exited ? null : status };
}

/** This process's children, from every thread's /proc/self/task/TID/children (a loader thread forks too). */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      pids.push(...readFileSync(`/proc/self/task/${tid}/children`, 'latin1').split(' ').filter(Boolean).map(Number));
    } catch {
      // the thread ended meanwhile
    }
  }
  return pids;
}

/** The parent of `pid` from /proc/PID/stat, or null when it is gone. */
export function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Whether `pid` is `ancestor` or one of its descendants now (following the parents in /proc). */
export function isDescendant(pid: number, ancestor = process.pid): boolean {
  for (let current: number | null = pid, steps = 0; current !== null && current > 0 && steps < 4096; steps++) {
    if (current === ancestor) return true;
    current = parentOf(current);
  }
  return false;
}

/** waitpid(pid, WNOHANG): reaps a child that has exited (its zombie goes away). */
export function reapChild(pid: number): void {
  check(cfunc('int waitpid(int, void *, int)', 'waitpid')(pid, null, WNOHANG), `waitpid(${pid}, NULL, WNOHANG)`);
}

const RLIMIT_NOFILE = 7;

/** Raises this process's open-fd limit (soft and hard) to at least `count`; root may go past the hard limit. */
export function raiseFdLimit(count: number): void {
  const limit = Buffer.alloc(16); // struct rlimit { rlim_t cur, max; }
  check(cfunc('int getrlimit(int, void *)', 'setrlimit')(RLIMIT_NOFILE, limit), 'getrlimit(RLIMIT_NOFILE)');
  const max = limit.readBigUInt64LE(8);
  const wanted = BigInt(count);
  limit.writeBigUInt64LE(wanted > max ? wanted : max, 8);
  limit.writeBigUInt64LE(wanted > max ? wanted : max, 0);
  check(cfunc('int setrlimit(int, const void *)', 'setrlimit')(RLIMIT_NOFILE, limit), `setrlimit(RLIMIT_NOFILE, {${count}, ${count}})`);
}

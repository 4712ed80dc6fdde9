// Which threads of a process are asleep inside a given kernel call, read from /proc/PID/task/TID:
// `wchan` names the kernel function a sleeping thread waits in (inet_csk_accept for accept(2) on a
// TCP listener); `syscall` gives the number of the system call it is in, for kernels that hide wchan.
import { readdirSync, readFileSync } from 'node:fs';

export interface KernelWait {
  /** Kernel function, e.g. "inet_csk_accept". */
  wchan: string;
  /** System call numbers by process.arch, e.g. accept4 = { x64: 288, arm64: 242 }. */
  syscall?: Partial<Record<string, number>>;
}

export const ACCEPT_WAIT: KernelWait = { wchan: 'inet_csk_accept', syscall: { x64: 288, arm64: 242 } };

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1').trim();
  } catch {
    return undefined;
  }
}

/** Thread ids of pid sleeping in `wait` (empty when the process is gone or its threads are unreadable). */
export function threadsWaitingIn(pid: number, wait: KernelWait): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const number = wait.syscall?.[process.arch];
  return tids
    .filter((tid) => {
      const wchan = read(`/proc/${pid}/task/${tid}/wchan`);
      if (wchan && wchan !== '0') return wchan === wait.wchan;
      // wchan hidden (prints 0): fall back to the system call the thread is in.
      return number !== undefined && read(`/proc/${pid}/task/${tid}/syscall`)?.split(' ')[0] === String(number);
    })
    .map(Number);
}

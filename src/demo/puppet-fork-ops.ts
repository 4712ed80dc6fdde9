// The ffi-fork op: libc fork() called from JavaScript through koffi, which Node deliberately offers no
// API for. Only the calling thread is copied, and V8 marks its heap MADV_DONTFORK, so the child wakes
// up in an address space without the JS heap it is about to return into: on Linux it dies by SIGSEGV
// at once (FACTS 8). The op reports how the child ended, as waitpid(2) tells it.
import { constants } from 'node:os';
import { check } from '../sys/errno.js';
import { cfunc } from '../sys/libc.js';
import type { OpTable } from './puppet-op.js';
import { OpError } from './puppet-state.js';

const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const WNOHANG = 1;
/** What a child that survived its own fork exits with (it must never run the parent's code on). */
export const FORK_CHILD_SURVIVED = 99;
const MAX_WAIT_MS = 10_000;

const signalNames = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

function prctl(option: number, arg: number): number {
  return check(cfunc('int prctl(int, ...)', 'prctl')(option, 'ulong', arg, 'ulong', 0, 'ulong', 0, 'ulong', 0), `prctl(${option})`);
}

/** How a wait status reads in strace: `[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV}]`. */
function statusText(status: number): string {
  const signal = status & 0x7f;
  if (signal === 0) return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${(status >> 8) & 0xff}}]`;
  const core = status & 0x80 ? ' && WCOREDUMP(s)' : '';
  return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${signalNames.get(signal) ?? signal}${core}}]`;
}

export const forkOps: OpTable<'ffi-fork'> = {
  async 'ffi-fork'({ timeoutMs = 2000 }, { trace }) {
    const wait = Math.min(Math.max(0, Math.trunc(timeoutMs)), MAX_WAIT_MS);
    // Declared before fork: the child must not need anything new from the JS heap to reach _exit.
    const fork = cfunc('int fork()', 'fork');
    const waitpid = cfunc('int waitpid(int, _Out_ int *, int)', 'waitpid');
    const exitNow = cfunc('void _exit(int)', '_exit');
    const kill = cfunc('int kill(int, int)', 'kill');

    // A crash is the expected outcome; without this a system crash handler (systemd-coredump, apport)
    // would record a core dump of the whole Node heap for every run of the lesson.
    const dumpable = prctl(PR_GET_DUMPABLE, 0);
    trace.call('prctl(PR_SET_DUMPABLE, 0)', () => prctl(PR_SET_DUMPABLE, 0));
    let pid: number;
    try {
      pid = trace.call('fork()', () => check(fork(), 'fork()'));
      // Only the child sees 0. If it ever gets here alive, it leaves before touching shared state
      // (the control socket, the servers) that belongs to the parent.
      if (pid === 0) exitNow(FORK_CHILD_SURVIVED);
    } finally {
      trace.call(`prctl(PR_SET_DUMPABLE, ${dumpable})`, () => prctl(PR_SET_DUMPABLE, dumpable));
    }

    // Poll with WNOHANG so the puppet's event loop keeps running; only the reaping call is logged.
    const status = [0];
    const deadline = Date.now() + wait;
    let reaped = 0;
    while ((reaped = check(waitpid(pid, status, WNOHANG), `waitpid(${pid})`)) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (reaped === 0) {
      trace.call(`kill(${pid}, SIGKILL)`, () => check(kill(pid, constants.signals.SIGKILL), `kill(${pid})`));
      check(waitpid(pid, status, 0), `waitpid(${pid})`);
      trace.note(`waitpid(${pid}, ${statusText(status[0])}, 0) = ${pid}`);
      throw new OpError(`the forked child (pid ${pid}) was still alive after ${wait} ms; it was killed.`, { pid, alive: true });
    }
    trace.note(`waitpid(${pid}, ${statusText(status[0])}, WNOHANG) = ${pid}`);
    const signalNumber = status[0] & 0x7f;
    const signal = signalNumber === 0 ? null : signalNames.get(signalNumber) ?? String(signalNumber);
    if (signal) trace.note(`[pid ${pid}] +++ killed by ${signal}${status[0] & 0x80 ? ' (core dumped)' : ''} +++`);
    else trace.note(`[pid ${pid}] +++ exited with ${(status[0] >> 8) & 0xff} +++`);
    return { pid, signal, exitCode: signal ? null : (status[0] >> 8) & 0xff, coreDumped: (status[0] & 0x80) !== 0 };
  },
};

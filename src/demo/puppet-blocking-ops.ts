// A call that really blocks: accept4 with no poll(2) first, the way a goroutine calls accept(2) once Go's
// File()/Fd() has put its listener into blocking mode. The call runs on a helper thread (koffi's
// asynchronous call, on libuv's thread pool), so the puppet keeps answering requests while that thread
// sleeps in the kernel, and a lesson can close the fd from the main thread and watch nothing happen.
//
// Bounded twice: one such call per puppet at a time, and SO_RCVTIMEO on the listener (Linux's accept
// honours it), so the thread gives up by itself. A puppet whose helper thread is still asleep cannot exit
// cleanly (libuv joins its pool threads at exit); the supervisor's SIGKILL ends it all the same.
import * as sys from '../sys/index.js';
import { check } from '../sys/errno.js';
import { cfunc, requireFfi } from '../sys/libc.js';
// A /proc reader with no other dependencies; the lesson's expectation reads the same thing from outside.
import { ACCEPT_WAIT, threadsWaitingIn } from '../sys/threads.js';
import type { AcceptOutcome } from './protocol.js';
import type { OpTable } from './puppet-op.js';
import { OpError, type PuppetState } from './puppet-state.js';
import { addrText, openFlagsText } from './trace.js';

const SO_RCVTIMEO = 20; // Linux, 64-bit: struct timeval { long tv_sec; long tv_usec; }
const MAX_WAIT_MS = 10_000;
const MAX_GIVE_UP_S = 600;
/** How long accept-blocking waits for the call to either return (it does at once with O_NONBLOCK) or be
 *  seen asleep in the kernel, so that a lesson closing the fd next really closes it under a sleeping call. */
const SETTLE_MS = 2000;

type Outcome = { fd: number; peer: sys.SockAddr; at: number } | { errno: number; at: number };

interface PendingAccept {
  fd: number;
  startedAt: number;
  /** Set by the helper thread's completion; the promise resolves at the same moment. */
  outcome?: Outcome;
  done: Promise<Outcome>;
}

/** One per puppet process: the accept4 a helper thread is making, if any. */
let pending: PendingAccept | undefined;

interface AsyncCall {
  async(...args: unknown[]): void;
}

function startAccept(fd: number, state: PuppetState): PendingAccept {
  const { koffi } = requireFfi('a blocking accept');
  const accept4 = cfunc('int accept4(int, void *, void *, int)', 'accept4') as unknown as AsyncCall;
  const address = Buffer.alloc(sys.SOCKADDR_STORAGE_SIZE);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(sys.SOCKADDR_STORAGE_SIZE);
  let finish: (outcome: Outcome) => void = () => {};
  const record: PendingAccept = { fd, startedAt: performance.now(), done: new Promise<Outcome>((resolve) => (finish = resolve)) };
  // The buffers stay referenced by this closure until the call completes, so the GC cannot take them mid-call.
  accept4.async(fd, address, length, sys.SOCK_CLOEXEC, (error: unknown, result: number) => {
    const at = performance.now();
    // koffi hands the helper thread's errno to the completion callback.
    const outcome: Outcome = error || result < 0
      ? { errno: error ? 0 : koffi.errno(), at }
      : { fd: result, peer: sys.decodeSockAddr(address, length.readUInt32LE()), at };
    if ('fd' in outcome) state.adopt(outcome.fd);
    record.outcome = outcome;
    finish(outcome);
  });
  return record;
}

function within(promise: Promise<Outcome>, ms: number): Promise<Outcome | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits until the call has returned (its outcome) or one of our threads sleeps in the kernel's accept
 *  (undefined), read from /proc/self/task; gives up waiting after SETTLE_MS. */
async function settled(record: PendingAccept): Promise<Outcome | undefined> {
  const deadline = performance.now() + SETTLE_MS;
  for (;;) {
    const outcome = await within(record.done, 20);
    if (outcome || threadsWaitingIn(process.pid, ACCEPT_WAIT).length > 0 || performance.now() > deadline) return outcome;
  }
}

/** The end of an accept4 line, after the fd: `{peer}, SOCK_CLOEXEC) = 7` or `…, SOCK_CLOEXEC) = -1 EAGAIN (...)`. */
function resultText(outcome: Outcome): string {
  if ('fd' in outcome) return `{${addrText(outcome.peer)}}, SOCK_CLOEXEC) = ${outcome.fd}`;
  if (outcome.errno === 0) return '…, SOCK_CLOEXEC) = -1 (koffi could not make the call)';
  return `…, SOCK_CLOEXEC) = -1 ${sys.errnoName(outcome.errno)} (${sys.errnoMessage(outcome.errno)})`;
}

function report(record: PendingAccept, outcome: Outcome): AcceptOutcome {
  const afterMs = Math.round(outcome.at - record.startedAt);
  if ('fd' in outcome) return { pending: false, listener: record.fd, fd: outcome.fd, peer: sys.formatSockAddr(outcome.peer), afterMs };
  return { pending: false, listener: record.fd, errno: outcome.errno ? sys.errnoName(outcome.errno) : 'unknown', afterMs };
}

export const blockingOps: OpTable<'accept-blocking' | 'accept-result'> = {
  async 'accept-blocking'({ fd, giveUpAfterS = 300 }, { trace, state }) {
    state.assertLessonFd(fd);
    if (pending) throw new OpError(`an accept4 on fd ${pending.fd} is already waiting on the helper thread; ask for accept-result first.`);
    if (!Number.isInteger(giveUpAfterS) || giveUpAfterS < 1 || giveUpAfterS > MAX_GIVE_UP_S) {
      throw new OpError(`giveUpAfterS is a whole number of seconds from 1 to ${MAX_GIVE_UP_S}, not ${giveUpAfterS}.`);
    }
    trace.call(`fcntl(${fd}, F_GETFL)`, () => sys.fcntl(fd, sys.F_GETFL), (flags) => `0x${flags.toString(16)} (flags ${openFlagsText(flags)})`);
    const timeval = Buffer.alloc(16);
    timeval.writeBigInt64LE(BigInt(giveUpAfterS), 0);
    const setText = `setsockopt(${fd}, SOL_SOCKET, SO_RCVTIMEO, {tv_sec=${giveUpAfterS}, tv_usec=0}, 16)`;
    const setsockopt = cfunc('int setsockopt(int, int, int, const void *, uint32)', 'setsockopt');
    trace.call(setText, () => void check(setsockopt(fd, sys.SOL_SOCKET, SO_RCVTIMEO, timeval, 16), setText));

    const record = startAccept(fd, state);
    const outcome = await settled(record);
    if (outcome) {
      // It returned at once (O_NONBLOCK, or a connection was already queued): an ordinary call.
      trace.note(`[helper thread] accept4(${fd}, ${resultText(outcome)}`);
      return report(record, outcome);
    }
    pending = record;
    trace.note(`[helper thread] accept4(${fd}, …, SOCK_CLOEXEC <unfinished ...>`);
    return { pending: true, listener: fd };
  },

  async 'accept-result'({ timeoutMs = 1000 }, { trace }) {
    const record = pending;
    if (!record) throw new OpError('no accept4 is waiting on a helper thread; start one with accept-blocking.');
    const wait = Math.min(Math.max(0, Math.trunc(timeoutMs)), MAX_WAIT_MS);
    const outcome = record.outcome ?? (await within(record.done, wait));
    if (!outcome) {
      const blockedMs = Math.round(performance.now() - record.startedAt);
      trace.note(`(accept4(${record.fd}) on the helper thread has not returned after ${blockedMs} ms: still asleep in the kernel)`);
      return { pending: true, listener: record.fd, blockedMs };
    }
    pending = undefined;
    // strace's way of showing a call that finished on another line than it started.
    trace.note(`[helper thread] <... accept4 resumed>${resultText(outcome)}`);
    return report(record, outcome);
  },
};

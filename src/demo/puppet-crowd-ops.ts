// Many clients from one puppet: connect N loopback sockets to a port, and later ask each of them what the
// kernel has to say (data, end of file, ECONNRESET, nothing yet). Lessons count how a port's connections
// are split between SO_REUSEPORT listeners, and how many are reset when one of them closes.
// The log shows the first call in full and the first call of each outcome, then one labelled summary line:
// hundreds of identical lines would bury the story.
import * as sys from '../sys/index.js';
import { assertPort, loopbackAddress, type OpContext, type OpTable } from './puppet-op.js';
import { OpError } from './puppet-state.js';
import { addrText, domainText, socketTypeText } from './trace.js';

const MAX_SOCKETS = 1000;
const MAX_WAIT_MS = 10_000;
const SO_ERROR = 4;
const MSG_DONTWAIT = 0x40;
const CLIENT = sys.SOCK_STREAM | sys.SOCK_CLOEXEC | sys.SOCK_NONBLOCK;

function assertCount(count: unknown, what: string): number {
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > MAX_SOCKETS) {
    throw new OpError(`${what} is 1 to ${MAX_SOCKETS}, not ${String(count)}.`);
  }
  return count as number;
}

function tally(counts: Record<string, number>): string {
  return Object.entries(counts).map(([outcome, n]) => `${n} ${outcome}`).join(', ');
}

/**
 * One non-blocking connect, finished with poll(2) and SO_ERROR. Returns the outcome's name: 'connected',
 * an errno name, or 'no answer' when the listener dropped the SYN (its accept queue is full). Logs its
 * calls only when `trace` is given (the first socket).
 */
function connectOne(fd: number, addr: sys.SockAddr, waitMs: number, trace: OpContext['trace'] | undefined): string {
  const text = `connect(${fd}, ${addrText(addr)})`;
  try {
    sys.connect(fd, addr);
    trace?.note(`${text} = 0`);
    return 'connected';
  } catch (error) {
    if (!(error instanceof sys.SysError)) throw error;
    trace?.failed(text, error);
    if (error.code !== 'EINPROGRESS') return error.code;
  }
  const events = sys.pollOne(fd, sys.POLLOUT, waitMs);
  trace?.note(events === 0 ? `poll([{fd=${fd}, events=POLLOUT}], 1, ${waitMs}) = 0 (Timeout)` : `poll([{fd=${fd}, events=POLLOUT}], 1, ${waitMs}) = 1`);
  if (events === 0) return 'no answer';
  const errno = sys.getsockoptInt(fd, sys.SOL_SOCKET, SO_ERROR);
  trace?.note(`getsockopt(${fd}, SOL_SOCKET, SO_ERROR, [${errno ? sys.errnoName(errno) : 0}], [4]) = 0`);
  return errno === 0 ? 'connected' : sys.errnoName(errno);
}

export const crowdOps: OpTable<'connect-many' | 'recv-many'> = {
  'connect-many'({ port, count, address, timeoutMs = 1000 }, context) {
    const { trace, state } = context;
    const total = assertCount(count, 'count');
    const addr = loopbackAddress(address, assertPort(port));
    const domain = addr.family === 'inet6' ? sys.AF_INET6 : sys.AF_INET;
    const waitMs = Math.min(Math.max(0, Math.trunc(timeoutMs)), MAX_WAIT_MS);
    const deadline = Date.now() + MAX_WAIT_MS;
    const fds: number[] = [];
    const counts: Record<string, number> = {};
    for (let i = 0; i < total; i++) {
      const first = i === 0 ? trace : undefined;
      const socketText = `socket(${domainText(domain)}, ${socketTypeText(CLIENT)}, 0)`;
      const fd = first ? trace.call(socketText, () => sys.socket(domain, CLIENT, 0)) : sys.socket(domain, CLIENT, 0);
      state.adopt(fd);
      const outcome = connectOne(fd, addr, Math.max(0, Math.min(waitMs, deadline - Date.now())), first);
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      if (outcome === 'connected') {
        fds.push(fd);
        continue;
      }
      sys.close(fd);
      state.forget(fd);
      // A full queue drops every further SYN too: stop instead of waiting once per socket.
      if (outcome === 'no answer' || Date.now() >= deadline) break;
    }
    const made = Object.values(counts).reduce((sum, n) => sum + n, 0);
    trace.note(`(… socket() + connect() ${made} times in all: ${tally(counts)}${made < total ? `; stopped early, ${total - made} not tried` : ''}; failed sockets closed)`);
    return { fds, connected: fds.length, counts };
  },

  /** recv(fd, 1 byte, MSG_DONTWAIT) on each fd: what a client would read now, without waiting. Answers the
   *  count and the fds of each outcome (a reset is reported once; later reads of that fd see EOF). */
  'recv-many'({ fds }, { trace, state }) {
    if (!Array.isArray(fds)) throw new OpError('recv-many needs a list of fds.');
    assertCount(fds.length, 'the number of fds');
    fds.forEach((fd) => state.assertLessonFd(fd));
    const counts: Record<string, number> = {};
    const fdsBy: Record<string, number[]> = {};
    const buffer = Buffer.alloc(1);
    for (const fd of fds) {
      const text = `recv(${fd}, …, 1, MSG_DONTWAIT)`;
      let outcome: string;
      let line: string;
      try {
        const n = sys.recv(fd, buffer, MSG_DONTWAIT);
        outcome = n === 0 ? 'EOF' : 'data';
        line = `${text} = ${n}`;
      } catch (error) {
        if (!(error instanceof sys.SysError)) throw error;
        outcome = error.code;
        line = `${text} = -1 ${error.code} (${error.description})`;
      }
      // The first call of each outcome, as made; the rest are counted in the summary.
      if (counts[outcome] === undefined) trace.note(line);
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      (fdsBy[outcome] ??= []).push(fd);
    }
    trace.note(`(… recv() on ${fds.length} fds in all: ${tally(counts)})`);
    return { counts, fds: fdsBy, total: fds.length };
  },
};

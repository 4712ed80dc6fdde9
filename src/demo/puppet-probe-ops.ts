// The probe op: what a process does with an fd it was handed before trusting it. Four questions, each a
// real call logged as made: which family (SO_DOMAIN), which type (SO_TYPE), listening or not
// (SO_ACCEPTCONN), bound where (getsockname), connected to whom (getpeername). ENOTSOCK on the first
// call means "not a socket at all", an answer rather than a failure; so is ENOTCONN on the last.
import * as sys from '../sys/index.js';
import type { OpTable } from './puppet-op.js';
import type { Trace } from './trace.js';
import { addrText } from './trace.js';

/** One call whose failure with `tolerated` is an answer: logged as strace would, then undefined. */
function answer<T>(trace: Trace, text: string, call: () => T, show: (value: T) => string, tolerated: string): T | undefined {
  try {
    return trace.callWith(text, call, show);
  } catch (error) {
    if (error instanceof sys.SysError && error.code === tolerated) return undefined;
    throw error;
  }
}

function option(trace: Trace, fd: number, name: string, value: number, show: (value: number) => string, tolerated = 'none'): number | undefined {
  const text = `getsockopt(${fd}, SOL_SOCKET, ${name})`;
  return answer(trace, text, () => sys.getsockoptInt(fd, sys.SOL_SOCKET, value), (v) => `getsockopt(${fd}, SOL_SOCKET, ${name}, [${show(v)}], [4]) = 0`, tolerated);
}

export const probeOps: OpTable<'probe'> = {
  probe({ fd }, { trace, state }) {
    state.assertLessonFd(fd);
    const domain = option(trace, fd, 'SO_DOMAIN', sys.SO_DOMAIN, (v) => sys.domainNames[v] ?? String(v), 'ENOTSOCK');
    if (domain === undefined) return { fd, socket: false };
    const type = option(trace, fd, 'SO_TYPE', sys.SO_TYPE, (v) => sys.typeNames[v] ?? String(v))!;
    const acceptConn = option(trace, fd, 'SO_ACCEPTCONN', sys.SO_ACCEPTCONN, String)! === 1;
    const local = trace.callWith(`getsockname(${fd})`, () => sys.getsockname(fd), (addr) => `getsockname(${fd}, {${addrText(addr)}}) = 0`);
    const peer = answer(trace, `getpeername(${fd}, …)`, () => sys.getpeername(fd), (addr) => `getpeername(${fd}, {${addrText(addr)}}) = 0`, 'ENOTCONN');
    return {
      fd,
      socket: true,
      domain: sys.domainNames[domain] ?? String(domain),
      type: sys.typeNames[type] ?? String(type),
      acceptConn,
      local: sys.formatSockAddr(local),
      peer: peer ? sys.formatSockAddr(peer) : null,
    };
  },
};

// Small helpers lessons share for their expectations: what is listening on a port (system-wide,
// whoever holds it), which rows share a description, counting rows. They read the kernel, never a
// lesson's own bookkeeping, so an expectation can fail when the machine behaves differently.
import { readSocketsSockDiag } from '../fdtable/sockdiag.js';
import { readSocketsProcfs } from '../fdtable/procnet.js';
import type { SocketEntry } from '../fdtable/sockets.js';
import type { FdRow } from '../fdtable/model.js';
import { ffiAvailable } from '../sys/index.js';
import type { CheckResult } from './types.js';

function allSockets(): SocketEntry[] {
  try {
    if (ffiAvailable()) return [...readSocketsSockDiag().values()];
  } catch {
    /* fall through */
  }
  return [...readSocketsProcfs().values()];
}

/** The LISTEN sockets on 127.0.0.1:port, whoever holds them (several with SO_REUSEPORT). */
export function listenersOn(port: number, address = '127.0.0.1'): SocketEntry[] {
  return allSockets().filter((s) => s.state === 'LISTEN' && s.local === `${address}:${port}`);
}

/** Sockets connected to 127.0.0.1:port from the client side, by state. */
export function clientsOf(port: number, address = '127.0.0.1'): SocketEntry[] {
  return allSockets().filter((s) => s.remote === `${address}:${port}`);
}

export function sameDescription(a: FdRow | undefined, b: FdRow | undefined): CheckResult {
  if (!a || !b) return { ok: false, detail: 'fd not found' };
  return { ok: a.description !== '?' && a.description === b.description, detail: `DESC ${a.description} / ${b.description}` };
}

export function queueText(row: FdRow | undefined): string {
  if (!row?.socket) return 'no socket';
  return `${row.socket.acceptQueue ?? '?'}/${row.socket.backlog ?? '?'}`;
}

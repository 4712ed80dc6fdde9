// Small /proc readers for lesson expectations beyond fd tables: a process's parent and thread count,
// the mappings it marked do-not-copy-on-fork, the kernel's TCP counters, TIME_WAIT leftovers on a
// port. Linux only; each returns undefined (or 0 rows) when the file cannot be read, so a check fails
// with a detail instead of throwing.
import { readFileSync } from 'node:fs';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** A numeric field of /proc/PID/status (`Threads`, `PPid`, `Tgid`, ...). */
export function statusField(pid: number, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) : undefined;
}

export const threadCount = (pid: number) => statusField(pid, 'Threads');
export const parentPid = (pid: number) => statusField(pid, 'PPid');

export interface DontForkMappings {
  /** Mappings whose VmFlags include `dc` (madvise MADV_DONTFORK): a forked child gets none of them. */
  count: number;
  /** Their total size (virtual, reserved address space included). */
  kB: number;
}

/** The mappings of pid that fork(2) will not copy, from /proc/PID/smaps. */
export function dontForkMappings(pid: number): DontForkMappings | undefined {
  const smaps = read(`/proc/${pid}/smaps`);
  if (smaps === undefined) return undefined;
  let count = 0;
  let kB = 0;
  let size = 0;
  for (const line of smaps.split('\n')) {
    const sized = /^Size:\s+(\d+) kB/.exec(line);
    if (sized) size = Number(sized[1]);
    else if (line.startsWith('VmFlags:') && line.slice(8).trim().split(/\s+/).includes('dc')) {
      count++;
      kB += size;
    }
  }
  return { count, kB };
}

/** The `Tcp:` counters of /proc/net/snmp (RFC 1213 names: ActiveOpens, AttemptFails, EstabResets, OutRsts, ...),
 *  for this network namespace as a whole. */
export function tcpCounters(): Record<string, number> {
  const lines = (read('/proc/net/snmp') ?? '').split('\n').filter((line) => line.startsWith('Tcp:'));
  if (lines.length < 2) return {};
  const names = lines[0].split(/\s+/).slice(1);
  const values = lines[1].split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((name, i) => [name, values[i]]));
}

const TCP_TIME_WAIT = '06';

/** Connections in TIME_WAIT whose local end is address:port (IPv4). They have no fd, so no fd table shows them. */
export function timeWaitOn(port: number, address = '127.0.0.1'): number {
  const hexAddress = address.split('.').map(Number).reverse().map((byte) => byte.toString(16).padStart(2, '0')).join('').toUpperCase();
  const local = `${hexAddress}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let count = 0;
  for (const line of (read('/proc/net/tcp') ?? '').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[3] === TCP_TIME_WAIT) count++;
  }
  return count;
}

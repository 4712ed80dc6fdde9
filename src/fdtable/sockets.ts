// What the fd table needs to know about a socket, indexed by socket inode. Filled by sock_diag
// (netlink) when it works, else by /proc/net/* text tables.

export type SocketProtocol = 'TCP' | 'TCP6' | 'UDP' | 'UDP6' | 'UNIX';

export interface SocketEntry {
  protocol: SocketProtocol;
  inode: number;
  state: string;
  local: string;
  remote: string | null;
  /** LISTEN: connections waiting in the accept queue. Otherwise: bytes (TCP/UDP) waiting to be read. */
  rqueue: number;
  /** LISTEN: the backlog limit, or null when the source cannot tell (/proc/net/tcp). Otherwise bytes unsent/unacked. */
  wqueue: number | null;
  peerInode: number | null;
  /** UNIX: SOCK_STREAM / SOCK_DGRAM / SOCK_SEQPACKET. */
  unixType?: string;
}

export type SocketIndex = Map<number, SocketEntry>;

export const tcpStates = [
  '', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT',
  'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV',
];

/** UNIX sockets reuse TCP state numbers: 1 connected, 7 unconnected, 10 listening. */
export function unixState(state: number): string {
  if (state === 1) return 'CONNECTED';
  if (state === 10) return 'LISTEN';
  if (state === 7) return 'UNCONNECTED';
  return tcpStates[state] ?? String(state);
}

export const unixTypes: Record<number, string> = { 1: 'STREAM', 2: 'DGRAM', 5: 'SEQPACKET' };

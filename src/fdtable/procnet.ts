// Socket details from /proc/net/{tcp,tcp6,udp,udp6,unix}: the fallback when netlink is not usable.
// It cannot show a listener's backlog limit (tx_queue is always 0 on LISTEN lines) nor unix peers.
import { readFileSync } from 'node:fs';
import { tcpStates, unixTypes, type SocketIndex, type SocketProtocol } from './sockets.js';
import { bytesToIpv6 } from '../sys/sockaddr.js';

/** "0100007F:1F90" -> "127.0.0.1:8080"; addresses are printed as host-order 32-bit words. */
export function decodeProcAddress(text: string): string {
  const [hex, portHex] = text.split(':');
  const port = parseInt(portHex, 16);
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => bytes.writeUInt32LE(parseInt(w, 16) >>> 0, i * 4));
  return words.length === 1 ? `${[...bytes].join('.')}:${port}` : `[${bytesToIpv6(bytes)}]:${port}`;
}

export function parseProcNetInet(text: string, protocol: SocketProtocol, index: SocketIndex): void {
  const isUdp = protocol.startsWith('UDP');
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const inode = Number(f[9]);
    if (!inode) continue;
    const state = parseInt(f[3], 16);
    const [tx, rx] = f[4].split(':').map((h) => parseInt(h, 16));
    const remote = decodeProcAddress(f[2]);
    const unconnected = remote.endsWith(':0');
    index.set(inode, {
      protocol,
      inode,
      state: isUdp ? (unconnected ? 'UNCONNECTED' : 'CONNECTED') : (tcpStates[state] ?? String(state)),
      local: decodeProcAddress(f[1]),
      remote: state === 10 || (isUdp && unconnected) ? null : remote,
      rqueue: rx,
      wqueue: state === 10 ? null : tx,
      peerInode: null,
    });
  }
}

export function parseProcNetUnix(text: string, index: SocketIndex): void {
  // Num RefCount Protocol Flags Type St Inode [Path]
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    const inode = Number(f[6]);
    const flags = parseInt(f[3], 16);
    const stateNumber = parseInt(f[5], 16);
    // St is the socket state (SS_CONNECTED = 3 ...); __SO_ACCEPTCON (1 << 16) in Flags marks a listener.
    const state = flags & 0x10000 ? 'LISTEN' : stateNumber === 3 ? 'CONNECTED' : 'UNCONNECTED';
    index.set(inode, {
      protocol: 'UNIX',
      inode,
      state,
      local: f[7] ?? '',
      remote: null,
      rqueue: 0,
      wqueue: null,
      peerInode: null,
      unixType: unixTypes[parseInt(f[4], 16)] ?? f[4],
    });
  }
}

export function readSocketsProcfs(): SocketIndex {
  const index: SocketIndex = new Map();
  const tables: Array<[string, SocketProtocol]> = [['tcp', 'TCP'], ['tcp6', 'TCP6'], ['udp', 'UDP'], ['udp6', 'UDP6']];
  for (const [file, protocol] of tables) {
    try {
      parseProcNetInet(readFileSync(`/proc/net/${file}`, 'latin1'), protocol, index);
    } catch {
      /* table absent (no IPv6, say) */
    }
  }
  try {
    parseProcNetUnix(readFileSync('/proc/net/unix', 'latin1'), index);
  } catch {
    /* ignore */
  }
  return index;
}

/**
 * TCP and UDP sockets in this network namespace (IPv4 and IPv6), from /proc/net/sockstat{,6}: two
 * tiny reads that say how much a sock_diag dump walks. TIME_WAIT entries count too: a dump skips
 * them by state, but only after walking past each one. Unix sockets are not counted there; null
 * when neither file is readable.
 */
export function namespaceInetSockets(): number | null {
  let total: number | null = null;
  for (const file of ['/proc/net/sockstat', '/proc/net/sockstat6']) {
    try {
      for (const m of readFileSync(file, 'latin1').matchAll(/^(?:TCP6?|UDP6?): inuse (\d+)|\btw (\d+)/gm)) total = (total ?? 0) + Number(m[1] ?? m[2]);
    } catch {
      /* no IPv6 */
    }
  }
  return total;
}

// struct sockaddr_in / sockaddr_in6 / sockaddr_un encoded by hand into Buffers: the layouts are
// fixed by the kernel ABI (the same on x86_64 and arm64 Linux), and a Buffer passed as `void *`
// lets the kernel write straight into it.
import { isIPv4 } from 'node:net';
import { AF_INET, AF_INET6, AF_UNIX } from './constants.js';

export type SockAddr =
  | { family: 'inet'; address: string; port: number }
  | { family: 'inet6'; address: string; port: number }
  | { family: 'unix'; path: string }
  | { family: 'other'; domain: number };

export const SOCKADDR_STORAGE_SIZE = 128;
const SUN_PATH_MAX = 108;

export function encodeSockAddr(addr: SockAddr): Buffer {
  switch (addr.family) {
    case 'inet': {
      const b = Buffer.alloc(16);
      b.writeUInt16LE(AF_INET, 0);
      b.writeUInt16BE(addr.port, 2);
      addr.address.split('.').forEach((octet, i) => b.writeUInt8(Number(octet), 4 + i));
      return b;
    }
    case 'inet6': {
      const b = Buffer.alloc(28);
      b.writeUInt16LE(AF_INET6, 0);
      b.writeUInt16BE(addr.port, 2);
      ipv6ToBytes(addr.address).copy(b, 8);
      return b;
    }
    case 'unix': {
      // '@name' is an abstract address (as ss and systemd write it): a NUL byte, then the name, and the
      // length counts exactly those bytes (no terminating NUL, which would be part of the name).
      if (addr.path.startsWith('@')) {
        const name = Buffer.from(addr.path.slice(1));
        if (name.length >= SUN_PATH_MAX) throw new Error(`abstract unix socket name is longer than ${SUN_PATH_MAX - 2} bytes: ${addr.path}`);
        const b = Buffer.alloc(3 + name.length);
        b.writeUInt16LE(AF_UNIX, 0);
        name.copy(b, 3);
        return b;
      }
      const path = Buffer.from(addr.path);
      if (path.length >= SUN_PATH_MAX) throw new Error(`unix socket path is longer than ${SUN_PATH_MAX - 1} bytes: ${addr.path}`);
      const b = Buffer.alloc(2 + path.length + 1);
      b.writeUInt16LE(AF_UNIX, 0);
      path.copy(b, 2);
      return b;
    }
    default:
      throw new Error(`cannot encode address family ${addr.family}`);
  }
}

export function decodeSockAddr(b: Buffer, length: number): SockAddr {
  const domain = b.readUInt16LE(0);
  if (domain === AF_INET) {
    return { family: 'inet', address: [...b.subarray(4, 8)].join('.'), port: b.readUInt16BE(2) };
  }
  if (domain === AF_INET6) {
    return { family: 'inet6', address: bytesToIpv6(b.subarray(8, 24)), port: b.readUInt16BE(2) };
  }
  if (domain === AF_UNIX) {
    const raw = b.subarray(2, Math.max(2, length));
    // An abstract socket starts with a NUL byte; show it as '@name' like ss does.
    if (raw.length > 0 && raw[0] === 0) return { family: 'unix', path: '@' + raw.subarray(1).toString() };
    const end = raw.indexOf(0);
    return { family: 'unix', path: raw.subarray(0, end === -1 ? raw.length : end).toString() };
  }
  return { family: 'other', domain };
}

export function formatSockAddr(addr: SockAddr): string {
  switch (addr.family) {
    case 'inet':
      return `${addr.address}:${addr.port}`;
    case 'inet6':
      return `[${addr.address}]:${addr.port}`;
    case 'unix':
      return addr.path === '' ? '(unnamed)' : addr.path;
    default:
      return `(family ${addr.domain})`;
  }
}

/** Parses "127.0.0.1:8080", "[::1]:8080" or a unix path. */
export function parseSockAddr(text: string): SockAddr {
  const v6 = /^\[(.+)\]:(\d+)$/.exec(text);
  if (v6) return { family: 'inet6', address: v6[1], port: Number(v6[2]) };
  const v4 = /^(.+):(\d+)$/.exec(text);
  if (v4 && isIPv4(v4[1])) return { family: 'inet', address: v4[1], port: Number(v4[2]) };
  return { family: 'unix', path: text };
}

function ipv6ToBytes(address: string): Buffer {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array(tail === undefined ? 0 : missing).fill('0'), ...tailParts];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return b;
}

export function bytesToIpv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // Collapse the longest run of zero groups, as inet_ntop does.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start === -1) return groups.join(':');
  const left = groups.slice(0, best.start).join(':');
  const right = groups.slice(best.start + best.length).join(':');
  // An IPv4-mapped address reads better in its usual form.
  if (left === '' && right.startsWith('ffff:') && best.length === 5) {
    return `::ffff:${[...bytes.subarray(12, 16)].join('.')}`;
  }
  return `${left}::${right}`;
}

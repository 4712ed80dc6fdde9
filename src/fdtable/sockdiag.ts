// Socket details over NETLINK_SOCK_DIAG: the same source `ss` uses. One dump per table gives, for
// every socket, its state, addresses, queues and inode; for a listener the accept queue now
// (idiag_rqueue) and its backlog limit (idiag_wqueue), which /proc/net/tcp cannot show.
// Layouts (linux/inet_diag.h, linux/unix_diag.h) are architecture-independent.
import * as sys from '../sys/index.js';
import { bytesToIpv6 } from '../sys/sockaddr.js';
import { tcpStates, unixState, unixTypes, type SocketIndex, type SocketProtocol } from './sockets.js';

export const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
export const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
export const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const UDIAG_SHOW_NAME = 0x1;
const UDIAG_SHOW_PEER = 0x4;
const UDIAG_SHOW_RQLEN = 0x10;
const UNIX_DIAG_NAME = 0;
const UNIX_DIAG_PEER = 2;
const UNIX_DIAG_RQLEN = 4;
const ALL_STATES = 0xffffffff;
// TIME_WAIT (6) and NEW_SYN_RECV (12) entries have no fd and can be numerous on a busy machine.
const INET_STATES = ALL_STATES & ~((1 << 6) | (1 << 12));

const align4 = (n: number) => (n + 3) & ~3;

export function nlmsg(payload: Buffer, seq: number, flags = NLM_F_REQUEST | NLM_F_DUMP): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(16 + payload.length, 0);
  header.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  header.writeUInt16LE(flags, 6);
  header.writeUInt32LE(seq, 8);
  return Buffer.concat([header, payload]);
}

export function inetRequest(family: number, protocol: number): Buffer {
  const req = Buffer.alloc(56); // struct inet_diag_req_v2
  req.writeUInt8(family, 0);
  req.writeUInt8(protocol, 1);
  req.writeUInt32LE(INET_STATES >>> 0, 4);
  return req;
}

export function unixRequest(): Buffer {
  const req = Buffer.alloc(24); // struct unix_diag_req
  req.writeUInt8(sys.AF_UNIX, 0);
  req.writeUInt32LE(ALL_STATES, 4);
  req.writeUInt32LE(UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN, 12);
  return req;
}

/** Sends one dump request and calls `onMessage` with each reply payload until NLMSG_DONE. */
function dump(sock: number, request: Buffer, seq: number, onMessage: (payload: Buffer) => void): void {
  sys.send(sock, nlmsg(request, seq));
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    const n = sys.recv(sock, buffer);
    let offset = 0;
    while (offset + 16 <= n) {
      const length = buffer.readUInt32LE(offset);
      const type = buffer.readUInt16LE(offset + 4);
      if (length < 16) return;
      if (type === NLMSG_DONE) return;
      if (type === NLMSG_ERROR) {
        const errno = -buffer.readInt32LE(offset + 16);
        if (errno !== 0) throw new sys.SysError('sock_diag dump', errno);
        return;
      }
      onMessage(buffer.subarray(offset + 16, offset + length));
      offset += align4(length);
    }
    if (n === 0) return;
  }
}

function inetAddress(msg: Buffer, offset: number, family: number): string {
  if (family !== sys.AF_INET) return bytesToIpv6(msg.subarray(offset, offset + 16));
  return `${msg[offset]}.${msg[offset + 1]}.${msg[offset + 2]}.${msg[offset + 3]}`; // a dump may hold 100,000 of them
}

function endpoint(address: string, port: number, family: number): string {
  return family === sys.AF_INET ? `${address}:${port}` : `[${address}]:${port}`;
}

export function readInet(msg: Buffer, protocol: SocketProtocol, index: SocketIndex): void {
  // struct inet_diag_msg: family, state, timer, retrans, id{sport@4 dport@6 src@8 dst@24 if@40 cookie@44}, expires@52, rqueue@56, wqueue@60, uid@64, inode@68
  const family = msg.readUInt8(0);
  const state = msg.readUInt8(1);
  const inode = msg.readUInt32LE(68);
  if (inode === 0) return; // request sockets (SYN_RECV) and TIME_WAIT have no fd
  const sport = msg.readUInt16BE(4);
  const dport = msg.readUInt16BE(6);
  const local = endpoint(inetAddress(msg, 8, family), sport, family);
  const isListen = state === 10;
  const isUdpUnconnected = protocol.startsWith('UDP') && dport === 0;
  index.set(inode, {
    protocol,
    inode,
    state: protocol.startsWith('UDP') ? (isUdpUnconnected ? 'UNCONNECTED' : 'CONNECTED') : (tcpStates[state] ?? String(state)),
    local,
    remote: isListen || isUdpUnconnected ? null : endpoint(inetAddress(msg, 24, family), dport, family),
    rqueue: msg.readUInt32LE(56),
    wqueue: msg.readUInt32LE(60),
    peerInode: null,
  });
}

export function readUnix(msg: Buffer, index: SocketIndex): void {
  // struct unix_diag_msg: family, type, state, pad, ino@4, cookie@8; then rtattrs from 16
  const type = msg.readUInt8(1);
  const state = msg.readUInt8(2);
  const inode = msg.readUInt32LE(4);
  let name = '';
  let peerInode: number | null = null;
  let rqueue = 0;
  let wqueue: number | null = null;
  let offset = 16;
  while (offset + 4 <= msg.length) {
    const length = msg.readUInt16LE(offset);
    const attr = msg.readUInt16LE(offset + 2);
    if (length < 4) break;
    const data = msg.subarray(offset + 4, offset + length);
    if (attr === UNIX_DIAG_NAME) name = data[0] === 0 ? '@' + data.subarray(1).toString() : data.toString().replace(/\0.*$/, '');
    else if (attr === UNIX_DIAG_PEER) peerInode = data.readUInt32LE(0) || null;
    else if (attr === UNIX_DIAG_RQLEN) {
      rqueue = data.readUInt32LE(0);
      wqueue = data.readUInt32LE(4);
    }
    offset += align4(length);
  }
  index.set(inode, {
    protocol: 'UNIX',
    inode,
    state: unixState(state),
    local: name,
    remote: null,
    rqueue,
    wqueue,
    peerInode,
    unixType: unixTypes[type] ?? String(type),
  });
}

/**
 * Dumps the socket tables of this network namespace, most common first (TCP, UNIX, TCP6, UDP, UDP6),
 * and stops as soon as every inode in `wanted` has been found: each table is read at most once,
 * and tables no fd of the snapshot is in are not read at all. With `wanted`, only those inodes are
 * in the index. Throws when netlink is unavailable.
 */
export function readSocketsSockDiag(wanted?: Set<number>): SocketIndex {
  const index: SocketIndex = new Map();
  const sock = sys.socket(sys.AF_NETLINK, sys.SOCK_RAW | sys.SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  try {
    const tables: Array<() => Buffer> = [
      () => inetRequest(sys.AF_INET, IPPROTO_TCP),
      unixRequest,
      () => inetRequest(sys.AF_INET6, IPPROTO_TCP),
      () => inetRequest(sys.AF_INET, IPPROTO_UDP),
      () => inetRequest(sys.AF_INET6, IPPROTO_UDP),
    ];
    const readers: Array<(msg: Buffer) => void> = [
      (msg) => readInet(msg, 'TCP', index),
      (msg) => readUnix(msg, index),
      (msg) => readInet(msg, 'TCP6', index),
      (msg) => readInet(msg, 'UDP', index),
      (msg) => readInet(msg, 'UDP6', index),
    ];
    let missing = wanted ? wanted.size : Infinity;
    const count = (inode: number) => {
      if (wanted?.has(inode) && !index.has(inode)) missing--;
    };
    for (let i = 0; i < tables.length && missing > 0; i++) {
      dump(sock, tables[i](), i + 1, (msg) => {
        // inode offsets: inet_diag_msg @68, unix_diag_msg @4
        const inode = msg.readUInt32LE(tables[i] === unixRequest ? 4 : 68);
        count(inode);
        // On a busy machine most of a dump is other processes' sockets: parse only the ones asked for.
        if (!wanted || wanted.has(inode)) readers[i](msg);
      });
    }
  } finally {
    sys.close(sock);
  }
  return index;
}

// Socket details asked socket by socket, so that a snapshot costs what the watched processes hold,
// not what the whole network namespace holds: a sock_diag dump walks and sends every socket of the
// machine (50,000 connections cost tens of milliseconds), while most snapshots need a few dozen.
//
// pidfd_getfd(2) copies each socket fd of the target into this process, and then:
// - unix: a sock_diag request for exactly that inode (unix_diag looks sockets up by inode);
// - TCP listener: TCP_INFO, whose tcpi_unacked and tcpi_sacked are, for a listener, the very fields
//   sock_diag reports as its queues (sk_ack_backlog, sk_max_ack_backlog). An exact request would
//   not do: SO_REUSEPORT listeners share one address, and the kernel's lookup picks one of them;
// - other TCP, UDP: a sock_diag request for exactly that address tuple.
// Every answer goes through the dump's own parsers (a listener's as a made-up diag message), so a row
// cannot tell which way it came. What this cannot settle (no ptrace rights over the target, so
// pidfd_getfd is refused; a lookup that finds another socket; an fd closed meanwhile) is left to
// the dump, asked only about those inodes.
import { fstatSync } from 'node:fs';
import * as sys from '../sys/index.js';
import { inetRequest, NETLINK_SOCK_DIAG, NLM_F_REQUEST, NLMSG_ERROR, nlmsg, readInet, readUnix, unixRequest } from './sockdiag.js';
import type { SocketIndex, SocketProtocol } from './sockets.js';

export interface SocketFd {
  pid: number;
  fd: number;
  inode: number;
}

export interface PerSocketAnswer {
  index: SocketIndex;
  /** Inodes only a dump can settle. */
  unresolved: Set<number>;
  /** How many sockets were answered by an exact sock_diag request, by TCP_INFO, or known to be in no table. */
  exact: number;
  tcpInfo: number;
  absent: number;
  /** Of the exact answers: sent from a request remembered from an earlier snapshot, without copying the fd. */
  remembered: number;
}

const TCP_LISTEN = 10;
const TCP_CLOSE = 7;
const NOCOOKIE = 0xffffffff;
/** Replies of one batch must fit the netlink socket's receive buffer, or the kernel drops them. */
const BATCH = 64;

interface Request {
  inode: number;
  payload: Buffer;
  /** The whole netlink message (header and payload), built once; its sequence number is set at each send. */
  message?: Buffer;
  read: (msg: Buffer, index: SocketIndex) => void;
  /** Where the reply carries the socket's inode. */
  inodeOffset: number;
}

const local = Buffer.alloc(128);
const peer = Buffer.alloc(128);
const option = Buffer.alloc(32);

function protocolOf(family: number, tcp: boolean): SocketProtocol {
  return family === sys.AF_INET ? (tcp ? 'TCP' : 'UDP') : tcp ? 'TCP6' : 'UDP6';
}

/** Copies the address and port of a sockaddr_in/_in6 into an inet_diag_sockid half; returns the scope id. */
function putAddress(sockaddr: Buffer | null, family: number, id: Buffer, portAt: number, addressAt: number): number {
  if (!sockaddr) return 0; // unconnected: 0.0.0.0:0 / [::]:0
  id.writeUInt16BE(sockaddr.readUInt16BE(2), portAt);
  if (family === sys.AF_INET) sockaddr.copy(id, addressAt, 4, 8);
  else sockaddr.copy(id, addressAt, 8, 24);
  return family === sys.AF_INET6 ? sockaddr.readUInt32LE(24) : 0;
}

/** struct inet_diag_req_v2 for one socket: id.sport@8 dport@10 src@12 dst@28 if@44 cookie@48. */
function inetExact(family: number, tcp: boolean, mine: Buffer, theirs: Buffer | null): Buffer {
  const req = inetRequest(family, tcp ? sys.IPPROTO_TCP : sys.IPPROTO_UDP);
  // The TCP lookup takes src as the local end; udp_dump_one swaps them ("for historical reasons").
  const [src, dst] = tcp ? [mine, theirs] : [theirs, mine];
  const srcScope = putAddress(src, family, req, 8, 12);
  const dstScope = putAddress(dst, family, req, 10, 28);
  req.writeUInt32LE(srcScope || dstScope, 44); // link-local IPv6 only: the interface of the lookup
  req.writeUInt32LE(NOCOOKIE, 48);
  req.writeUInt32LE(NOCOOKIE, 52);
  return req;
}

/** struct unix_diag_req for one inode: ino@8, cookie@16 (no cookie: any socket with that inode). */
function unixExact(inode: number): Buffer {
  const req = unixRequest();
  req.writeUInt32LE(inode, 8);
  req.writeUInt32LE(NOCOOKIE, 16);
  req.writeUInt32LE(NOCOOKIE, 20);
  return req;
}

/** A listener's answer as the inet_diag_msg a dump would carry, for the dump's own parser. */
function listenerMessage(family: number, mine: Buffer, inode: number, acceptQueue: number, backlog: number): Buffer {
  const msg = Buffer.alloc(72);
  msg.writeUInt8(family, 0);
  msg.writeUInt8(TCP_LISTEN, 1);
  putAddress(mine, family, msg, 4, 8);
  msg.writeUInt32LE(acceptQueue, 56);
  msg.writeUInt32LE(backlog, 60);
  msg.writeUInt32LE(inode, 68);
  return msg;
}

type Outcome = 'absent' | 'unresolved' | 'tcpInfo' | Request;

/** What to do about one socket, asked through this process's copy `copy` of the target's fd. */
function examine(copy: number, inode: number, index: SocketIndex): Outcome {
  if (sys.socketAddressInto(copy, false, local) < 2) return 'unresolved';
  const family = local.readUInt16LE(0);
  if (family === sys.AF_UNIX) return { inode, payload: unixExact(inode), read: readUnix, inodeOffset: 4 };
  if (family !== sys.AF_INET && family !== sys.AF_INET6) return 'absent'; // netlink, packet...: in no table a dump reads
  // Only a TCP socket answers TCP_INFO, so most sockets need no SO_PROTOCOL question.
  const tcp = sys.sockoptInto(copy, sys.IPPROTO_TCP, sys.TCP_INFO, option, 32) === 32;
  if (!tcp) {
    if (sys.sockoptInto(copy, sys.SOL_SOCKET, sys.SO_PROTOCOL, option, 4) < 0) return 'unresolved';
    const protocol = option.readInt32LE(0);
    if (protocol === sys.IPPROTO_TCP) return 'unresolved'; // TCP_INFO refused on a TCP socket: unexpected
    if (protocol !== sys.IPPROTO_UDP) return 'absent'; // raw, SCTP, UDP-Lite: in no table a dump reads
  }
  const name = protocolOf(family, tcp);
  if (tcp) {
    const state = option.readUInt8(0);
    if (state === TCP_LISTEN) {
      if (fstatSync(copy).ino !== inode) return 'unresolved'; // the fd number was reused meanwhile
      readInet(listenerMessage(family, local, inode, option.readUInt32LE(24), option.readUInt32LE(28)), name, index);
      return 'tcpInfo';
    }
    // Never bound: in no hash table, so no dump lists it. A bound closed socket may be listed (as
    // bound-inactive on recent kernels) or not (reset and unhashed): the dump decides.
    if (state === TCP_CLOSE) return local.readUInt16BE(2) === 0 ? 'absent' : 'unresolved';
  }
  const connected = sys.socketAddressInto(copy, true, peer) >= 2;
  const payload = inetExact(family, tcp, local, connected ? peer : null);
  return { inode, payload, read: (msg, into) => readInet(msg, name, into), inodeOffset: 68 };
}

/** One receive buffer for every batch (a snapshot may send hundreds of requests). */
const replies = Buffer.allocUnsafe(64 * 1024);

function messageOf(request: Request, seq: number): Buffer {
  request.message ??= nlmsg(request.payload, seq, NLM_F_REQUEST);
  request.message.writeUInt32LE(seq, 8); // nlmsghdr.nlmsg_seq: which request a reply answers
  return request.message;
}

/** Sends up to BATCH exact requests at once (the kernel answers each before send() returns); returns those not answered. */
function ask(sock: number, batch: Request[], index: SocketIndex): Request[] {
  const answered = new Set<number>();
  sys.sendRaw(sock, Buffer.concat(batch.map((r, i) => messageOf(r, i + 1))));
  const buffer = replies;
  for (;;) {
    const n = sys.recvRaw(sock, buffer, sys.MSG_DONTWAIT);
    if (n <= 0) break; // -EAGAIN: every reply has been read
    for (let offset = 0; offset + 16 <= n; ) {
      const length = buffer.readUInt32LE(offset);
      if (length < 16) break;
      const request = batch[buffer.readUInt32LE(offset + 8) - 1];
      const msg = buffer.subarray(offset + 16, offset + length);
      // An error (ENOENT: not found; ESTALE) or another socket found at that address: not answered.
      if (request && buffer.readUInt16LE(offset + 4) !== NLMSG_ERROR && msg.length >= request.inodeOffset + 4 && msg.readUInt32LE(request.inodeOffset) === request.inode) {
        request.read(msg, index);
        answered.add(request.inode);
      }
      offset += (length + 3) & ~3;
    }
  }
  return batch.filter((r) => !answered.has(r.inode));
}

function askAll(sock: number, requests: Request[], index: SocketIndex): Request[] {
  const failed: Request[] = [];
  for (let i = 0; i < requests.length; i += BATCH) failed.push(...ask(sock, requests.slice(i, i + BATCH), index));
  return failed;
}

/**
 * Exact requests that were answered, by socket inode. A connected socket's addresses never change,
 * so the next snapshot sends the same request without copying the fd again; the reply still comes
 * fresh from the kernel (state, queues), and it must name the same inode or the socket is examined
 * anew. Listeners are not kept: their queues come from TCP_INFO, which needs the fd every time.
 */
const remembered = new Map<number, Request>();
const REMEMBER_AT_MOST = 8192;

/** Copies each socket fd and examines it; returns the exact requests still to send. */
function examineAll(sockets: SocketFd[], answer: PerSocketAnswer): Request[] {
  const requests: Request[] = [];
  const byPid = new Map<number, SocketFd[]>();
  for (const s of sockets) byPid.set(s.pid, [...(byPid.get(s.pid) ?? []), s]);
  for (const [pid, fds] of byPid) {
    let pidfd = -1;
    try {
      pidfd = sys.pidfdOpen(pid);
    } catch {
      /* gone, or a kernel before 5.3 */
    }
    let refused = pidfd < 0;
    for (const { fd, inode } of fds) {
      let copy = -1;
      if (!refused) {
        try {
          copy = sys.pidfdGetfd(pidfd, fd);
        } catch (error) {
          // EPERM: no ptrace rights over this process; ENOSYS: a kernel before 5.6. EBADF: just this fd.
          refused = !(error instanceof sys.SysError && error.code === 'EBADF');
        }
      }
      if (copy < 0) {
        answer.unresolved.add(inode);
        continue;
      }
      try {
        const outcome = examine(copy, inode, answer.index);
        if (outcome === 'unresolved') answer.unresolved.add(inode);
        else if (outcome === 'absent') answer.absent++;
        else if (outcome === 'tcpInfo') answer.tcpInfo++;
        else requests.push(outcome);
      } finally {
        sys.closeQuietly(copy);
      }
    }
    if (pidfd >= 0) sys.closeQuietly(pidfd);
  }
  return requests;
}

/** Socket details for the given socket fds. Throws only when netlink itself is unusable. */
export function readSocketsPerFd(sockets: SocketFd[]): PerSocketAnswer {
  const answer: PerSocketAnswer = { index: new Map(), unresolved: new Set(), exact: 0, tcpInfo: 0, absent: 0, remembered: 0 };
  const byInode = new Map(sockets.map((s) => [s.inode, s]));
  const known = sockets.flatMap((s) => remembered.get(s.inode) ?? []);
  let sock = -1;
  const netlink = () => (sock >= 0 ? sock : (sock = sys.socket(sys.AF_NETLINK, sys.SOCK_RAW | sys.SOCK_CLOEXEC, NETLINK_SOCK_DIAG)));
  try {
    const stale = new Set(known.length ? askAll(netlink(), known, answer.index).map((r) => r.inode) : []);
    answer.remembered = known.length - stale.size;
    answer.exact = answer.remembered;
    for (const inode of stale) remembered.delete(inode);
    const fresh = sockets.filter((s) => !remembered.has(s.inode) || stale.has(s.inode));
    const requests = examineAll(fresh, answer);
    if (requests.length) {
      const failed = new Set(askAll(netlink(), requests, answer.index));
      if (remembered.size + requests.length > REMEMBER_AT_MOST) remembered.clear();
      for (const r of requests) {
        if (failed.has(r)) answer.unresolved.add(r.inode);
        else if (byInode.has(r.inode)) {
          remembered.set(r.inode, r);
          answer.exact++;
        }
      }
    }
  } finally {
    if (sock >= 0) sys.close(sock);
  }
  return answer;
}

// Ops for the two ends of a listener handover. The receiver rebuilds a server on an fd it was given
// (serve-fd: Node's server.listen({fd}) or dgram bind({fd})); the sender removes the name of its
// rendezvous socket (unlink), or uses Node's own way, child.send('server', server) (send-server). Node
// makes the calls on the fd, so those lines say "(by libuv)"; their sequence was checked with strace on
// Node 20.20 / libuv 1.46, failures included.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { unlinkSync } from 'node:fs';
import { constants } from 'node:os';
import * as sys from '../sys/index.js';
import { type OpContext, type OpTable, privatePath } from './puppet-op.js';
import { OpError } from './puppet-state.js';
import { ENV } from './run.js';
import { backlogOf, serveHttp } from './puppet-server-ops.js';
import { addrText, quote } from './trace.js';

/** Datagram sockets rebuilt by serve-fd, kept referenced for the puppet's life. */
const echoSockets = new Map<number, dgram.Socket>();

/** getsockopt without a log line: the value libuv's own call saw, to write its line. */
function quietOption(fd: number, option: number): number | undefined {
  try {
    return sys.getsockoptInt(fd, sys.SOL_SOCKET, option);
  } catch {
    return undefined;
  }
}

function isOpen(fd: number): boolean {
  try {
    sys.fcntl(fd, sys.F_GETFD);
    return true;
  } catch {
    return false;
  }
}

const typeName = (type: number | undefined) => (type === undefined ? 'not a socket' : (sys.typeNames[type] ?? String(type)));
const errnoText = (code: string) => `-1 ${code} (${sys.errnoMessage((constants.errno as Record<string, number>)[code] ?? 0)})`;

/** uv_guess_handle, which both server.listen({fd}) and dgram bind({fd}) run first: what kind of fd is it?
 *  For a socket libuv asks getsockname and getsockopt(SO_TYPE); the values are read again here to show. */
function noteGuess(fd: number, via: string, { trace }: OpContext): number | undefined {
  const type = quietOption(fd, sys.SO_TYPE);
  if (type === undefined) {
    trace.note(`(by libuv: ${via} -> uv_guess_handle: fstat says fd ${fd} is not a socket)`);
    return undefined;
  }
  trace.note(`getsockname(${fd}, {${addrText(sys.getsockname(fd))}}) = 0 (by libuv: ${via} -> uv_guess_handle)`);
  trace.note(`getsockopt(${fd}, SOL_SOCKET, SO_TYPE, [${typeName(type)}], [4]) = 0 (by libuv)`);
  return type;
}

/** server.listen({fd}). On failure says what libuv did to the fd: Node closes a handle whose listen(2)
 *  failed, so a stream socket that cannot listen (a connection) is gone afterwards. */
async function serveHttpFd(fd: number, backlog: number, context: OpContext) {
  const { trace, state } = context;
  const type = noteGuess(fd, `server.listen({fd: ${fd}})`, context);
  try {
    await serveHttp(fd, backlog, context);
    return { fd, as: 'http' as const };
  } catch (error) {
    if (!(error instanceof OpError)) throw error;
    const code = /\b(E[A-Z]+)\b/.exec(error.message)?.[1] ?? 'EINVAL';
    if (type !== sys.SOCK_STREAM) {
      const what = type === undefined ? 'not a socket' : `${typeName(type)}, not a stream socket`;
      trace.note(`(Node: uv_guess_handle says ${what}; server.listen gives ${code} without touching fd ${fd})`);
      throw new OpError(`Node could not listen on fd ${fd}: ${what} (${code}).`, { fd, code, closed: false });
    }
    trace.note(`ioctl(${fd}, FIONBIO, [1]) = 0 (by libuv)`);
    trace.note(`listen(${fd}, ${backlog}) = ${errnoText(code)} (by libuv)`);
    const closed = !isOpen(fd);
    if (closed) {
      trace.note(`close(${fd}) = 0 (by libuv: Node closes the handle whose listen failed)`);
      state.forget(fd);
    }
    throw new OpError(`Node could not listen on fd ${fd} (${code})${closed ? ` and closed it` : ''}.`, { fd, code, closed });
  }
}

/** dgram bind({fd}): the socket answers every datagram with "<name> <pid>: <what it got>". */
async function serveUdpFd(fd: number, context: OpContext) {
  const { trace, state } = context;
  const type = noteGuess(fd, `dgram bind({fd: ${fd}})`, context);
  const socket = dgram.createSocket(quietOption(fd, sys.SO_DOMAIN) === sys.AF_INET6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ fd }, () => resolve()); // throws at once when the fd is not UDP
    });
  } catch (error) {
    try {
      socket.close();
    } catch {
      // never bound: nothing to close
    }
    const message = error instanceof Error ? error.message : String(error);
    trace.note(`(Node: dgram bind({fd: ${fd}}) refused it: ${message})`);
    throw new OpError(`Node could not rebuild a datagram socket on fd ${fd} (${typeName(type)}): ${message}.`, { fd, closed: !isOpen(fd) });
  }
  trace.note(`ioctl(${fd}, FIONBIO, [1]) = 0 (by libuv)`);
  trace.note(`setsockopt(${fd}, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0 (by libuv)`);
  trace.note(`getpeername(${fd}, …) = ${errnoText('ENOTCONN')} (by libuv: is it connected?)`);
  // A datagram server outlives any one bad packet: errors are dropped, never thrown into the puppet.
  socket.on('error', () => {});
  socket.on('message', (message, from) => {
    socket.send(`${state.name} ${process.pid}: ${message.toString()}`, from.port, from.address, () => {});
  });
  echoSockets.set(fd, socket);
  const local = socket.address();
  return { fd, as: 'udp-echo' as const, port: local.port, address: local.address };
}

/** The worker send-server starts: takes the server Node hands it, reports the fd it arrived at, and
 *  ends with its IPC channel (so when the sending puppet ends). */
const WORKER_SCRIPT = `process.on('message', (msg, server) => { if (server) process.send({ fd: server._handle.fd }); });
process.on('disconnect', () => process.exit(0));`;
const WORKER_WAIT_MS = 10_000; // a Node start-up, on a busy machine
/** What Node writes on the channel along with the fd (seen with strace -e sendmsg). */
const HANDLE_JSON = '{"cmd":"NODE_HANDLE","type":"net.Server","msg":"server"}\n';
const HANDLE_MESSAGE = quote(HANDLE_JSON, 100);
const HANDLE_BYTES = Buffer.byteLength(HANDLE_JSON);

/** child.send('server', server): Node's IPC channel is a unix socketpair, and the server's fd travels
 *  on it with SCM_RIGHTS, parent to child only. */
async function sendServer(fd: number, name: string, { trace, state }: OpContext) {
  const server = state.servers.get(fd);
  if (!server) throw new OpError(`fd ${fd} is not the listener of a Node server in this puppet; serve it first (serve-fd).`);
  // A plain program keeps only the run marker, as with spawn: it is not a puppet and must not check in.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of [ENV.control, ENV.puppet, ENV.fds]) delete env[key];
  const child = spawn(process.execPath, ['-e', WORKER_SCRIPT], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], env });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new OpError(`could not start ${name}: ${error.message}.`)));
  });
  // The worker answers only after our send below, so listening from here on misses nothing.
  const arrived = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new OpError(`${name} did not report the server within ${WORKER_WAIT_MS} ms.`)), WORKER_WAIT_MS);
    child.once('message', (message: { fd?: number }) => {
      clearTimeout(timer);
      resolve(Number(message?.fd));
    });
  });
  const pid = child.pid!;
  const channel: number | '?' = (child.channel as unknown as { fd?: number } | undefined)?.fd ?? '?';
  child.unref();
  trace.note(`socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [${channel}, …]) = 0 (by libuv: spawn with stdio[3] = 'ipc')`);
  trace.note(`fork() = ${pid} (by libuv: spawn; the other end becomes the child's fd 3, NODE_CHANNEL_FD=3)`);
  child.send('server', server);
  trace.note(`sendmsg(${channel}, {${HANDLE_MESSAGE}, SCM_RIGHTS=[${fd}]}, 0) = ${HANDLE_BYTES} (by libuv: child.send('server', server))`);
  const received = await arrived;
  trace.note(`[pid ${pid}] recvmsg(3, {${HANDLE_MESSAGE}, SCM_RIGHTS=[${received}]}, MSG_CMSG_CLOEXEC) = ${HANDLE_BYTES} (by libuv, in ${name})`);
  return { pid, fd: received, channelFd: channel };
}

export const handoverOps: OpTable<'serve-fd' | 'unlink' | 'send-server'> = {
  'send-server'({ fd, name = 'worker' }, context) {
    context.state.assertLessonFd(fd);
    return sendServer(fd, name, context);
  },

  async 'serve-fd'({ fd, as = 'http', backlog }, context) {
    const { state } = context;
    state.assertLessonFd(fd);
    state.assertNotServerFd(fd, 'it is served already');
    if (echoSockets.has(fd)) throw new OpError(`fd ${fd} is served already (udp-echo).`);
    if (!isOpen(fd)) throw new OpError(`fd ${fd} is not open in this process.`);
    if (as === 'http') return serveHttpFd(fd, backlogOf(backlog), context);
    if (as === 'udp-echo') return serveUdpFd(fd, context);
    throw new OpError(`serve-fd serves as http or udp-echo, not ${String(as)}.`);
  },

  unlink({ path }, { trace }) {
    const name = privatePath(path);
    const text = `unlink(${quote(name, 100)})`;
    try {
      unlinkSync(name);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      trace.note(`${text} = ${errnoText(code)} (by Node: fs.unlinkSync)`);
      throw new OpError(`could not remove ${name}: ${code}.`);
    }
    trace.note(`${text} = 0 (by Node: fs.unlinkSync)`);
    return { path: name };
  },
};

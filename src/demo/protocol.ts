// What the tutor asks a puppet to do, and what the puppet answers. One request = one small, named
// piece of work (usually one syscall); the answer carries strace-style log lines of the calls made.
// Requests and replies travel as JSON lines over the supervisor's control socket.

export type PuppetRequest =
  /** A listener made by hand: socket, [setsockopt SO_REUSEPORT], bind, listen. `serve` hands it to a Node
   *  net.Server (which then accepts and answers); without it nobody accepts, so the accept queue grows. */
  | { op: 'listen'; address?: string; port?: number; backlog?: number; reusePort?: boolean; serve?: 'http' | 'none' }
  /** The Node way: net.createServer().listen(0, '127.0.0.1'); answers plain HTTP "ok". */
  | { op: 'listen-node'; backlog?: number }
  /** server.close() on the Node server that owns fd (made by listen serve=http or listen-node). */
  | { op: 'server-close'; fd: number }
  | { op: 'dup'; fd: number }
  | { op: 'dup2'; fd: number; to: number }
  | { op: 'close'; fd: number }
  /** Set (true) or clear (false) O_NONBLOCK (per description) and/or FD_CLOEXEC (per fd). */
  | { op: 'fcntl'; fd: number; nonblock?: boolean; cloexec?: boolean }
  | { op: 'open'; path: string; mode: 'r' | 'w' | 'rw' | 'a' }
  | { op: 'read'; fd: number; length: number }
  | { op: 'write'; fd: number; data: string }
  | { op: 'lseek'; fd: number; offset: number; whence?: 'set' | 'cur' | 'end' }
  /** Spawns a child puppet named `name` (or, with `command`, any program) with chosen fds at chosen
   *  positions: fds[3] = 19 puts this process's fd 19 at the child's fd 3. */
  | { op: 'spawn'; name: string; fds?: Record<number, number>; command?: string[]; env?: Record<string, string> }
  /** unix socket made by hand in the private directory: socket, bind, listen. `path` is relative to it. */
  | { op: 'unix-listen'; path: string; backlog?: number }
  /** Connects without ever hanging the puppet: gives up after timeoutMs (default 1000). */
  | { op: 'unix-connect'; path: string; timeoutMs?: number }
  /** poll then accept4; answers "queue empty" instead of blocking when nothing arrives within timeoutMs. */
  | { op: 'accept'; fd: number; timeoutMs?: number }
  /** A TCP client by hand: socket + connect to a loopback address. */
  | { op: 'connect'; port: number; address?: string; timeoutMs?: number }
  | { op: 'shutdown'; fd: number; how: 'rd' | 'wr' | 'rdwr' }
  | { op: 'send'; fd: number; data: string }
  | { op: 'recv'; fd: number; length?: number; timeoutMs?: number }
  | { op: 'sendfd'; fd: number; fds: number[] }
  | { op: 'recvfd'; fd: number; timeoutMs?: number }
  /** libc fork() through koffi, which Node has no API for; reports how the child ended (waitpid status). */
  | { op: 'ffi-fork'; timeoutMs?: number }
  /** getpid and getenv for each name: what a successor reads first (HOT_RESTART, LISTEN_FDS, LISTEN_PID). */
  | { op: 'env'; names: string[] }
  /** accept4 on a helper thread with no poll first: really blocks when O_NONBLOCK is clear (SO_RCVTIMEO bounds it). */
  | { op: 'accept-blocking'; fd: number; giveUpAfterS?: number }
  /** Waits up to timeoutMs for that accept4 to return; reports it still blocked otherwise. */
  | { op: 'accept-result'; timeoutMs?: number }
  /** count (<= 1000) client sockets connected to a loopback port; one summary line in the log. */
  | { op: 'connect-many'; port: number; count: number; address?: string; timeoutMs?: number }
  /** recv(MSG_DONTWAIT) on each fd; answers how many read data, EOF, ECONNRESET, EAGAIN, ... */
  | { op: 'recv-many'; fds: number[] }
  /** Sends a signal to a process of this run (kill -USR2 PID); any other pid is refused. */
  | { op: 'kill'; pid: number; signal: NodeJS.Signals }
  /** Installs a handler (process.on) for each signal; SIGKILL and SIGSTOP are refused by the kernel (EINVAL). */
  | { op: 'trap'; signals: string[] }
  /** Which trapped signals the handlers caught since the last look; waits up to timeoutMs (default 0) for one. */
  | { op: 'caught'; timeoutMs?: number }
  /** Hands an fd this puppet holds to Node: http = http.createServer().listen({fd}); udp-echo = dgram bind({fd}), answering each datagram. */
  | { op: 'serve-fd'; fd: number; as?: 'http' | 'udp-echo'; backlog?: number }
  /** Node's own way: spawn a Node worker with an 'ipc' channel and child.send('server', server) it the Node server on fd. */
  | { op: 'send-server'; fd: number; name?: string }
  /** unlink(2) a name in the private directory (a unix socket's path): the socket itself lives on. */
  | { op: 'unlink'; path: string }
  /** What an fd is: getsockopt SO_DOMAIN, SO_TYPE, SO_ACCEPTCONN, getsockname, getpeername (ENOTSOCK: not a socket). */
  | { op: 'probe'; fd: number }
  /** A UDP socket by hand: socket(SOCK_DGRAM) + bind to loopback, port 0. */
  | { op: 'udp-bind'; address?: string }
  /** A UDP client: socket, connect, send data, wait up to timeoutMs (default 1000) for one datagram back, close. */
  | { op: 'udp-ask'; port: number; data: string; address?: string; timeoutMs?: number }
  | { op: 'exit'; code?: number };

export type PuppetOp = PuppetRequest['op'];
/** The request of one op, e.g. Request<'dup'> = { op: 'dup'; fd: number }. */
export type Request<K extends PuppetOp> = Extract<PuppetRequest, { op: K }>;

/** What each op answers when it succeeded. The puppet's handlers are typed against this table (OpTable),
 *  so a check reads `reply.result.fd` as a number, and a misspelt field does not compile. */
export interface PuppetResults {
  listen: { fd: number; port: number; address: string };
  'listen-node': { fd: number; port: number; address: string };
  'server-close': { fd: number };
  dup: { fd: number };
  dup2: { fd: number };
  close: { fd: number };
  /** The flags after the call: nonblock of the description, cloexec of the fd. */
  fcntl: { fd: number; nonblock: boolean; cloexec: boolean };
  open: { fd: number };
  read: { fd: number; data: string; bytes: number };
  write: { fd: number; bytes: number };
  lseek: { fd: number; offset: number };
  /** name is unset when a plain program (command) was started. */
  spawn: { pid: number; name?: string };
  'unix-listen': { fd: number; path: string };
  'unix-connect': { fd: number };
  accept: { fd: number; peer: string };
  connect: { fd: number };
  shutdown: { fd: number };
  send: { fd: number; bytes: number };
  recv: { fd: number; data: string; bytes: number; eof: boolean };
  sendfd: { fd: number; fds: number[]; bytes: number };
  recvfd: { fd: number; fds: number[]; data: string; truncated: boolean };
  /** How the forked child ended: killed by `signal`, or exited with exitCode. */
  'ffi-fork': { pid: number; signal: string | null; exitCode: number | null; coreDumped: boolean };
  /** vars[name] is null when the variable is unset. */
  env: { pid: number; vars: Record<string, string | null> };
  'accept-blocking': AcceptOutcome;
  'accept-result': AcceptOutcome;
  /** counts by outcome ('connected', 'no answer', 'ECONNREFUSED', ...); fds of the connected sockets. */
  'connect-many': { fds: number[]; connected: number; counts: Record<string, number> };
  /** counts and fds by outcome ('data', 'EOF', 'ECONNRESET', 'EAGAIN', ...). */
  'recv-many': { counts: Record<string, number>; fds: Record<string, number[]>; total: number };
  kill: { pid: number; signal: NodeJS.Signals };
  /** refused: signal name to error code (EINVAL for SIGKILL and SIGSTOP). */
  trap: { trapped: string[]; refused: Record<string, string> };
  caught: { signals: string[] };
  /** port and address for udp-echo only. */
  'serve-fd': { fd: number; as: 'http' | 'udp-echo'; port?: number; address?: string };
  /** fd: where the server's fd arrived in the worker; channelFd: our end of the IPC socketpair ('?' if Node hides it). */
  'send-server': { pid: number; fd: number; channelFd: number | '?' };
  unlink: { path: string };
  /** Everything but fd and socket is absent when the fd is not a socket; peer is null when not connected. */
  probe: { fd: number; socket: boolean; domain?: string; type?: string; acceptConn?: boolean; local?: string; peer?: string | null };
  'udp-bind': { fd: number; port: number; address: string };
  'udp-ask': { fd: number; data: string };
  exit: { code: number };
}

/** A blocking accept4 on a helper thread: still waiting (pending, blockedMs), or returned a connection
 *  (fd, peer) or an error (errno, e.g. 'EAGAIN', 'EINVAL') afterMs after it started. */
export interface AcceptOutcome {
  pending: boolean;
  listener: number;
  blockedMs?: number;
  fd?: number;
  peer?: string;
  errno?: string;
  afterMs?: number;
}

/** What some failed ops still say besides their sentence (the puppet's OpError result): any field may be
 *  absent. Ops not listed answer nothing more. */
export interface PuppetFailures {
  /** A TCP client left waiting in SYN_SENT (the listener's queue is full). */
  connect: { fd: number; state: 'SYN_SENT' };
  'unix-connect': { fd: number; state: 'SYN_SENT' };
  /** A message came without descriptors (or the peer closed: data ''). */
  recvfd: { data: string };
  /** Node refused the fd with code (EINVAL, ...); closed: whether Node closed it on the way. */
  'serve-fd': { fd: number; code: string; closed: boolean };
  /** The forked child was still alive after the wait, and was killed. */
  'ffi-fork': { pid: number; alive: boolean };
}
export type PuppetFailure<K extends PuppetOp> = K extends keyof PuppetFailures ? Partial<PuppetFailures[K]> : Partial<Record<string, never>>;
/** The result of a reply kept whether it failed or not (allowFail): either answer's fields, each maybe absent. */
export type AnyResult<K extends PuppetOp> = Partial<PuppetResults[K]> & (K extends keyof PuppetFailures ? Partial<PuppetFailures[K]> : unknown);

interface ReplyBase {
  /** strace-style lines, one per syscall made: `dup(19) = 23`, `close(99) = -1 EBADF (Bad file descriptor)`. */
  lines: string[];
}
export interface OkReply<K extends PuppetOp = PuppetOp> extends ReplyBase {
  ok: true;
  result: PuppetResults[K];
  error?: undefined;
}
export interface FailedReply<K extends PuppetOp = PuppetOp> extends ReplyBase {
  ok: false;
  result: PuppetFailure<K>;
  /** One sentence. */
  error: string;
}
/** A puppet's answer to a request of op K: check `ok` before reading `result`. */
export type PuppetReply<K extends PuppetOp = PuppetOp> = OkReply<K> | FailedReply<K>;

/** Sent by a puppet when it connects to the control socket. */
export interface PuppetHello {
  hello: string; // the puppet's name
  pid: number;
  ppid: number;
}

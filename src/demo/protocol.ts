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

export interface PuppetReply {
  ok: boolean;
  /** strace-style lines, one per syscall made: `dup(19) = 23`, `close(99) = -1 EBADF (Bad file descriptor)`. */
  lines: string[];
  /** Op-specific results: { fd }, { fd, port }, { pid }, { fds }, { data }, ... */
  result: Record<string, unknown>;
  /** One sentence when ok is false. */
  error?: string;
}

/** Sent by a puppet when it connects to the control socket. */
export interface PuppetHello {
  hello: string; // the puppet's name
  pid: number;
  ppid: number;
}

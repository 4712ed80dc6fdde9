// The first two restarts of lesson 13, in Node: stop-and-start, and a SO_REUSEPORT re-bind beside the old
// process (Node 20 ignores listen's reusePort, so that socket is made through the FFI, the project's
// src/sys). A server answers "ok <pid>" with its pid in x-pid; SIGTERM makes it leave as a restart would.
// Usage: node restart-ways.mjs naive|reuseport [PORT] (prints its pid and port)
import { once } from 'node:events';
import http from 'node:http';
import { AF_INET, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_REUSEPORT } from '@hotrestart-tutor/restart/internal/sys/constants';
import { bind, listen, setsockoptInt, socket } from '@hotrestart-tutor/restart/internal/sys/socket';

const [mode, portArg] = process.argv.slice(2);
if (mode !== 'naive' && mode !== 'reuseport') {
  console.error('usage: node restart-ways.mjs naive|reuseport [PORT]');
  process.exit(2);
}
const port = Number(portArg ?? 0);
let leaving = false;

// [server]
const server = http.createServer((req, res) => {
  res.setHeader('x-pid', String(process.pid))
  if (leaving) res.setHeader('connection', 'close') // the last responses | zh: 最后几个响应
  res.end(`ok ${process.pid}\n`)
})
// [/server]
if (mode === 'naive') {
  // [listen]
  server.listen(port, '127.0.0.1') // the demo: port 0, or the port of the process it replaces | zh: 演示里：0 号端口，或者被替换进程的端口
  // [/listen]
} else {
  // [reuseport]
  // Node >= 22.12: server.listen({ port, host: '127.0.0.1', reusePort: true }) | zh: Node >= 22.12：server.listen({ port, host: '127.0.0.1', reusePort: true })
  // Node 20 ignores reusePort, so the socket is made through the FFI: | zh: Node 20 会忽略 reusePort，所以通过 FFI 创建 socket：
  const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC)
  setsockoptInt(fd, SOL_SOCKET, SO_REUSEPORT, 1)
  bind(fd, { family: 'inet', address: '127.0.0.1', port }); listen(fd, 511)
  server.listen({ fd })
  // [/reuseport]
}
await once(server, 'listening');
console.log(`pid ${process.pid} port ${server.address().port}`);

// [sigterm]
process.once('SIGTERM', () => {
  leaving = true
  server.close() // close(fd): no new connection; whatever waits in this socket's queue is reset | zh: close(fd)：不再有新连接；还在这个 socket 队列里等待的连接被重置
  // Connection: close on the last responses; node exits when no connection is left | zh: 最后几个响应带 Connection: close；没有连接了 node 就退出
})
// then the service manager starts the new process, which listens again | zh: 然后服务管理器启动新进程，它重新 listen
// [/sigterm]

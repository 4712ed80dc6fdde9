// SO_REUSEPORT (lesson 7), in Node: reusePort exists from Node 22.12 / 23.1; Node 20 ignores the option, so
// there the second listen on the same port fails with EADDRINUSE (printed). Then the alternative the lesson
// ends with: pass the very same socket to a successor, which keeps its one queue.
// Usage: node reuseport.mjs
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

const server = net.createServer().listen({ host: '127.0.0.1', port: 0 });
await once(server, 'listening');
const { port } = server.address();
const second = net.createServer();
// [listen]
// Node >= 22.12 / 23.1: | zh: Node >= 22.12 / 23.1：
second.listen({ host: '127.0.0.1', port, reusePort: true })
// Node 20 ignores reusePort: make the socket by hand (FFI), then server.listen({ fd }) | zh: Node 20 会忽略 reusePort：用 FFI 手工创建 socket，再 server.listen({ fd })
// [/listen]
const [error] = await Promise.race([once(second, 'error'), once(second, 'listening').then(() => [null])]);
console.log(`second listen on ${port} with reusePort: ${error ? error.code : 'joined'}`);
second.close();

const listenFd = server._handle.fd;
// [successor]
// the successor gets the very same socket, and its one queue: | zh: 后继进程拿到的是同一个 socket，以及它唯一的队列：
const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 100)'], { stdio: ['ignore', 'inherit', 'inherit', listenFd] })
// [/successor]
await once(child, 'exit');
// [close]
server.close() // the same: its queued connections are reset | zh: 一样：它队列里的连接会被重置
// [/close]

// The dup reference-count leak (lesson 5), in Node: hand the listening socket to a helper that never
// serves it, close the server, and the port still listens — held by the helper (and by the dup, never
// closed). Prints the port; `ss -ltnp` then shows sleep holding it.
// Usage: node leak.mjs (starts `sleep 600` with the listening socket at its fd 3 and exits).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import koffi from 'koffi';

const dup = koffi.load('libc.so.6').func('int dup(int)');
const handler = (socket) => socket.end();

// [listen]
const server = net.createServer(handler).listen({ port: 0, host: '127.0.0.1', backlog: 2 })
// [/listen]
await once(server, 'listening');
const { port } = server.address();
// [file]
// Node has no File(); a dup needs the FFI: | zh: Node 没有 File()；要 dup 得靠 FFI：
const copy = dup(server._handle.fd)
// [/file]
const listenFd = copy; // the dup, like Go's f, goes to the helper
// [leak]
const child = spawn('sleep', ['600'], { stdio: ['ignore', 'ignore', 'ignore', listenFd] })
server.close() // the port still listens, held by sleep | zh: 端口仍在监听，由 sleep 持有
// [/leak]
console.log(`port ${port} held by sleep, pid ${child.pid}`);
child.unref();

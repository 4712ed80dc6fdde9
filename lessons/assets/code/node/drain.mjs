// Draining with this project's restart module (lesson 12): it closes the listener, then each connection
// once its response has ended; exit hooks run after the drain; a deadline cuts what is left.
import http from 'node:http';
import { Upgrader } from 'hotrestart-tutor/restart';

const accessLog = { flush: async () => {} };
const db = { end: async () => {} };

// [deadline]
const up = await Upgrader.create({ drainTimeoutMs: 30_000 })
// [/deadline]
// [in-flight]
// the module: the listener's close, then each connection once its response has ended | zh: 本模块：先关闭监听 socket，再在每个连接的响应结束后关闭它
// (ConnectionTracker: in flight = between 'request' and the response's 'finish') | zh: （ConnectionTracker：进行中 = 从 'request' 到响应的 'finish' 之间）
// [/in-flight]
// [exit-hooks]
up.onExit(async () => {
  await accessLog.flush() // after the drain: the requests in flight needed them | zh: 在排空之后：进行中的请求还需要它们
  await db.end()
})
// [/exit-hooks]
const server = http.createServer((request, response) => response.end('ok\n'));
await up.listen(server, 'http', { host: '127.0.0.1', port: 8080 });
await up.ready();

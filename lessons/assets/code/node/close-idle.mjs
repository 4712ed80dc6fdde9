// The common Node way to stop an HTTP server (lesson 12): server.close() stops accepting and, since Node
// 19, closes the idle keep-alive connections once; the answers still in flight say keep-alive, so their
// clients send again: close what is idle again until nothing is left. No Connection: close is sent.
// Usage: node close-idle.mjs (serves on 127.0.0.1 until SIGTERM).
import http from 'node:http';

const server = http.createServer((request, response) => response.end('ok\n')).listen(0, '127.0.0.1');
process.on('SIGTERM', () => {
  // [close]
  server.close() // Node >= 19: also closeIdleConnections(), once; no Connection: close | zh: Node >= 19：还会调用一次 closeIdleConnections()；不发 Connection: close
  // answers in flight said keep-alive, so close what is idle again until nothing is left: | zh: 进行中的响应说的是 keep-alive，所以反复关闭空闲连接，直到一个不剩：
  const poll = setInterval(() => server.closeIdleConnections(), 5)
  // [/close]
  server.once('close', () => clearInterval(poll));
});

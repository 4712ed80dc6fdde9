// Stopping to accept in Node (lesson 12) without touching the connections: net.Server's close on an
// http.Server closes the listener's fd only. http.Server#close (Node >= 19) also closes idle keep-alive
// connections. Usage: node stop-accepting.mjs (listens, stops accepting, exits).
import http from 'node:http';
import net from 'node:net';

const server = http.createServer((request, response) => response.end('ok\n'));
server.listen(0, '127.0.0.1', () => {
  // [stop]
  // stop accepting, keep the connections (what the module does): | zh: 停止 accept，保留连接（本模块的做法）：
  net.Server.prototype.close.call(server) // close(fd) of the listener only | zh: 只 close(fd) 监听 socket
  // not server.close(): since Node 19 it also closes idle keep-alive connections | zh: 不用 server.close()：从 Node 19 起它还会关闭空闲的 keep-alive 连接
  // [/stop]
});

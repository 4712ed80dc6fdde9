// HTTP/2's own way to drain (lesson 12): GOAWAY. A cleartext HTTP/2 (h2c) server on 127.0.0.1, port from
// the kernel. SIGHUP: server.close() only, which stops new connections but, on Node 20, sends no GOAWAY:
// an open session still takes new streams. SIGTERM: session.close() on every session, which sends GOAWAY
// naming the last stream the server will process; those finish, then the session closes, then the
// process exits. The restart module drains HTTP/2 the same way (packages/restart/src/connections.ts).
// Each event goes to the log file as one line, `<unix ms> <what>`.
// Usage: node goaway.mjs LOG (GET /slow?ms=N answers after N ms).
import { appendFileSync } from 'node:fs';
import http2 from 'node:http2';

const logFile = process.argv[2];
const log = (text) => (logFile ? appendFileSync(logFile, `${Date.now()} ${text}\n`) : console.log(text));

const server = http2.createServer(); // h2c: HTTP/2 without TLS
const sessions = new Set();
server.on('session', (session) => {
  sessions.add(session);
  session.once('close', () => sessions.delete(session));
});
server.on('stream', (stream, headers) => {
  const url = new URL(headers[':path'] ?? '/', 'http://x');
  const ms = url.pathname === '/slow' ? Number(url.searchParams.get('ms') ?? 100) : 0;
  if (ms) log(`stream ${stream.id} GET ${url.pathname}${url.search}: answering in ${ms} ms`);
  setTimeout(() => {
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'x-pid': String(process.pid) });
    stream.end(`ok ${process.pid}\n`);
    log(`stream ${stream.id}: answered`);
  }, ms);
});
server.listen(0, '127.0.0.1', () => log(`pid ${process.pid} listening on port ${server.address().port}`));
server.once('close', () => log('server closed: no session left'));

process.on('SIGHUP', () => {
  // [close]
  server.close() // no new connections; open sessions still take new streams | zh: 不再接受新连接；已打开的会话仍接受新的流
  // [/close]
  log('SIGHUP: server.close()');
});
process.on('SIGTERM', () => {
  log('SIGTERM: session.close() on every session');
  server.close();
  // [goaway]
  for (const session of sessions) session.close() // GOAWAY: names the last stream it will process | zh: GOAWAY：告知它会处理的最后一个流
  // the streams up to it finish; a client sends any later one on a new connection | zh: 在此之前的流照常完成；之后的流由客户端改用新连接发送
  // [/goaway]
});

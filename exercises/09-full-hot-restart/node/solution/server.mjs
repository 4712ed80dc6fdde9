// Exercise 9 — the whole hot restart. SIGHUP: start a successor that inherits the listener; once it
// serves, it tells us (SIGTERM) and we drain: no request in flight is lost, no keep-alive client hits a
// closed connection, and exactly one generation is left.
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import * as sys from './hotrestart-sys.mjs';

let draining = false;
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const ms = url.pathname === '/slow' ? Math.min(2000, Number(url.searchParams.get('ms')) || 100) : 0;
  setTimeout(() => {
    // While draining, every answer tells its keep-alive client to go: the client closes the connection
    // itself, after a complete response, and opens the next one to whoever accepts (the successor).
    if (draining) res.setHeader('Connection', 'close');
    res.end(`hello from ${process.pid}\n`);
  }, ms);
});

// 1. Inherit: LISTEN_FDS=1 means our listener is fd 3.
const inherited = sys.listenFds();
const predecessor = Number(process.env.READY_PID);
for (const name of ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', 'READY_PID']) delete process.env[name];
const onListening = () => {
  // 3. Ready means serving: only now may the predecessor leave.
  if (inherited.length > 0 && predecessor === process.ppid) process.kill(predecessor, 'SIGTERM');
};
if (inherited.length > 0) server.listen({ fd: inherited[0].fd }, onListening);
else server.listen(0, '127.0.0.1', onListening);

// 2. Restart: one successor at a time; one that dies before it is ready changes nothing for us.
let successor = null;
process.on('SIGHUP', () => {
  if (successor || draining) return;
  successor = spawn(process.execPath, process.argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit', sys.fdOf(server)],
    env: { ...process.env, LISTEN_FDS: '1', LISTEN_FDNAMES: 'http', READY_PID: String(process.pid) },
  });
  successor.once('exit', () => (successor = null));
});

// 4. Drain: stop accepting without closing idle connections (http.Server.close() would close them,
//    racing a client that is just sending on one), answer with Connection: close, exit when the last
//    connection has gone, and at the latest after 10 s.
process.on('SIGTERM', () => {
  if (draining) return;
  draining = true;
  net.Server.prototype.close.call(server, () => process.exit(0));
  setTimeout(() => process.exit(0), 10_000).unref();
});

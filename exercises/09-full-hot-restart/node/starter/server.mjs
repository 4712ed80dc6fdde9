// Exercise 9 — the whole hot restart. Make SIGHUP restart this server with zero failed requests.
// Read README.md for what the verifier does; exercises 1-3 and lessons 8-13 have every piece.
import http from 'node:http';
import * as sys from './hotrestart-sys.mjs';

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const ms = url.pathname === '/slow' ? Math.min(2000, Number(url.searchParams.get('ms')) || 100) : 0;
  setTimeout(() => res.end(`hello from ${process.pid}\n`), ms);
});

// TODO 1: a successor takes the listener it inherited (sys.listenFds(), server.listen({ fd })).
server.listen(0, '127.0.0.1');

process.on('SIGHUP', () => {
  // TODO 2: start the successor (the same command line) with the listener as its fd 3 and LISTEN_FDS=1.
  // TODO 3: the successor, once it serves, tells this process it may leave.
});

process.on('SIGTERM', () => {
  // TODO 4: drain: stop accepting, let requests in flight finish, let keep-alive clients go without
  //         closing a connection under them, then exit.
  process.exit(0);
});

void sys;

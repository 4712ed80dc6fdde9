// Exercise 4 — SCM_RIGHTS. Each generation serves HTTP and waits on a unix socket for the next one;
// the next generation, an unrelated process, connects there and must receive the listener itself.
import http from 'node:http';
import net from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as sys from './hotrestart-sys.mjs';

const server = http.createServer((req, res) => res.end(`hello from ${process.pid}\n`));

/** Connects to the previous generation's handover socket and receives its listener (one fd). */
async function receiveListener(path) {
  // TODO: connect to `path` (net.connect), keep libuv from reading the socket (pause() before the
  //       connection completes), then take the fd with sys.recvFds(sys.fdOf(conn), 1). The socket is
  //       non-blocking: EAGAIN means "nothing yet", try again a moment later.
  void path;
  return null;
}

/** Waits for the next generation on a unix socket in the private directory. */
function awaitSuccessor() {
  // TODO: one name for every generation, and a "stale" file removed before binding it... whose file is it?
  const path = join(process.env.EXERCISE_DIR, 'handover.sock');
  const handover = net.createServer((conn) => {
    // TODO: send our listener to the successor over conn (sys.sendFds, sys.fdOf(server)).
    conn.end();
    // Stop accepting, finish what is in flight, then leave (closing the handover server unlinks its path).
    server.close(() => handover.close(() => process.exit(0)));
  });
  rmSync(path, { force: true });
  handover.listen(path);
}

const fd = process.env.HANDOVER_FROM ? await receiveListener(process.env.HANDOVER_FROM) : null;
if (fd !== null) {
  server.listen({ fd }, awaitSuccessor);
} else {
  server.listen(0, '127.0.0.1', awaitSuccessor);
}

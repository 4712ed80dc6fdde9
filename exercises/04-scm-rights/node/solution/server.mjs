// Exercise 4 — SCM_RIGHTS. Each generation serves HTTP and waits on its own unix socket for the next
// one; the next generation, an unrelated process, connects there and receives the listener itself.
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import * as sys from './hotrestart-sys.mjs';

const server = http.createServer((req, res) => res.end(`hello from ${process.pid}\n`));

/** Connects to the previous generation's handover socket and receives its listener (one fd). */
async function receiveListener(path) {
  const conn = net.connect(path);
  // Keep libuv from reading: a plain read() takes the bytes and the kernel drops the fd riding on them.
  conn.pause();
  await new Promise((resolve, reject) => {
    conn.once('connect', resolve);
    conn.once('error', reject);
  });
  try {
    for (;;) {
      try {
        const { fds } = sys.recvFds(sys.fdOf(conn), 1);
        if (fds.length === 0) throw new Error(`no fd came with the message on ${path}`);
        return fds[0];
      } catch (error) {
        if (error.code !== 'EAGAIN') throw error; // the socket is non-blocking: nothing sent yet
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  } finally {
    conn.destroy();
  }
}

/** Waits for the next generation on a unix socket of our own: our pid in the name, in the private dir. */
function awaitSuccessor() {
  const handover = net.createServer((conn) => {
    sys.sendFds(sys.fdOf(conn), [sys.fdOf(server)]);
    conn.end();
    // The successor serves the same socket now. Stop accepting, finish what is in flight, then leave;
    // closing the handover server removes its path (libuv unlinks it) — ours, nobody else's.
    server.close(() => handover.close(() => process.exit(0)));
  });
  handover.listen(join(process.env.EXERCISE_DIR, `handover-${process.pid}.sock`));
}

if (process.env.HANDOVER_FROM) {
  const fd = await receiveListener(process.env.HANDOVER_FROM);
  server.listen({ fd }, awaitSuccessor);
} else {
  server.listen(0, '127.0.0.1', awaitSuccessor);
}

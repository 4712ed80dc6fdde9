// Known-wrong: every generation uses the same name, handover.sock, and removes a "stale" file before
// binding it. The previous generation, closing its handover server on the way out, unlinks the path
// its successor has just bound: the third generation finds nothing there.
import http from 'node:http';
import net from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as sys from './hotrestart-sys.mjs';

const server = http.createServer((req, res) => res.end(`hello from ${process.pid}\n`));

async function receiveListener(path) {
  const conn = net.connect(path);
  conn.pause();
  await new Promise((resolve, reject) => {
    conn.once('connect', resolve);
    conn.once('error', reject);
  });
  try {
    for (;;) {
      try {
        return sys.recvFds(sys.fdOf(conn), 1).fds[0];
      } catch (error) {
        if (error.code !== 'EAGAIN') throw error;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  } finally {
    conn.destroy();
  }
}

function awaitSuccessor() {
  const path = join(process.env.EXERCISE_DIR, 'handover.sock');
  const handover = net.createServer((conn) => {
    sys.sendFds(sys.fdOf(conn), [sys.fdOf(server)]);
    conn.end();
    server.close(() => handover.close(() => process.exit(0)));
  });
  rmSync(path, { force: true });
  handover.listen(path);
}

if (process.env.HANDOVER_FROM) {
  const fd = await receiveListener(process.env.HANDOVER_FROM);
  server.listen({ fd }, awaitSuccessor);
} else {
  server.listen(0, '127.0.0.1', awaitSuccessor);
}

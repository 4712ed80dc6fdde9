// Exercise 6 — readiness that means ready. A server that needs a warm-up before it can answer; on
// SIGHUP its successor warms up first, then serves, then says READY; only then does the old one go.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as sys from './hotrestart-sys.mjs';

let data = null; // the warmed-up data; null while cold

/** Reads data.json ({ "data": "...", "warmUpMs": 300 }) and takes warmUpMs: a wait standing in for
 *  filling caches, loading configuration, opening pools. */
async function warmUp() {
  const loaded = JSON.parse(readFileSync(join(process.env.EXERCISE_DIR, 'data.json'), 'utf8'));
  await new Promise((resolve) => setTimeout(resolve, loaded.warmUpMs));
  data = loaded.data;
}

const server = http.createServer((req, res) => {
  if (data === null) {
    res.writeHead(503).end('cold\n');
    return;
  }
  res.writeHead(200, { 'x-data': data }).end(`${data}\n`);
});

const inherited = sys.listenFds();
delete process.env.LISTEN_FDS; // meant for this process only
// Known-wrong: listens first, warms up after; READY is honest, but meanwhile the successor accepts
// its share of the clients and answers them cold.
if (inherited.length > 0) {
  server.listen({ fd: inherited[0].fd });
  await warmUp();
  writeSync(4, 'READY\n');
  closeSync(4);
} else {
  await warmUp();
  server.listen(0, '127.0.0.1');
}

process.once('SIGHUP', () => {
  // The successor: our listener as its fd 3, the write end of the readiness channel as its fd 4.
  const successor = spawn(process.execPath, process.argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit', sys.fdOf(server), 'pipe'],
    env: { ...process.env, LISTEN_FDS: '1' },
  });
  let said = '';
  successor.stdio[4].on('data', (chunk) => {
    said += chunk;
    // Keep serving until the successor is warm and serving; then stop accepting, finish, leave.
    if (said.includes('READY')) server.close(() => process.exit(0));
  });
});

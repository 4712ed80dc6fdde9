// Exercise 6 — readiness that means ready. A server that needs a warm-up before it can answer; on
// SIGHUP it starts a successor that must warm up, serve, and say READY; only then may the old one go.
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
if (inherited.length > 0) {
  // TODO: this successor says READY (fd 4) the moment it starts, then serves the inherited listener,
  //       then warms up. Put the three in the order that makes READY mean ready.
  writeSync(4, 'READY\n');
  closeSync(4);
  server.listen({ fd: inherited[0].fd });
  await warmUp();
} else {
  // TODO: the first generation, too: should it accept before it is warm?
  server.listen(0, '127.0.0.1');
  await warmUp();
}

process.once('SIGHUP', () => {
  // The successor: our listener as its fd 3, the write end of the readiness channel as its fd 4.
  const successor = spawn(process.execPath, process.argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit', sys.fdOf(server), 'pipe'],
    env: { ...process.env, LISTEN_FDS: '1' },
  });
  // TODO: when should the old process stop accepting? Now it goes as soon as the successor runs.
  server.close(() => process.exit(0));
  let said = '';
  successor.stdio[4].on('data', (chunk) => {
    said += chunk;
    if (said.includes('READY')) server.close(() => process.exit(0));
  });
});

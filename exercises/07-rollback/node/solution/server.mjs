// Exercise 7 — rollback. On SIGHUP this server starts a successor with its listener (fd 3) and a
// readiness channel (fd 4). A successor that crashes, or is not READY in time, is abandoned: the old
// process keeps serving as if nothing happened. One upgrade at a time.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as sys from './hotrestart-sys.mjs';

const READY_DEADLINE_MS = 1500;

// The configuration: a broken file makes this process fail at start (an uncaught error, exit 1).
const config = JSON.parse(readFileSync(join(process.env.EXERCISE_DIR, 'config.json'), 'utf8'));
const server = http.createServer((req, res) => res.writeHead(200, { 'x-version': config.version }).end(`${config.version}\n`));

const inherited = sys.listenFds();
delete process.env.LISTEN_FDS; // meant for this process only
await new Promise((resolve) => setTimeout(resolve, config.warmUpMs)); // the warm-up
if (inherited.length > 0) {
  server.listen({ fd: inherited[0].fd }, () => {
    writeSync(4, 'READY\n');
    closeSync(4);
  });
} else {
  server.listen(0, '127.0.0.1');
}

let upgrading = false;
process.on('SIGHUP', () => {
  if (upgrading) return; // one upgrade at a time: a second trigger is refused (and does not kill us)
  upgrading = true;
  const successor = spawn(process.execPath, process.argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit', sys.fdOf(server), 'pipe'],
    env: { ...process.env, LISTEN_FDS: '1' },
  });
  let said = '';
  // Roll back: the successor goes, we stay, and the next trigger may try again.
  const abandon = () => {
    clearTimeout(deadline);
    successor.kill('SIGKILL');
    upgrading = false;
  };
  const deadline = setTimeout(abandon, READY_DEADLINE_MS); // never ready
  successor.on('exit', () => {
    if (!said.includes('READY')) abandon(); // crashed before READY
  });
  successor.stdio[4].on('data', (chunk) => {
    said += chunk;
    if (!said.includes('READY')) return;
    clearTimeout(deadline);
    server.close(() => process.exit(0));
  });
});

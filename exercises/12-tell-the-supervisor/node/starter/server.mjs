// Exercise 12 — tell the supervisor. Your server runs under a Type=notify service manager, which named
// a unix datagram socket in NOTIFY_SOCKET. The hot restart already works (SIGUSR2: the successor takes
// the listener at fd 3 and writes READY on fd 4, then this process leaves); what the manager is told,
// by which process and when, does not. See README.md. The TODOs are where to work.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import * as sys from './hotrestart-sys.mjs';

const STARTUP_MS = 1200; // stands in for what a server does before it can answer: configuration, caches, pools

/** sd_notify(3) without libsystemd: one datagram of KEY=VALUE lines to the unix socket $NOTIFY_SOCKET. */
function sdNotify(state) {
  const path = process.env.NOTIFY_SOCKET;
  if (!path) return; // not under a manager
  const fd = sys.socket(sys.AF_UNIX, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC);
  try {
    sys.sendTo(fd, Buffer.from(state), { family: 'unix', path });
  } finally {
    sys.close(fd);
  }
}

const server = http.createServer((req, res) => res.end(`ok ${process.pid}\n`));
const inherited = sys.listenFds(); // a successor: LISTEN_FDS=1, the listener at fd 3
delete process.env.LISTEN_FDS; // meant for this process only

// TODO: is this the moment to say READY=1? And which process does the manager think the service is?
sdNotify('READY=1');

await new Promise((resolve) => setTimeout(resolve, STARTUP_MS));
const listening = () => {
  if (inherited.length > 0) {
    writeSync(4, 'READY\n'); // the predecessor may leave now
    closeSync(4);
  }
};
if (inherited.length > 0) server.listen({ fd: inherited[0].fd }, listening);
else server.listen(0, '127.0.0.1', listening);

process.once('SIGUSR2', () => {
  // The successor: our listener as its fd 3, the write end of a pipe as its fd 4.
  const successor = spawn(process.execPath, process.argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit', sys.fdOf(server), 'pipe'],
    env: { ...process.env, LISTEN_FDS: '1' },
  });
  let said = '';
  successor.stdio[4].on('data', (chunk) => {
    said += chunk;
    if (said.includes('READY')) server.close(() => process.exit(0));
  });
});

process.once('SIGTERM', () => {
  // TODO: the manager should hear that the service is stopping.
  server.close(() => process.exit(0));
});

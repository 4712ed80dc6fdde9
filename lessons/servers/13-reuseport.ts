// Lesson 13, strategy 2: restart by SO_REUSEPORT re-bind. Each generation makes its own socket with
// SO_REUSEPORT (by hand: Node 20 ignores listen({reusePort})) and binds the same port, so old and new
// listen side by side until the old one closes its socket.
//
// On SIGTERM the old process is busy for a moment before it closes its listener, as a real one often is
// (a slow request, a GC pause, its own shutdown work): its event loop is blocked, so it calls accept() no
// more, while the kernel goes on putting about half of the new connections in its accept queue. The
// busy spell ends when the file BUSY_END_FILE appears (the tutor creates it once it has read the queue),
// or after 3 s; then the listener is closed at once, in the same turn of the event loop. Without
// BUSY_END_FILE there is no busy spell.
// Environment: PORT (0: the kernel picks), BUSY_END_FILE, REPORT_FILE.
import { existsSync } from 'node:fs';
import * as sys from '../../src/sys/index.js';
import { createAppServer, leaveCarefully, report } from './13-common.js';

const BACKLOG = 511;
const BUSY_MAX_MS = 3000;

const fd = sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_NONBLOCK | sys.SOCK_CLOEXEC);
sys.setReusePort(fd);
sys.bind(fd, { family: 'inet', address: '127.0.0.1', port: Number(process.env.PORT || 0) });
sys.listen(fd, BACKLOG);
const { port } = sys.getsockname(fd) as { port: number };

const server = createAppServer();
server.listen({ fd, backlog: BACKLOG }, () => report('listening', { port, fd }));

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the event loop (5 ms sleeps, not a hot spin) until endFile appears or BUSY_MAX_MS pass. */
function beBusy(endFile: string): number {
  const startedAt = Date.now();
  while (!existsSync(endFile) && Date.now() - startedAt < BUSY_MAX_MS) Atomics.wait(sleeper, 0, 0, 5);
  return Date.now() - startedAt;
}

process.once('SIGTERM', () => {
  // Without BUSY_END_FILE this process is not busy at all: it closes its listener at once.
  const endFile = process.env.BUSY_END_FILE;
  if (endFile) {
    report('busy', { fd });
    report('busy-over', { busyMs: beBusy(endFile) });
  }
  leaveCarefully(server);
});

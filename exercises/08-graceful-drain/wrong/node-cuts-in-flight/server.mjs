// Exercise 8 — graceful drain. On SIGTERM: stop accepting, close idle keep-alive connections, let the
// requests in flight finish, cut what is still running at the deadline, run the exit hooks, exit.
import http from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DRAIN_DEADLINE_MS = 2000;
const pidFile = join(process.env.EXERCISE_DIR, 'server.pid');

const server = http.createServer((req, res) => {
  if (req.url === '/slow') {
    setTimeout(() => res.end('slow\n'), 800); // a request that takes a while
  } else if (req.url === '/stuck') {
    // A request stuck on a backend that never answers: only the deadline ends it.
  } else {
    res.end('hello\n');
  }
});
server.listen(0, '127.0.0.1', () => writeFileSync(pidFile, `${process.pid}\n`));

/** What must happen last, after every request has been answered or cut: here, remove the PID file. */
function exitHooks() {
  rmSync(pidFile, { force: true });
}

process.once('SIGTERM', () => {
  // Known-wrong: every connection is closed at once, the requests in flight with them.
  server.closeAllConnections();
  // Past the deadline, whatever still runs is cut: close() then calls back.
  const deadline = setTimeout(() => server.closeAllConnections(), DRAIN_DEADLINE_MS);
  // Stop accepting; the callback runs once every connection has ended.
  server.close(() => {
    clearTimeout(deadline);
    exitHooks();
    process.exit(0);
  });
  // Idle keep-alive connections would otherwise wait for their next request (close() does this too
  // since Node 19; said here because it is the point).
  server.closeIdleConnections();
});

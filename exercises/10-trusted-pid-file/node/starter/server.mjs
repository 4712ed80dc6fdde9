// Exercise 10 — a PID file a supervisor can trust. This server hot-restarts on SIGHUP (its successor
// inherits the listener, exercise 3) and must keep $EXERCISE_DIR/server.pid naming the process that
// serves: replaced in one step, never torn, never removed by a process it no longer names.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sys from './hotrestart-sys.mjs';

const pidFile = join(process.env.EXERCISE_DIR, 'server.pid');

/** Replaces server.pid with our pid in one step: a reader sees the old content or the new one, never
 *  an empty or half-written file. rename(2) within one directory is atomic. A stale file from a dead
 *  process is simply replaced. */
function writePidFile() {
  // TODO: a supervisor that reads the file while this runs may find it empty. Write it so that a
  //       reader sees the old content or the new one, never anything in between.
  writeFileSync(pidFile, `${process.pid}\n`);
}

/** Removes server.pid, but only while it names us: after a handover it names the successor. */
function removePidFile() {
  try {
    if (Number(readFileSync(pidFile, 'utf8').trim()) === process.pid) rmSync(pidFile);
  } catch {
    // Already gone.
  }
}

const server = http.createServer((req, res) => res.end(`hello from ${process.pid}\n`));
const inherited = sys.listenFds();
delete process.env.LISTEN_FDS; // meant for this process only
if (inherited.length > 0) {
  server.listen({ fd: inherited[0].fd }, writePidFile);
} else {
  server.listen(0, '127.0.0.1', writePidFile);
}

process.once('SIGHUP', () => {
  spawn(process.execPath, process.argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit', sys.fdOf(server)],
    env: { ...process.env, LISTEN_FDS: '1' },
  });
  // TODO: the successor writes its own pid once it serves. Whose pid does server.pid hold when this
  //       process removes it?
  server.close(() => {
    rmSync(pidFile, { force: true });
    process.exit(0);
  });
});

process.once('SIGTERM', () => {
  server.close(() => {
    removePidFile();
    process.exit(0);
  });
});

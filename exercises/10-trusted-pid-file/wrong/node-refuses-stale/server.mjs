// Exercise 10 — a PID file a supervisor can trust. This server hot-restarts on SIGHUP (its successor
// inherits the listener, exercise 3) and keeps $EXERCISE_DIR/server.pid naming the process that
// serves: replaced in one step, never torn, never removed by a process it no longer names.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sys from './hotrestart-sys.mjs';

const pidFile = join(process.env.EXERCISE_DIR, 'server.pid');

/** Replaces server.pid with our pid in one step: a reader sees the old content or the new one, never
 *  an empty or half-written file. rename(2) within one directory is atomic. A stale file from a dead
 *  process is simply replaced. */
function writePidFile() {
  // Known-wrong: "another instance is running" whenever the file exists, even when the pid in it is
  // long dead.
  try {
    writeFileSync(pidFile, `${process.pid}\n`, { flag: 'wx' });
  } catch {
    console.error(`${pidFile} exists: already running?`);
    process.exit(1);
  }
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
if (inherited.length === 0) writePidFile();
if (inherited.length > 0) {
  server.listen({ fd: inherited[0].fd }, writePidFile);
} else {
  server.listen(0, '127.0.0.1');
}

process.once('SIGHUP', () => {
  spawn(process.execPath, process.argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit', sys.fdOf(server)],
    env: { ...process.env, LISTEN_FDS: '1' },
  });
  // The successor writes its own pid once it serves; server.pid is not ours to touch any more.
  server.close(() => process.exit(0));
});

process.once('SIGTERM', () => {
  server.close(() => {
    removePidFile();
    process.exit(0);
  });
});

// Exercise 3 — inherit, never rebind. On SIGHUP this server starts its successor (the same program)
// and leaves; the successor must serve the very same listening socket.
import http from 'node:http';
import { spawn } from 'node:child_process';
import * as sys from './hotrestart-sys.mjs';

const server = http.createServer((req, res) => res.end(`hello from ${process.pid}\n`));

// A successor finds its listener where systemd would put it: LISTEN_FDS=1 means fd 3.
const inherited = sys.listenFds();
delete process.env.LISTEN_FDS; // meant for this process only, not for its own children
delete process.env.LISTEN_FDNAMES;
if (inherited.length > 0) {
  server.listen({ fd: inherited[0].fd });
} else {
  server.listen(0, '127.0.0.1');
}

process.once('SIGHUP', () => {
  // The successor: the same command line, our listener as its fd 3.
  spawn(process.execPath, process.argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit', sys.fdOf(server)],
    env: { ...process.env, LISTEN_FDS: '1', LISTEN_FDNAMES: 'http' },
  });
  // The successor holds the same description now; connections waiting in its accept queue stay there
  // for the successor. Stop accepting, finish what is in flight, leave.
  server.close(() => process.exit(0));
});

// Exercise 3 — inherit, never rebind. On SIGHUP this server starts its successor (the same program)
// and leaves; the successor must serve the very same listening socket.
import http from 'node:http';
import { spawn } from 'node:child_process';
import * as sys from './hotrestart-sys.mjs';

const server = http.createServer((req, res) => res.end(`hello from ${process.pid}\n`));

// TODO: a successor binds the port again (PORT below). Take the listener it inherited instead.
//       (sys.listenFds() reads LISTEN_FDS; server.listen({ fd }) serves an fd you already have.)
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');

process.once('SIGHUP', () => {
  const port = server.address().port;
  // The port must be free before the successor can bind it: close first, then start the successor.
  server.close();
  // TODO: hand the listener over instead (stdio index 3 is the successor's fd 3; LISTEN_FDS=1).
  spawn(process.execPath, process.argv.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PORT: String(port) },
  });
  server.on('close', () => process.exit(0));
});

// Exercise 2 — keep it non-blocking. An HTTP server that hands its listener to a watchdog child,
// inetd-style: the child gets the listening socket as its stdin (fd 0).
import http from 'node:http';
import { spawn } from 'node:child_process';
import * as sys from './hotrestart-sys.mjs';

const server = http.createServer((req, res) => res.end('hello\n'));

server.listen(0, '127.0.0.1', () => {
  const fd = sys.fdOf(server);
  // The watchdog holds the listener (it could take over if we died) and reads nothing from it.
  const watchdog = spawn(process.execPath, [new URL('./watchdog.mjs', import.meta.url).pathname], {
    stdio: [fd, 'inherit', 'inherit'],
  });
  // TODO: run `hotrestart-tutor fds <pid>` now and compare the FILE FLAGS of our listener with what
  //       they were before the spawn. What did handing it over as fd 0 change, and for whom?

  process.once('SIGTERM', () => {
    watchdog.kill('SIGKILL');
    server.close(() => process.exit(0));
  });
});

// Exercise 1 — close the dup. An HTTP server that lends its listener to a helper process.
// Run by the verifier as `node server.mjs`; `hotrestart-tutor verify` checks it.
import http from 'node:http';
import { spawn } from 'node:child_process';
import * as sys from './hotrestart-sys.mjs';

const server = http.createServer((req, res) => {
  // GET /slow answers after one second: the verifier keeps it in flight across a SIGTERM.
  const delay = req.url === '/slow' ? 1000 : 0;
  setTimeout(() => res.end('hello\n'), delay);
});

server.listen(0, '127.0.0.1', () => {
  // Lend the listener to the helper: a dup of our fd becomes the helper's fd 3.
  const dupFd = sys.dup(sys.fdOf(server));
  // dup() gives an fd without FD_CLOEXEC: without this line every child would inherit it as fd dupFd
  // too, besides fd 3. (spawn's dup2 onto fd 3 clears the flag there, so the helper still gets fd 3.)
  sys.setCloseOnExec(dupFd, true);
  const helper = spawn(process.execPath, [new URL('./helper.mjs', import.meta.url).pathname], {
    stdio: ['ignore', 'inherit', 'inherit', dupFd],
  });
  // The helper has its own fd for the same description now; ours is no longer needed.
  sys.close(dupFd);

  process.once('SIGTERM', () => {
    // Stop accepting; the callback runs once the requests in flight are answered.
    // Wrong: leaves at once, dropping the request in flight.
    server.close();
    helper.kill('SIGTERM');
    process.exit(0);
  });
});

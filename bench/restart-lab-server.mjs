// The server the restart lab restarts, in one of two strategies (STRATEGY):
//   module  hot restart with hotrestart-tutor/restart: SIGUSR2 starts a successor, which inherits the
//           listener; the old process hands its keep-alive connections over and exits.
//   naive   stop-and-start, done as carefully as it can be without a successor: on SIGTERM,
//           http.Server#close() (since Node 19 it also closes idle keep-alive connections), every later
//           response says Connection: close, exit once the last connection has closed; the lab then
//           starts a new process on the same port.
//   (pm2 runs it with STRATEGY=naive in its cluster mode: pm2 reload starts a new worker and, once that one
//   listens, stops the old one with SIGINT, which the naive server treats as SIGTERM.)
// Answers `ok <pid>` with an x-pid header; prints `{"pid":..,"port":..}` on stdout once it serves, and
// `{"drained":pid}` when a generation of the module has drained (LAB_LOG=1: the module's log lines on stderr). Plain JavaScript, run by plain node
// against the built package: production start-up cost, no TypeScript compiled at each start.
import http from 'node:http';

const port = Number(process.env.PORT || 0);
let closing = false;
const server = http.createServer((_request, response) => {
  // Without this, busy keep-alive clients would hold a closed server open for ever.
  if (closing) response.shouldKeepAlive = false;
  response.setHeader('x-pid', String(process.pid));
  response.end(`ok ${process.pid}\n`);
});
const announce = (actualPort) => process.stdout.write(JSON.stringify({ pid: process.pid, port: actualPort }) + '\n');

if (process.env.STRATEGY === 'module') {
  // Imported only here, so the naive server starts without loading the module (and koffi) at all.
  const { Upgrader } = await import('@hotrestart-tutor/restart');
  const up = await Upgrader.create({ pidFile: process.env.PID_FILE, log: process.env.LAB_LOG ? undefined : false });
  up.on('drained', () => process.stdout.write(JSON.stringify({ drained: process.pid }) + '\n'));
  const listener = await up.listen(server, 'http', { host: '127.0.0.1', port });
  await up.ready();
  announce(Number(listener.address.split(':').pop()));
} else {
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  announce(server.address().port);
  // SIGINT too: it is the signal pm2 stops (and, on reload, replaces) a process with, and pm2's documented
  // graceful shutdown is a SIGINT handler. Without it the old worker dies at once, mid-request.
  const shutDown = () => {
    if (closing) return;
    closing = true;
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', shutDown);
  process.on('SIGINT', shutDown);
}

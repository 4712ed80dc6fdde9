// Lesson 13, strategy 1: a plain Node HTTP server restarted by stop-and-start. It listens the ordinary
// way (libuv sets SO_REUSEADDR, so a restart can bind the port while old connections sit in TIME_WAIT);
// on SIGTERM it closes its listener, finishes what is open and exits. Then the launcher starts a new one.
// Environment: PORT (0: the kernel picks), REPORT_FILE.
import type { AddressInfo } from 'node:net';
import { createAppServer, leaveCarefully, listeningFd, report } from './13-common.js';

const server = createAppServer();
server.listen({ host: '127.0.0.1', port: Number(process.env.PORT || 0) }, () => {
  report('listening', { port: (server.address() as AddressInfo).port, fd: listeningFd(server) });
});
process.once('SIGTERM', () => leaveCarefully(server));

// What lesson 13's three servers share: the answer (`ok <pid>`, with the pid in an x-pid header so the
// load can tell who answered), the report file through which the tutor learns what each process did
// (they run with stdout and stderr on /dev/null, like daemons), and the careful way an old server leaves
// when there is no successor to hand its connections to.
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const reportFile = process.env.REPORT_FILE;
/** Fields every report of this process carries (the handover server adds its generation). */
export const reportFields: Record<string, unknown> = {};

/** One JSON line appended to REPORT_FILE (O_APPEND: several processes share the file, lines stay whole). */
export function report(event: string, fields: Record<string, unknown> = {}): void {
  if (!reportFile) return;
  appendFileSync(reportFile, JSON.stringify({ event, pid: process.pid, at: Date.now(), ...reportFields, ...fields }) + '\n');
}

process.on('uncaughtException', (error) => {
  report('error', { text: error.message });
  process.exit(1);
});

let leaving = false;

export function createAppServer(): http.Server {
  return http.createServer((_request, response) => {
    // Once leaving, every response ends its connection, so keep-alive clients reconnect elsewhere.
    if (leaving) response.shouldKeepAlive = false;
    response.setHeader('x-pid', String(process.pid));
    response.end(`ok ${process.pid}\n`);
  });
}

/** The fd libuv listens on (Node has no public accessor). */
export function listeningFd(server: net.Server): number {
  return (server as unknown as { _handle: { fd: number } })._handle.fd;
}

/**
 * Stop accepting, finish what is open, exit: what a careful server does on SIGTERM. Only the listening
 * fd is closed (http.Server#close would also drop idle keep-alive connections, racing a request that
 * may be on its way); responses from now on say Connection: close; exit once no connection is left,
 * or after deadlineMs.
 */
export function leaveCarefully(server: http.Server, deadlineMs = 3000): void {
  leaving = true;
  const fd = listeningFd(server);
  net.Server.prototype.close.call(server, () => exit('drained'));
  report('closed', { fd });
  setTimeout(() => exit('deadline'), deadlineMs).unref();
}

function exit(reason: string): void {
  report('exit', { reason });
  process.exit(0);
}

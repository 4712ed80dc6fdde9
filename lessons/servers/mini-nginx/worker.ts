// A mini-nginx worker process. Started by the master with the listening sockets already at their fds (the
// master's own open file descriptions: one accept queue shared by every worker) and the IPC channel; it
// waits for its config on the channel, accepts on every listener, and says `ready`.
//
// Like nginx's worker: on the master's `quit` (or SIGQUIT) it closes its listening fds, lets the requests in
// flight finish (idle keep-alive connections are closed, the others end with `Connection: close`) and exits;
// on `terminate` (or SIGTERM/SIGINT) it exits at once; HUP and USR2 are not for workers and are ignored.
import http from 'node:http';
import { setCloseOnExec } from '../../../src/sys/fd.js';
import { answer, serverFor } from './answer.js';
import { signalLine, TITLE, type StartMessage, type ToMaster, type ToWorker } from './channel.js';
import { ErrorLog } from './log.js';

let log: ErrorLog | undefined;
const servers: http.Server[] = [];
let exiting = false;

const tell = (message: ToMaster) => process.send?.(message);

function start(message: StartMessage): void {
  const { conf, listeners } = message;
  log = ErrorLog.onStderr(message.log.file, message.log.level);
  let listening = 0;
  for (const listener of listeners) {
    const server = serverFor(conf, listener);
    if (!server) continue;
    const httpServer = http.createServer((request, response) => {
      // Once shutting down, every response ends its connection: the client's next request goes to a worker
      // that still accepts.
      if (exiting) response.shouldKeepAlive = false;
      answer(conf, server, request, response);
    });
    httpServer.on('error', (error) => {
      log?.log('emerg', `listen() on the inherited socket #${listener.fd} failed (${error.message})`);
      process.exit(2);
    });
    httpServer.listen({ fd: listener.fd }, () => {
      if (++listening === servers.length) ready(listeners.map((l) => l.fd));
    });
    servers.push(httpServer);
  }
  if (servers.length === 0) ready([]);
  process.on('SIGQUIT', () => shutDown(signalLine('SIGQUIT', 'shutting down')));
  process.on('SIGWINCH', () => (message.daemonized ? shutDown(signalLine('SIGWINCH', 'shutting down')) : log?.log('notice', signalLine('SIGWINCH'))));
}

/**
 * Listening: the title says so, as nginx's worker takes its title once initialised (so a worker that shows
 * `mini-nginx: worker process` accepts). Node marks every inherited fd close-on-exec as it starts
 * (libuv's uv_disable_stdio_inheritance); a forked nginx worker holds its listeners and stderr without
 * FD_CLOEXEC, as its master does, so the flag is cleared for the fd tables of both programs to read the same.
 */
function ready(fds: number[]): void {
  for (const fd of [2, ...fds]) setCloseOnExec(fd, false);
  process.title = TITLE.worker;
  tell({ type: 'ready' });
}

/** Graceful: stop accepting, finish the requests in flight, exit. */
function shutDown(signalText?: string): void {
  if (signalText) log?.log('notice', signalText);
  if (exiting) return;
  exiting = true;
  log?.log('notice', 'gracefully shutting down');
  process.title = TITLE.workerLeaving;
  let open = servers.length;
  const closed = () => {
    if (--open > 0) return;
    log?.log('notice', 'exiting');
    leave();
  };
  // http.Server#close closes the listening fd (this process's only: the description lives on in the
  // master and the other workers) and the idle keep-alive connections, and calls back once the
  // connections in flight have ended.
  for (const server of servers) server.close(closed);
  if (open === 0) closed();
}

function terminate(signalText?: string): void {
  if (signalText) log?.log('notice', signalText);
  log?.log('notice', 'exiting');
  leave();
}

function leave(): never {
  log?.log('notice', 'exit');
  process.exit(0);
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'start') start(message);
  else if (message.type === 'quit') shutDown();
  else if (message.type === 'terminate') terminate();
  else if (message.type === 'reopen') {
    log?.log('notice', 'reopening logs');
    log?.reopen();
  }
});
process.on('SIGTERM', () => terminate(signalLine('SIGTERM', 'exiting')));
process.on('SIGINT', () => terminate(signalLine('SIGINT', 'exiting')));
for (const signal of ['SIGHUP', 'SIGUSR2'] as const) process.on(signal, () => log?.log('notice', signalLine(signal, 'ignoring')));
process.on('SIGUSR1', () => {
  log?.log('notice', signalLine('SIGUSR1', 'reopening logs'));
  log?.reopen();
});
// The master is gone for good only if the channel closes while this worker still serves: nginx's workers
// keep serving then, and so does this one (the run's warden ends it with the tutor).
process.on('disconnect', () => {});

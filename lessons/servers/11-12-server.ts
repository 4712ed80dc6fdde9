// The HTTP server of lessons 11, 12 and 17: an application built on the restart module (packages/restart), as small
// as it can be. Like a daemon it runs with stdout and stderr on /dev/null; every generation appends JSON
// lines to REPORT_FILE (src/lesson/demo-servers.ts reads them): its log lines (the module's included),
// each change of the upgrader's state, `holding` (warming up until the lesson says so), `listening` and `ready`. It reads its knobs at start-up from
// KNOB_FILE, a JSON object the lesson rewrites before each upgrade:
//   holdUntil       warm up until this file exists (the lesson decides when start-up is over)
//   startDelayMs    warm up this long (a cache to fill, a configuration to load)
//   crash           exit with code 1 during start-up, before ready()
//   order           'endless': tell the parent to shut down as soon as the listener is here, before warming
//                   up (what github.com/fvbock/endless does); default: the module's order (ready, then drain)
//   idle            'close': drain the common Node way, not the module's (see drainTheNodeWay); default: the
//                   module hands idle connections over
//   drainTimeoutMs  the drain deadline of this generation
//   label           a name for this process in every report (the lesson's name for it, e.g. 'broken')
// Endpoints: /  ->  ok <pid> (header x-pid);  /slow?ms=N  ->  the same after N ms.
// Signals: SIGUSR2 upgrades (the module's trigger); SIGHUP upgrades too (wired here, as an application may);
// SIGTERM shuts down the way endless does: stop accepting, finish requests, exit, whatever the module is doing.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { ENV, Upgrader, type UpgraderState } from '@hotrestart-tutor/restart';

interface Knobs {
  holdUntil?: string;
  startDelayMs?: number;
  crash?: boolean;
  order?: 'endless' | 'module';
  idle?: 'close' | 'handoff';
  drainTimeoutMs?: number;
  label?: string;
}

const knobFile = process.env.KNOB_FILE;
const knobs: Knobs = knobFile && existsSync(knobFile) ? (JSON.parse(readFileSync(knobFile, 'utf8')) as Knobs) : {};
// Read before Upgrader.create takes the variables out of the environment: its first line comes before it returns.
let generation = Number(process.env[ENV.generation]) || 1;
let watched: Upgrader | undefined;
let lastState: UpgraderState = 'starting';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One JSON line per write (O_APPEND: every generation shares the file and lines stay whole). */
function report(event: string, fields: Record<string, unknown> = {}): void {
  if (!process.env.REPORT_FILE) return;
  appendFileSync(process.env.REPORT_FILE, JSON.stringify({ event, pid: process.pid, at: Date.now(), generation, label: knobs.label, ...fields }) + '\n');
}
/** The module has no state-change event, but it logs right after each change: look before each line. */
function noteState(): void {
  if (!watched || watched.state === lastState) return;
  report('state', { from: lastState, to: watched.state });
  lastState = watched.state;
}
function log(text: string): void {
  noteState();
  report('log', { text });
}

const up = await Upgrader.create({
  trigger: 'SIGUSR2',
  startupTimeoutMs: 15_000,
  drainTimeoutMs: knobs.drainTimeoutMs ?? 10_000,
  handoffConnections: knobs.idle !== 'close',
  // Lesson 12 shows a draining process without its listener; by default the module keeps a duplicate for a rollback.
  rollback: false,
  log,
});
generation = up.generation;
watched = up;
log(`started${up.parentPid ? ` by pid ${up.parentPid}` : ''}; knobs ${JSON.stringify(knobs)}`);
void up.exited.then(noteState);

if (knobs.crash) {
  log('crashing during start-up: exit(1)');
  process.exit(1);
}
if (knobs.order === 'endless' && up.parentPid) {
  // endless: the child signals its parent as soon as it holds the listener, before it can serve.
  log(`endless order: kill(${up.parentPid}, SIGTERM) before warming up`);
  process.kill(up.parentPid, 'SIGTERM');
}
if (knobs.startDelayMs) {
  log(`warming up for ${knobs.startDelayMs} ms`);
  await sleep(knobs.startDelayMs);
}
if (knobs.holdUntil) {
  log('warming up until the tutor says so');
  report('holding');
  while (!existsSync(knobs.holdUntil)) await sleep(10);
}

const server = http.createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://x');
  const answer = () => {
    response.setHeader('x-pid', String(process.pid));
    response.end(`ok ${process.pid}\n`);
  };
  if (url.pathname !== '/slow') return answer();
  const ms = Number(url.searchParams.get('ms') ?? 100);
  log(`GET ${request.url}: answering in ${ms} ms`);
  const timer = setTimeout(() => {
    answer();
    log(`GET ${request.url}: answered`);
  }, ms);
  response.once('close', () => {
    clearTimeout(timer);
    if (!response.writableFinished) log(`GET ${request.url}: the connection was closed before the answer`);
  });
});
// Node's default (5 s) would close idle keep-alive connections by itself while the learner reads.
server.keepAliveTimeout = 120_000;

// idle 'close' (lesson 12): the module must not drain the HTTP connections, or its responses would say
// Connection: close. So the module gets a plain TCP server (connections it leaves to the application, up
// to the deadline) that passes each connection to the HTTP server, and the application drains them itself.
const nodeWay = knobs.idle === 'close';
const front = nodeWay ? net.createServer((socket) => server.emit('connection', socket)) : server;
// Node builds the list closeIdleConnections() reads on 'listening'; this server never listens itself.
if (nodeWay) server.emit('listening');
const open = new Set<net.Socket>();
front.on('connection', (socket: net.Socket) => {
  open.add(socket);
  socket.once('close', () => open.delete(socket));
});

/**
 * The common Node way, as a server stopped with server.close() drains (plain http, Express, Koa): close()
 * calls closeIdleConnections() once (Node >= 19), and answers still in flight say Connection: keep-alive,
 * so their clients send again; to finish, closeIdleConnections() again until no connection is left (Go's
 * Shutdown polls the same way, but its answers say Connection: close). No warning: a request on its way to
 * a connection idle at that instant is lost.
 */
function drainTheNodeWay(): void {
  const startedAt = Date.now();
  let closed = 0;
  let calls = 0;
  const closeIdle = (close: () => void) => {
    const alive = [...open].filter((socket) => !socket.destroyed);
    close();
    calls++;
    closed += alive.filter((socket) => socket.destroyed).length;
    if ([...open].some((socket) => !socket.destroyed)) return;
    clearInterval(poll);
    log(`server.close() drain in ${Date.now() - startedAt} ms: ${closed} idle connections closed by ${calls} call${calls === 1 ? '' : 's'} of closeIdleConnections()`);
  };
  const poll = setInterval(() => closeIdle(() => server.closeIdleConnections()), 5);
  closeIdle(() => server.close());
  // The module's deadline ends what is left.
  void up.exited.then(() => clearInterval(poll));
}
if (nodeWay) up.on('successor-ready', drainTheNodeWay);

const listener = await up.listen(front, 'http', { host: '127.0.0.1', port: 0 });
report('listening', { port: Number(listener.address.split(':').pop()), fd: listener.fd, inherited: listener.inherited });
up.onExit(() => log('exit hook: flushing the access log, closing the database pool'));
process.on('SIGHUP', () => {
  log('SIGHUP received');
  void up.upgrade();
});
process.on('SIGTERM', () => {
  log('SIGTERM received: closing the listener, finishing requests, then exit');
  front.close(() => process.exit(0));
});
await up.ready();
report('ready');

// A connection handed over under a name this process does not listen on. A predecessor that knows the
// LISTENERS line never sends one (it ends those connections itself, while it can still answer them); one
// older than the line hands over everything. Nothing here will ever answer such a connection: the
// successor's listeners are settled by ready(), before adoption starts, and an unclaimed inherited listener
// is closed there. So it is ended at once, and the way HTTP allows:
//  - nothing arrived yet: close it. The receive buffer is empty, so the client gets a FIN, not a reset, and
//    a client may always see an idle keep-alive connection close (RFC 9112, 9.3.1); its next request goes
//    on a new connection;
//  - a request is already waiting (sent while the connection changed hands): answer it 503 Service
//    Unavailable with Connection: close, so the client knows it was not processed; closing with unread
//    bytes would reset the connection and leave the client guessing.
// Handed-over connections are plain HTTP/1 (the predecessor hands over nothing else).
import http from 'node:http';
import net from 'node:net';
import { POLLIN } from './sys/constants.js';
import { close } from './sys/fd.js';
import { pollOne } from './sys/socket.js';

/** A request that has started to arrive gets this long to arrive whole. */
const REQUEST_MS = 1000;

let answering: http.Server | null = null;

/** Ends the connection `fd` as described above. Never throws. */
export function endUnserved(fd: number): void {
  let waiting: boolean;
  try {
    waiting = (pollOne(fd, POLLIN, 0) & POLLIN) !== 0;
  } catch {
    waiting = false;
  }
  if (!waiting) {
    close(fd);
    return;
  }
  let socket: net.Socket;
  try {
    socket = new net.Socket({ fd, readable: true, writable: true });
  } catch {
    close(fd);
    return;
  }
  socket.setTimeout(REQUEST_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  // A server that never listens: Node's HTTP parsing and response writing for connections given to it.
  answering ??= http.createServer((_request, response) => {
    response.shouldKeepAlive = false;
    response.writeHead(503, { 'content-type': 'text/plain', connection: 'close' });
    response.end('this listener is not served by the process that now holds the connection\n');
  });
  answering.emit('connection', socket);
}

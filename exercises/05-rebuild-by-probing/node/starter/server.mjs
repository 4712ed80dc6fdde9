// Exercise 5 — rebuild by probing. This server is handed three sockets (fds 3, 4, 5, LISTEN_FDS=3)
// in an order nobody tells it, and no names: a TCP listener (the web service), a UDP socket (the
// echo service) and a unix stream listener (the admin service). It must ask the kernel what each one is.
import './activate.mjs';
import http from 'node:http';
import dgram from 'node:dgram';
import * as sys from './hotrestart-sys.mjs';

/** What the kernel says fd is: 'tcp' (an AF_INET/AF_INET6 stream), 'udp' (an AF_INET/AF_INET6
 *  datagram), 'unix' (an AF_UNIX stream) or null. */
function probe(fd) {
  // TODO: ask the kernel instead of assuming the order: sys.getsockoptInt(fd, sys.SOL_SOCKET,
  //       sys.SO_TYPE) (sys.SOCK_STREAM, sys.SOCK_DGRAM) and SO_DOMAIN (sys.AF_INET, sys.AF_UNIX).
  return { 3: 'tcp', 4: 'udp', 5: 'unix' }[fd] ?? null;
}

const services = {
  tcp: (fd) => http.createServer((req, res) => res.end('web\n')).listen({ fd }),
  udp: (fd) => {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (message, peer) => socket.send(message, peer.port, peer.address));
    socket.bind({ fd });
  },
  unix: (fd) => http.createServer((req, res) => res.end('admin\n')).listen({ fd }),
};

for (const { fd } of sys.listenFds()) {
  const kind = probe(fd);
  if (kind) services[kind](fd);
  else console.error(`fd ${fd}: not a socket this server serves`);
}

// Rebuilding what a successor inherited (lesson 10), in Node: the parent places five sockets and files at
// fds 3..7 of a child with their names in LISTEN_FDNAMES; the child probes each fd through the FFI (koffi),
// finds them by name, tries the wrong constructors (listen on the UDP socket and on a connected TCP socket)
// and then the right ones. Usage: node rebuild.mjs (the child is this file run with `child`).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import koffi from 'koffi';

const libc = koffi.load('libc.so.6');
const getsockopt = libc.func('int getsockopt(int, int, int, _Out_ int *, _Inout_ uint32_t *)');
const getsocknameRaw = libc.func('int getsockname(int, void *, _Inout_ uint32_t *)');
const [SOL_SOCKET, SO_TYPE, SO_ACCEPTCONN, SO_DOMAIN] = [1, 3, 30, 39];

/** One int option of a socket, or -1 when the call fails (ENOTSOCK for a file). */
function getsockoptInt(fd, level, name) {
  const value = [0];
  return getsockopt(fd, level, name, value, [4]) === 0 ? value[0] : -1;
}
/** The local IPv4 address as "ip:port", or null. */
function getsockname(fd) {
  const addr = Buffer.alloc(128);
  if (getsocknameRaw(fd, addr, [addr.length]) !== 0 || addr.readUInt16LE(0) !== 2) return null;
  return `${[...addr.subarray(4, 8)].join('.')}:${addr.readUInt16BE(2)}`;
}
function kindOf(fd) {
  // [probe]
  // Node exposes none of these for a bare fd; the FFI (koffi) makes the calls: | zh: Node 对一个裸 fd 不提供这些调用；由 FFI（koffi）来调用：
  const domain = getsockoptInt(fd, SOL_SOCKET, SO_DOMAIN)
  const type = getsockoptInt(fd, SOL_SOCKET, SO_TYPE)
  const listening = getsockoptInt(fd, SOL_SOCKET, SO_ACCEPTCONN) === 1
  const local = getsockname(fd)
  // [/probe]
  if (domain < 0) return 'not a socket';
  if (type === 2) return `udp ${local}`;
  return listening ? 'tcp-listener' : `tcp stream ${local}`;
}

const handler = (request, response) => response.end('ok\n');
const answer = (msg) => msg;

if (process.argv[2] === 'child') {
  // [names]
  const names = (process.env.LISTEN_FDNAMES ?? '').split(':')
  const byName = new Map(names.map((name, i) => [name, 3 + i]))
  if (kindOf(byName.get('http')) !== 'tcp-listener') throw new Error('fd for http is not a TCP listener')
  // [/names]
  for (const [name, fd] of byName) console.log(`fd ${fd} (${name}): ${kindOf(fd)}`);
  const tried = (fd) => new Promise((resolve) => net.createServer().on('error', (e) => resolve(`fd ${fd}: ${e.message}`)).on('listening', () => resolve(`fd ${fd}: listening`)).listen({ fd }));
  for (const fd of [4, 6]) console.log(await tried(fd));
  if (false) { // the two calls as the lesson shows them: run just above, each with its 'error' handler
    // [wrong]
    net.createServer().listen({ fd: 4 }) // 'error': listen EINVAL (uv_guess_handle: UDP); fd 4 untouched | zh: 'error'：listen EINVAL（uv_guess_handle 认出是 UDP）；fd 4 原封不动
    net.createServer().listen({ fd: 6 }) // 'error': listen EINVAL, and fd 6 is closed | zh: 'error'：listen EINVAL，而且 fd 6 被关掉了
    // [/wrong]
  }
  // [right]
  http.createServer(handler).listen({ fd: 3 })
  const dns = dgram.createSocket('udp4')
  dns.bind({ fd: 4 })             // Node 20: yes | zh: Node 20：可以
  dns.on('message', (msg, from) => dns.send(answer(msg), from.port, from.address))
  // [/right]
  dns.on('error', (error) => console.log(`dns: ${error.message}`));
  setTimeout(() => {
    console.log(`rebuilt http from fd 3 and dns from fd 4 (${dns.address().port})`);
    process.exit(0);
  }, 100);
} else {
  const server = http.createServer(handler).listen(0, '127.0.0.1');
  const admin = net.createServer().listen(0, '127.0.0.1');
  const udp = dgram.createSocket('udp4').bind(0, '127.0.0.1');
  await Promise.all([once(server, 'listening'), once(admin, 'listening'), once(udp, 'listening')]);
  const client = net.connect(server.address().port, '127.0.0.1');
  const [ws] = await once(server, 'connection');
  const [httpFd, dnsFd, adminFd, wsFd] = [server, udp, admin, ws].map((s) => s._handle.fd);
  const stateFd = fs.openSync('/dev/null', 'r');
  // [spawn]
  spawn(process.execPath, [process.argv[1], 'child'], {
    stdio: ['inherit', 'inherit', 'inherit', httpFd, dnsFd, adminFd, wsFd, stateFd], // fds 3..7 | zh: fd 3..7
    env: { ...process.env, LISTEN_FDS: '5', LISTEN_FDNAMES: 'http:dns:admin:ws:state' },
  })
  // [/spawn]
    .on('exit', () => {
      client.destroy();
      process.exit(0);
    });
}

// Passing a listener between two unrelated processes with SCM_RIGHTS (lesson 9), in Node. Node has no
// sendmsg(2) for a plain socket, so the unix socket and the message are made through the FFI (the
// project's src/sys). The old process serves HTTP and waits on handover-PID.sock; each process that
// connects gets the listener, and the one that answers "ready" takes over. `mistake` lets libuv read the
// message (the fd is lost); `paused` keeps libuv off the socket and reads it with recvmsg; `pair` uses
// Node's own channel: child.send('server', server) over the 'ipc' socketpair.
// Usage: node scm-rights.mjs old DIR · node scm-rights.mjs new|mistake|paused DIR PID · node scm-rights.mjs pair
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AF_UNIX, POLLIN, SOCK_CLOEXEC, SOCK_STREAM } from '@hotrestart-tutor/restart/internal/sys/constants';
import { close } from '@hotrestart-tutor/restart/internal/sys/fd';
import { recvFds, sendFds } from '@hotrestart-tutor/restart/internal/sys/scm';
import { accept4, bind, connect, listen, pollOne, recv, send, socket } from '@hotrestart-tutor/restart/internal/sys/socket';

const handler = (request, response) => response.end(`answered by ${process.pid}\n`);
const handle = (connection) => connection.end(`answered by ${process.pid}\n`);
const [mode, dir, pid] = process.argv.slice(2);
const path = dir && join(dir, `handover-${pid ?? process.pid}.sock`);

/** Waits, without blocking the event loop, until fd has something to read; false after ms. */
async function readable(fd, ms) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (pollOne(fd, POLLIN, 0)) return true;
  return false;
}

async function receiveAndServe() {
  // [dial]
  const sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0) // by hand again: see step 4 | zh: 又是手工做的：见第 4 步
  connect(sock, { family: 'unix', path })
  // [/dial]
  // [receive]
  const { fds: [fd] } = recvFds(sock)                // new, MSG_CMSG_CLOEXEC | zh: 新进程，MSG_CMSG_CLOEXEC
  // [/receive]
  // [new-serves]
  http.createServer(handler).listen({ fd }) // new | zh: 新进程
  // [/new-serves]
  send(sock, Buffer.from('ready'));
  close(sock);
  console.log(`new ${process.pid} serves on fd ${fd}`);
}

async function old() {
  const server = http.createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const listenFd = server._handle.fd;
  // [rendezvous]
  // Node has no sendmsg(2) for a plain socket, so the rendezvous is made by hand (FFI, src/sys) | zh: Node 没有给普通 socket 用的 sendmsg(2)，所以会合点只能手工做（FFI，src/sys）
  const ul = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
  bind(ul, { family: 'unix', path: join(dir, `handover-${process.pid}.sock`) })
  listen(ul, 511)
  // [/rendezvous]
  console.log(`pid ${process.pid} port ${server.address().port}`);
  for (;;) {
    await readable(ul, Infinity); // the event loop goes on serving meanwhile
    const connFd = accept4(ul, SOCK_CLOEXEC).fd;
    // [send]
    // FFI again (src/sys/scm.ts): msghdr + one cmsghdr, laid out by hand | zh: 还是 FFI（src/sys/scm.ts）：msghdr 加一个 cmsghdr，手工排布
    sendFds(connFd, [listenFd], 'fd')                  // old | zh: 旧进程
    // [/send]
    const ready = (await readable(connFd, 5000)) && recv(connFd, Buffer.alloc(8)) > 0;
    close(connFd);
    if (!ready) continue; // it went away without taking over
    // [old-leaves]
    // old, once new says it is ready: | zh: 旧进程，等新进程说它已就绪：
    server.close()
    // [/old-leaves]
    break;
  }
  close(ul);
  unlinkSync(path); // bound by hand: libuv does not know the name, so nobody else removes it
  // [unlink]
  const unixServer = net.createServer(handle).listen(path)
  // [/unlink]
  await once(unixServer, 'listening');
  // [unlink]
  unixServer.close() // libuv unlinks the path of a server it bound | zh: libuv 会 unlink 它自己 bind 的 server 的路径
  // [/unlink]
  await once(unixServer, 'close');
  console.log(`old: ${path} ${existsSync(path) ? 'still exists' : 'is gone'} after close`);
}

async function mistake() {
  // [mistake]
  const sock = net.connect(path)
  sock.on('data', (bytes) => {})   // libuv read(2)s the message: the fd is gone | zh: libuv 用 read(2) 读走了消息：fd 没了
  // [/mistake]
  const [bytes] = await once(sock, 'data');
  console.log(`mistake: read ${JSON.stringify(bytes.toString())}; the fd that came with it was dropped`);
  sock.destroy();
}

async function paused() {
  // [paused]
  // instead: keep libuv off the socket, then read it with recvmsg | zh: 正确做法：别让 libuv 碰这个 socket，再用 recvmsg 读它
  const sock = net.connect(path).pause()
  // [/paused]
  await once(sock, 'connect');
  await readable(sock._handle.fd, 5000);
  // [paused]
  const { fds } = recvFds(sock._handle.fd)
  // [/paused]
  console.log(`paused: received fd ${fds[0]}`);
  close(fds[0]);
  sock.destroy();
}

async function pair() {
  const server = net.createServer(handle).listen(0, '127.0.0.1');
  await once(server, 'listening');
  // [pair]
  const worker = spawn(process.execPath, [process.argv[1], 'worker'], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] })
  worker.send('server', server) // sendmsg(channel, {NODE_HANDLE…}, SCM_RIGHTS=[fd])
  // [/pair]
  await once(worker, 'message');
  const { port } = server.address();
  server.close();
  const connection = net.connect(port, '127.0.0.1');
  const [answer] = await once(connection, 'data');
  console.log(`pair: ${answer.toString().trim()} (the worker; the parent closed its server)`);
  worker.kill();
}

async function worker() {
  // [worker]
  process.on('message', (msg, server) => { server.on('connection', handle) })
  // [/worker]
  process.on('message', () => process.send('ready'));
}

const modes = { old, new: receiveAndServe, mistake, paused, pair, worker };
if (!modes[mode] || (mode !== 'pair' && mode !== 'worker' && !dir)) {
  console.error('usage: node scm-rights.mjs old DIR | new|mistake|paused DIR PID | pair');
  process.exit(2);
}
await modes[mode]();

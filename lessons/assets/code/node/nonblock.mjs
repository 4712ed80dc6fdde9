// O_NONBLOCK lives on the open file description (lesson 6), in Node: a worker inherits the listener at
// fd 3 and clears O_NONBLOCK there, for the parent too; libuv makes a child's stdio blocking, so a listener
// passed as stdin turns blocking for every holder; a blocking accept4 on a thread of its own is not woken
// by close, only by a client. Prints the listener's flags (octal, 04000 is O_NONBLOCK) after each stage.
// Usage: node nonblock.mjs (the worker is this file run with `worker`).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import koffi from 'koffi';

const libc = koffi.load('libc.so.6');
const [dup, close] = [libc.func('int dup(int)'), libc.func('int close(int)')];
const accept4 = libc.func('int accept4(int, void *, void *, int)');
const fcntlVariadic = libc.func('int fcntl(int, int, ...)');
/** fcntl(fd, cmd[, arg]): koffi wants a variadic argument's C type spelled out. */
const fcntl = (fd, cmd, arg) => (arg === undefined ? fcntlVariadic(fd, cmd) : fcntlVariadic(fd, cmd, 'int', arg));
const [F_SETFD, F_GETFL, F_SETFL, O_NONBLOCK, SOCK_CLOEXEC] = [2, 3, 4, 0o4000, 0o2000000];
const [addr, addrLen] = [null, null];
const handler = (socket) => socket.end();
const flags = (fd) => /flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))[1];

if (process.argv[2] === 'worker') {
  // [worker]
  net.createServer(handler).listen({ fd: 3 })
  // [/worker]
  // [clear-nonblock]
  // Node has no fcntl(); through the FFI (koffi): | zh: Node 没有 fcntl()；通过 FFI（koffi）调用：
  fcntl(3, F_SETFL, fcntl(3, F_GETFL) & ~O_NONBLOCK)
  // [/clear-nonblock]
  process.send(`worker cleared O_NONBLOCK on its fd 3: ${flags(3)}`);
  await once(process, 'message');
  // [flags]
  fcntl(3, F_SETFL, fcntl(3, F_GETFL) | O_NONBLOCK) // the description | zh: 打开文件描述
  fcntl(3, F_SETFD, 0)                             // this fd only | zh: 只改这一个 fd
  // [/flags]
  process.send(`worker set O_NONBLOCK again and cleared FD_CLOEXEC: ${flags(3)}`, () => process.exit(0));
} else {
  const server = net.createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const listenFd = server._handle.fd;
  const { port } = server.address();
  // [inherit]
  const worker = spawn(process.execPath, [process.argv[1], 'worker'], { stdio: ['ignore', 'inherit', 'inherit', listenFd, 'ipc'] })
  // [/inherit]
  console.log(await once(worker, 'message').then(([text]) => text), `· the parent's fd: ${flags(listenFd)}`);
  worker.send('go on');
  console.log(await once(worker, 'message').then(([text]) => text), `· the parent's fd: ${flags(listenFd)}`);
  await once(worker, 'exit');

  // [stdin]
  spawn('sleep', ['2'], { stdio: [listenFd, 'ignore', 'ignore'] })
  // libuv, in the child before exec: fcntl(0, F_SETFL, O_RDWR) | zh: libuv 在子进程里、exec 之前：fcntl(0, F_SETFL, O_RDWR)
  // [/stdin]
  await sleep(100);
  console.log(`after a child got the listener as stdin: ${flags(listenFd)}`);
  // [pass-above]
  // pass listeners at fd 3 and above, never as stdio 0..2: | zh: 监听 socket 要放在 fd 3 及以上，绝不要当作 stdio 0..2：
  const successor = spawn('sleep', ['0'], { stdio: ['ignore', 'inherit', 'inherit', listenFd] })
  // [/pass-above]
  await once(successor, 'exit');
  fcntl(listenFd, F_SETFL, fcntl(listenFd, F_GETFL) | O_NONBLOCK);

  const fd = listenFd;
  // [dup-blocking]
  // Node never does this on its own; by hand (FFI): | zh: Node 自己从不这样做；手工（FFI）：
  const copy = dup(fd)
  fcntl(copy, F_SETFL, fcntl(copy, F_GETFL) & ~O_NONBLOCK)
  // [/dup-blocking]
  console.log(`after a dup made blocking: the listener's own fd ${flags(fd)}`);
  const done = (error, connFd) => console.log(connFd >= 0 ? `the sleeping accept4 returned fd ${connFd} after close: a client woke it` : `accept4 failed (${koffi.errno()})`);
  // [accept]
  // libuv never sleeps in accept: it waits in epoll and accepts when told. | zh: libuv 从不睡在 accept 里：它在 epoll 里等，被通知了才 accept。
  // A sleeping accept needs a thread of its own (koffi runs it on the libuv pool): | zh: 要让 accept 睡着，得给它一个单独的线程（koffi 在 libuv 线程池上运行它）：
  accept4.async(copy, addr, addrLen, SOCK_CLOEXEC, done)
  await sleep(200) // let the thread reach accept(2) | zh: 让线程先进入 accept(2)
  close(copy)
  // [/accept]
  server.close(); // the listener's own fd: now no fd refers to the socket
  await sleep(200);
  const client = net.connect(port, '127.0.0.1'); // nothing has an fd for the socket, yet it is still in LISTEN
  await once(client, 'connect');
  client.destroy();
  await sleep(100);
  // [keep]
  // Node: libuv keeps its listeners non-blocking; the danger is another | zh: Node：libuv 让它的监听 socket 保持非阻塞；危险来自同一个
  // holder of the same description clearing O_NONBLOCK (steps 2 and 4). | zh: 打开文件描述的其他持有者清掉 O_NONBLOCK（第 2 步和第 4 步）。
  // [/keep]
}

// The Node side of lesson 6's Go handover: Node has no File(), so the parent passes its listener's own fd,
// and neither side's mode changes: libuv waits in epoll, so no thread can sleep in accept(2). Prints the
// flags of the listening fd in the parent and in the child (octal, 04000 is O_NONBLOCK).
// Usage: node handover.mjs (the child is this file run with `child`).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';

const handler = (socket) => socket.end();
const flags = (fd) => /flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))[1];

if (process.argv[2] === 'child') {
  // [rebuild]
  // libuv waits in epoll and calls accept4 only when told: a blocking | zh: libuv 在 epoll 里等待，只在被通知时才调用 accept4：
  // description cannot make it sleep in accept(2); in the child: | zh: 阻塞的打开文件描述没法让它睡在 accept(2) 里；子进程里：
  net.createServer(handler).listen({ fd: 3 }) // also sets O_NONBLOCK | zh: 同样会设置 O_NONBLOCK
  // [/rebuild]
  console.log(`child: fd 3 flags ${flags(3)}`);
  process.exit(0);
} else {
  const server = net.createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const listenFd = server._handle.fd;
  // [start]
  // Node has no File(): spawn places the listener's own fd at the child's fd 3, | zh: Node 没有 File()：spawn 把监听 socket 自己的 fd 放到子进程的 fd 3，
  // and libuv changes no mode for fds above 2 (step 1) | zh: 而 libuv 不改变 2 号以上 fd 的模式（第 1 步）
  const child = spawn(process.execPath, [process.argv[1], 'child'], { stdio: ['ignore', 'inherit', 'inherit', listenFd] })
  // [/start]
  console.log(`parent: fd ${listenFd} flags ${flags(listenFd)}`);
  await once(child, 'exit');
  server.close();
}

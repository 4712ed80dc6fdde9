// Inheritance and close-on-exec (lesson 4), in Node: execve keeps every fd without FD_CLOEXEC at its own
// number (a dup made through the FFI reaches `sleep` unasked); stdio[3], stdio[4] land at fds 3 and 4; Node
// marks what it inherited close-on-exec at start-up; the environment tells the child what it got, and
// LISTEN_PID, set by a shell between fork and exec, says for which pid. Prints what each child holds.
// Usage: node cloexec.mjs (the children are this file run with `heir` or `activated`).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import koffi from 'koffi';

const libc = koffi.load('libc.so.6');
const [dup, close] = [libc.func('int dup(int)'), libc.func('int close(int)')];
const handler = (socket) => socket.end();
/** A process's fds above 2, from /proc. */
const fdsOf = (pid) => readdirSync(`/proc/${pid}/fd`).map(Number).filter((fd) => fd > 2).sort((a, b) => a - b).join(',');
/** Starts a command, lets it exec, prints its fds above 2 and ends it. */
async function show(name, child) {
  await sleep(100);
  console.log(`${name} holds fds ${fdsOf(child.pid) || 'none'}`);
  child.kill();
  await once(child, 'exit');
}

if (process.argv[2] === 'heir') {
  // [markers]
  if (process.env.HOT_RESTART === '1') {
    const n = Number(process.env.LISTEN_FDS)
    for (let i = 0; i < n; i++) net.createServer(handler).listen({ fd: 3 + i })
  }
  // [/markers]
  // [remark]
  // Node did this at start-up: fcntl(3, F_SETFD, FD_CLOEXEC), fcntl(4, ...) | zh: Node 启动时做过这件事：fcntl(3, F_SETFD, FD_CLOEXEC)、fcntl(4, ...)
  const grandchild = spawn('sleep', ['600'], { stdio: 'ignore' })                      // gets no fd 3 | zh: 拿不到 fd 3
  const listed = spawn('sleep', ['600'], { stdio: ['ignore', 'ignore', 'ignore', 3] }) // would: listed again | zh: 能拿到：又被列出了一次
  // [/remark]
  await show('heir: sleep with nothing listed', grandchild);
  await show('heir: sleep with fd 3 listed', listed);
  process.exit(0);
} else if (process.argv[2] === 'activated') {
  // [activated]
  if (Number(process.env.LISTEN_PID) === process.pid) net.createServer(handler).listen({ fd: 3 })
  // [/activated]
  console.log(`activated ${process.pid}: LISTEN_PID ${process.env.LISTEN_PID}, LISTEN_FDS ${process.env.LISTEN_FDS}`);
  process.exit(0);
} else {
  // [two-fds]
  const server = net.createServer(handler).listen(0, '127.0.0.1') // SOCK_CLOEXEC
  // [/two-fds]
  await once(server, 'listening');
  // [two-fds]
  const leaked = dup(server._handle.fd) // through the FFI (koffi): no FD_CLOEXEC | zh: 通过 FFI（koffi）：不带 FD_CLOEXEC
  // [/two-fds]
  console.log(`listener fd ${server._handle.fd}, leaked dup fd ${leaked}`);
  // [exec-keeps]
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' }) // fd D reaches sleep all the same | zh: fd D 照样进了 sleep
  // [/exec-keeps]
  await show('sleep', sleeper);
  close(leaked); // plug the leak before the next children (step 3 sets FD_CLOEXEC instead)

  const admin = net.createServer(handler).listen(0, '127.0.0.1');
  await once(admin, 'listening');
  // [listed]
  const heir = spawn(process.execPath, [process.argv[1], 'heir'], {
    stdio: ['ignore', 'inherit', 'inherit', server._handle.fd, admin._handle.fd], // fd 3, fd 4
    env: { ...process.env, HOT_RESTART: '1', LISTEN_FDS: '2' },
  })
  // [/listed]
  await once(heir, 'exit');

  // [listen-pid]
  const activated = spawn('/bin/sh', ['-c', 'export LISTEN_PID=$$; exec "$0" "$@"', process.execPath, process.argv[1], 'activated'], {
    stdio: ['ignore', 'inherit', 'inherit', server._handle.fd],
    env: { ...process.env, LISTEN_FDS: '1' },
  })
  // [/listen-pid]
  await once(activated, 'exit');
  server.close();
  admin.close();
}

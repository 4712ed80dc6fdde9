// fork() from Node (lesson 2): Node has no fork API, so this calls libc's through the FFI (koffi), as the
// lesson's launcher does; and the way Node really starts a child, spawn (libuv's fork + execve in C).
// Usage: node fork.mjs — the forked child leaves at once through _exit, the spawned one is a short sleep.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import koffi from 'koffi';

const _exit = koffi.load('libc.so.6').func('void _exit(int)');

// [fork]
const fork = koffi.load('libc.so.6').func('int fork()')
const pid = fork() // parent: the child's pid; child: never gets to use the 0 | zh: 父进程：得到子进程的 pid；子进程：根本用不上这个 0
// [/fork]
// The child has one thread and a heap whose other threads vanished: it leaves before touching either.
if (pid === 0) _exit(0);
console.log(`fork() returned ${pid} in the parent`);

const server = net.createServer().listen(0, '127.0.0.1');
await once(server, 'listening');
const listenFd = server._handle.fd;
// [spawn]
const child = spawn('/bin/sleep', ['0.1'], {
  stdio: ['inherit', 'inherit', 'inherit', listenFd], // the child's fd 3 | zh: 子进程的 fd 3
})
// child_process.fork('app.js') is the same: fork + exec of a new node, plus an IPC channel | zh: child_process.fork('app.js') 也一样：fork + exec 一个新的 node，外加一条 IPC 通道
// [/spawn]
await once(child, 'exit');
server.close();
console.log(`spawn started ${child.pid}, which held the listener at its fd 3`);

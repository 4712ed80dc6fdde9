// A Node server under systemd with the restart module: generation 1 takes the socket-activated listener
// named "http" (LISTEN_FDS, LISTEN_FDNAMES) or binds; every generation sends MAINPID=<pid> and READY=1 to
// $NOTIFY_SOCKET from ready(), and STOPPING=1 when it stops.
import http from 'node:http';
import { Upgrader } from '@hotrestart-tutor/restart';

// [server]
const up = await Upgrader.create(); // SIGUSR2 starts a successor: ExecReload=/bin/kill -USR2 $MAINPID | zh: SIGUSR2 启动后继进程：ExecReload=/bin/kill -USR2 $MAINPID
const server = http.createServer((request, response) => response.end(`ok ${process.pid}\n`));
// Generation 1: fd 3 from socket activation, named http, else a fresh bind. A successor: fd 3 from its predecessor. | zh: 第 1 代：套接字激活传来的 fd 3（名为 http），没有就自己绑定。后继进程：前任传来的 fd 3。
await up.listen(server, 'http', { host: '127.0.0.1', port: 8080 });
// MAINPID=<this pid>\nREADY=1 to $NOTIFY_SOCKET, then the predecessor is told to leave. | zh: 向 $NOTIFY_SOCKET 发送 MAINPID=<本进程 pid>\nREADY=1，然后通知前任离开。
await up.ready();
// [/server]

// Handing idle connections over with this project's restart module (lesson 12): it is the default. The
// old process sends each idle connection's fd over the handoff channel (SCM_RIGHTS); the successor adopts
// it as a socket and gives it to its server, so the client's next request reaches the new process.
import http from 'node:http';
import { Upgrader } from 'hotrestart-tutor/restart';

// [handoff]
const up = await Upgrader.create() // handoffConnections: true is the default | zh: handoffConnections: true 是默认值
// the successor adopts each fd: new net.Socket({ fd }), emitted as 'connection' | zh: 后继进程接管每个 fd：new net.Socket({ fd })，作为 'connection' 事件交给服务
// [/handoff]
const server = http.createServer((request, response) => response.end('ok\n'));
await up.listen(server, 'http', { host: '127.0.0.1', port: 8080 });
await up.ready();

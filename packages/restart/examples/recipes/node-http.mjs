// node:http: the server is yours; the module owns only its listener.
import http from 'node:http';
import { Upgrader } from '@hotrestart-tutor/restart';

const up = await Upgrader.create({ pidFile: process.env.PID_FILE });
const server = http.createServer((request, response) => {
  response.setHeader('x-pid', process.pid);
  response.end(`hello from ${process.pid}\n`);
});
await up.listen(server, 'http', { host: '127.0.0.1', port: Number(process.env.PORT ?? 8080) });
await up.ready(); // after start-up is really done: caches warm, connections open

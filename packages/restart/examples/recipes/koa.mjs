// koa: pass http.createServer(app.callback()).
import http from 'node:http';
import Koa from 'koa';
import { Upgrader } from '@hotrestart-tutor/restart';

const up = await Upgrader.create({ pidFile: process.env.PID_FILE });
const app = new Koa();
app.use((context) => {
  context.set('x-pid', String(process.pid));
  context.body = `hello from ${process.pid}\n`;
});
await up.listen(http.createServer(app.callback()), 'http', { host: '127.0.0.1', port: Number(process.env.PORT ?? 8080) });
await up.ready();

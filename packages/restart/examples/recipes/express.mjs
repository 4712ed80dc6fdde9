// express: pass http.createServer(app), never the app itself (up.listen refuses an app).
import http from 'node:http';
import express from 'express';
import { Upgrader } from '@hotrestart-tutor/restart';

const up = await Upgrader.create({ pidFile: process.env.PID_FILE });
const app = express();
app.get('/', (request, response) => response.set('x-pid', String(process.pid)).send(`hello from ${process.pid}\n`));
await up.listen(http.createServer(app), 'http', { host: '127.0.0.1', port: Number(process.env.PORT ?? 8080) });
await up.ready();

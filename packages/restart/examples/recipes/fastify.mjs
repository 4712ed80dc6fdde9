// fastify: build the app, `await app.ready()`, then hand `app.server` to the module instead of calling
// app.listen(). The app's onClose hooks run through up.onExit, after the drain.
import Fastify from 'fastify';
import { Upgrader } from '@hotrestart-tutor/restart';

const up = await Upgrader.create({ pidFile: process.env.PID_FILE });
const app = Fastify();
app.get('/', async (request, reply) => {
  reply.header('x-pid', process.pid);
  return `hello from ${process.pid}\n`;
});
app.addHook('onClose', async () => process.stderr.write(`fastify onClose hook ran in ${process.pid}\n`));
await app.ready();
await up.listen(app.server, 'http', { host: '127.0.0.1', port: Number(process.env.PORT ?? 8080) });
up.onExit(() => app.close());
await up.ready();

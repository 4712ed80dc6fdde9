// The handoff mechanism in one process, step by step, with real sockets: server A answers a keep-alive
// request, drains (the idle connection goes into the socketpair and A closes its fd), the client then
// sends its next request while the connection belongs to no process at all (only to the message in
// flight), and server B receives the fd, adopts it and answers from the kernel's buffer.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionTracker } from '../../packages/restart/src/connections.js';
import { drain } from '../../packages/restart/src/drain.js';
import { createHandoffChannel, HandoffReceiver, HandoffSender } from '../../packages/restart/src/handoff.js';
import { ListenerRegistry } from '../../packages/restart/src/registry.js';
import { poll, receiveQueue } from './harness.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function server(name: string): http.Server {
  const created = http.createServer((_request, response) => response.end(name));
  cleanups.push(() => new Promise((resolve) => created.close(resolve)));
  return created;
}

describe('the handoff channel', () => {
  it('carries an idle keep-alive connection; bytes sent meanwhile wait in the kernel for the new owner', async () => {
    const serverA = server('A');
    const trackerA = new ConnectionTracker(serverA);
    await new Promise<void>((resolve) => serverA.listen(0, '127.0.0.1', resolve));
    const port = (serverA.address() as net.AddressInfo).port;

    const { parentEnd, childEnd } = createHandoffChannel();
    const sender = new HandoffSender(parentEnd);
    const registryB = new ListenerRegistry([], () => {});
    const serverB = server('B');
    await registryB.listen(serverB, 'http', { host: '127.0.0.1', port: 0 });
    const receiver = new HandoffReceiver(childEnd, (fd, message) => registryB.adopt(fd, message.server));
    cleanups.push(() => receiver.close(), () => sender.close());

    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    const ask = () =>
      new Promise<{ body: string; localPort: number }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, agent }, (response) => {
            let body = '';
            const localPort = response.socket.localPort!;
            response.on('data', (chunk) => (body += chunk));
            response.on('end', () => resolve({ body, localPort }));
          })
          .on('error', reject);
      });

    const first = await ask();
    expect(first.body).toBe('A');
    const report = await drain({ servers: [{ name: 'http', tracker: trackerA }], datagram: [], handoff: sender, timeoutMs: 2000, log: () => {} });
    expect(report).toMatchObject({ handedOver: 1, closedIdle: 0, cutOff: 0 });

    const second = ask();
    await poll(() => (receiveQueue(port, first.localPort) ?? 0) > 0, 2000, () => 'the request to wait in the receive queue');
    receiver.start();
    const answer = await second;
    expect(answer).toEqual({ body: 'B', localPort: first.localPort });
    expect(registryB.adopted).toBe(1);
  });
});

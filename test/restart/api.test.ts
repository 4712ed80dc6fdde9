// The Upgrader in this very process (one per process, so one per test file): what listen() refuses,
// what the internals probe finds on this Node, the typed events and the default log line.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { missingOn, probeInternals } from '../../packages/restart/src/internals.js';
import { Upgrader } from '../../packages/restart/src/index.js';

/** An express app as express builds one: a request handler function with EventEmitter's methods and its own listen(). */
function expressLikeApp(): ((request: http.IncomingMessage, response: http.ServerResponse) => void) & EventEmitter & { listen: (...args: unknown[]) => http.Server } {
  const app = (_request: http.IncomingMessage, response: http.ServerResponse) => response.end('hi');
  Object.assign(app, EventEmitter.prototype);
  return Object.assign(app as typeof app & EventEmitter, { listen: (...args: unknown[]) => http.createServer(app).listen(...(args as [number])) });
}

describe('Upgrader.listen', () => {
  it('refuses an express app (and anything else that is not a net.Server) with one sentence naming what to pass', async () => {
    const lines: string[] = [];
    const up = await Upgrader.create({ trigger: null, stopSignals: [], exitProcess: false, log: (line) => lines.push(line) });
    const app = expressLikeApp();
    await expect(up.listen(app as unknown as net.Server, 'http', { host: '127.0.0.1', port: 0 })).rejects.toThrow(
      /^up\.listen\(\) needs a net\.Server .* not a function \(an express or koa app\?\): pass http\.createServer\(app\) for express/,
    );
    await expect(up.listen({ server: {}, ready: () => {} } as unknown as net.Server, 'http', { port: 0 })).rejects.toThrow(/not a fastify instance: .*app\.server after `await app\.ready\(\)`/);
    // Nothing was bound for them.
    expect(up.listeners()).toEqual([]);

    // Every kind of Node server is a net.Server and is accepted: http2 included.
    const h2 = http2.createServer();
    const info = await up.listen(h2, 'h2', { host: '127.0.0.1', port: 0 });
    expect(info).toMatchObject({ name: 'h2', kind: 'tcp', inherited: false });
    await up.ready();
    const events: string[] = [];
    up.on('drained', (report) => events.push(`drained ${report.cutOff}`));
    up.on('refused', ({ reason }) => events.push(`refused: ${reason}`));
    // A second upgrade trigger while stopping is refused, with an event.
    const stopped = up.stop();
    await up.upgrade();
    await stopped.catch(() => {});
    expect(events).toContain('refused: this process is stopping');
    expect(events).toContain('drained 0');
    expect(lines.some((line) => line.startsWith('generation 1 ready'))).toBe(true);
  }, 15_000);
});

describe('the probe of Node internals', () => {
  it('finds every field on this Node', async () => {
    expect(await probeInternals()).toEqual({ missing: [] });
  });

  it('names each field that is missing', () => {
    const socket = { parser: {}, _httpMessage: 'r', _handle: { fd: 3, readStop() {}, readStart() {} } };
    expect(missingOn({ _connections: 0 }, socket, 'r')).toEqual([]);
    expect(missingOn({}, { ...socket, parser: null, _handle: { fd: 3 } }, 'other')).toEqual(['socket.parser', 'socket._httpMessage', 'socket._handle', 'server._connections']);
  });
});

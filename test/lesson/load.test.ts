// The lesson load generator against real loopback servers: every outcome kind is produced by the kernel
// or a real server (nothing listening, a server that drops the connection, one that never answers),
// and every bound (count, duration, stop, abort) ends the load by itself.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classify, formatLoadStats, startLoad, type LoadStats } from '../../src/lesson/load.js';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    (server as http.Server).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A loopback HTTP server; counts the TCP connections it accepted. */
async function serve(handler: http.RequestListener): Promise<{ port: number; connections: () => number }> {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

const okServer = () =>
  serve((_request, response) => {
    response.setHeader('x-who', 'server-a');
    response.end('ok\n');
  });

/** A port nobody listens on: bound by the kernel's choice, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const total = (s: LoadStats) => s.ok + s.refused + s.reset + s.timeout + s.other;

describe('startLoad', () => {
  it('sends exactly maxRequests and counts every answer ok, one connection per request without keep-alive', async () => {
    const { port, connections } = await okServer();
    const stats = await startLoad({ port, maxRequests: 40, maxDurationMs: 10_000, concurrency: 4, pauseMs: 0, countHeader: 'X-Who' }).done;
    expect(stats).toMatchObject({ sent: 40, ok: 40, failed: 0, finished: true, firstFailureMs: null, byHeader: { 'server-a': 40 } });
    expect(total(stats)).toBe(40);
    expect(connections()).toBe(40);
  });

  it('reuses one connection per worker with keep-alive', async () => {
    const { port, connections } = await okServer();
    const stats = await startLoad({ port, keepAlive: true, maxRequests: 60, maxDurationMs: 10_000, concurrency: 3, pauseMs: 0 }).done;
    expect(stats.ok).toBe(60);
    expect(connections()).toBeLessThanOrEqual(3);
  });

  it('counts ECONNREFUSED when nothing listens', async () => {
    const port = await closedPort();
    const stats = await startLoad({ port, maxRequests: 10, maxDurationMs: 5000, pauseMs: 0 }).done;
    expect(stats).toMatchObject({ sent: 10, ok: 0, refused: 10, failed: 10 });
    expect(stats.examples.refused).toBe('ECONNREFUSED');
    expect(stats.firstFailureMs).not.toBeNull();
    expect(stats.lastFailureMs!).toBeGreaterThanOrEqual(stats.firstFailureMs!);
  });

  it('counts a connection dropped under the request as reset', async () => {
    const { port } = await serve((request) => request.socket.resetAndDestroy());
    const stats = await startLoad({ port, maxRequests: 6, maxDurationMs: 5000, concurrency: 2, pauseMs: 0 }).done;
    expect(stats).toMatchObject({ sent: 6, ok: 0, reset: 6 });
  });

  it('counts a server that never answers as timeout', async () => {
    const { port } = await serve(() => {});
    const stats = await startLoad({ port, maxRequests: 2, maxDurationMs: 5000, concurrency: 2, requestTimeoutMs: 100 }).done;
    expect(stats).toMatchObject({ sent: 2, timeout: 2, ok: 0 });
  });

  it('counts non-2xx responses as other', async () => {
    const { port } = await serve((_request, response) => {
      response.statusCode = 503;
      response.end();
    });
    const stats = await startLoad({ port, maxRequests: 3, maxDurationMs: 5000, concurrency: 1 }).done;
    expect(stats).toMatchObject({ other: 3, ok: 0, examples: { other: 'HTTP 503' } });
  });

  it('ends by itself after maxDurationMs, reporting live counts on the way', async () => {
    const { port } = await okServer();
    const ticks: LoadStats[] = [];
    const started = Date.now();
    const stats = await startLoad({ port, maxRequests: 100_000, maxDurationMs: 300, pauseMs: 5, tickMs: 50, onTick: (s) => ticks.push(s) }).done;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(stats.sent).toBeLessThan(100_000);
    expect(stats.ok).toBe(stats.sent);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.every((tick) => !tick.finished && tick.perSecond >= 0)).toBe(true);
    expect(ticks.at(-1)!.ok).toBeLessThanOrEqual(stats.ok);
  });

  it('stops on stop() and on abort', async () => {
    const { port } = await okServer();
    const load = startLoad({ port, maxRequests: 100_000, maxDurationMs: 30_000 });
    const stopped = await load.stop();
    expect(stopped.finished).toBe(true);
    expect(load.stats().sent).toBe(stopped.sent);

    const abort = new AbortController();
    const aborted = startLoad({ port, maxRequests: 100_000, maxDurationMs: 30_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    expect((await aborted.done).finished).toBe(true);
  });

  it('refuses non-loopback targets and unbounded loads', () => {
    expect(() => startLoad({ port: 80, host: '10.0.0.1' as '127.0.0.1', maxRequests: 1, maxDurationMs: 1 })).toThrow(/loopback/);
    expect(() => startLoad({ port: 80, maxRequests: Infinity, maxDurationMs: 1 })).toThrow(/maxRequests/);
    expect(() => startLoad({ port: 80, maxRequests: 1, maxDurationMs: 3_600_000 })).toThrow(/maxDurationMs/);
    expect(() => startLoad({ port: 80, maxRequests: 1, maxDurationMs: 1, concurrency: 1000 })).toThrow(/concurrency/);
    expect(() => startLoad({ port: 0, maxRequests: 1, maxDurationMs: 1 })).toThrow(/port/);
  });
});

describe('classify and formatLoadStats', () => {
  it('names what a client saw', () => {
    const error = (code: string) => Object.assign(new Error(code), { code });
    expect(classify(error('ECONNREFUSED'))).toBe('refused');
    expect(classify(error('ECONNRESET'))).toBe('reset');
    expect(classify(error('EPIPE'))).toBe('reset');
    expect(classify(error('ETIMEDOUT'))).toBe('timeout');
    expect(classify(error('EHOSTUNREACH'))).toBe('other');
    expect(classify(undefined)).toBe('other');
  });

  it('prints one line of counters', () => {
    const stats = { ok: 3, refused: 2, reset: 1, timeout: 0, other: 0, perSecond: 40 } as LoadStats;
    expect(formatLoadStats(stats)).toBe('ok 3 · refused 2 · reset 1 · timeout 0 · 40 req/s');
    expect(formatLoadStats(stats, 'zh')).toContain('40 请求/秒');
  });
});

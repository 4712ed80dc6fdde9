// One keep-alive connection, watched byte by byte from a raw TCP client: a request in flight during the
// upgrade is answered by the old process, and the next request on the very same connection (no
// reconnect, no FIN, no RST) is answered by the successor.
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllFixtures, poll, receiveQueue, startFixture } from './harness.js';

const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await killAllFixtures();
});

interface RawClient {
  /** Sends one request and resolves with the pid that answered. */
  ask: (path: string) => Promise<number>;
  /** Sends raw bytes; answered() resolves with the pid of the next response. */
  send: (text: string) => void;
  answered: () => Promise<number>;
  events: string[];
  socket: net.Socket;
}

/** A raw HTTP/1.1 client on one connection. */
function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const events: string[] = [];
    let buffer = '';
    let waiting: ((pid: number) => void) | null = null;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(buffer)?.[1] ?? -1);
      if (end === -1 || length < 0 || buffer.length < end + 4 + length) return;
      const pid = Number(/x-pid: (\d+)/i.exec(buffer)![1]);
      buffer = buffer.slice(end + 4 + length);
      waiting?.(pid);
    });
    for (const event of ['end', 'close', 'error']) socket.on(event, () => events.push(event));
    cleanups.push(() => socket.destroy());
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        socket,
        events,
        ask: (path) =>
          new Promise((answered) => {
            waiting = answered;
            socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`);
          }),
        send: (text) => socket.write(text),
        answered: () => new Promise((answered) => (waiting = answered)),
      }),
    );
  });
}

describe('connection handoff', { timeout: 30_000 }, () => {
  it('keeps a keep-alive connection open across an upgrade, in-flight request included', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'hotrestart-test-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const fixture = await startFixture({ PID_FILE: join(directory, 'server.pid') });
    const { pid: old, port } = fixture.reports[0];
    const client = await rawClient(port);
    const localPort = client.socket.localPort;

    expect(await client.ask('/')).toBe(old);
    const slow = client.ask('/slow?ms=1500');
    process.kill(old, 'SIGUSR2');
    const successor = await fixture.waitForReport(2);
    // The old process finishes the request it had started...
    expect(await slow).toBe(old);
    await poll(() => fixture.log().includes(`[${old} gen 1] drained in`), 5000, () => 'the old process to drain');
    expect(fixture.log()).toMatch(new RegExp(`\\[${old} gen 1\\] drained in \\d+ ms: 1 connections handed over`));
    // ...and the next request on the same TCP connection reaches the successor.
    expect(await client.ask('/')).toBe(successor.pid);
    expect(await client.ask('/')).toBe(successor.pid);
    expect(client.socket.localPort).toBe(localPort);
    expect(client.events).toEqual([]);
  });

  it('waits for a request whose first bytes the old process has read, then hands the connection over', async () => {
    const fixture = await startFixture({});
    const { pid: old, port } = fixture.reports[0];
    const client = await rawClient(port);
    expect(await client.ask('/')).toBe(old);
    // Half a request: the old process has read these bytes, so only it can finish parsing them.
    client.send('GET / HTTP/1.1\r\nHo');
    await poll(() => receiveQueue(port, client.socket.localPort!) === 0, 2000, () => 'the server to read the partial request');
    process.kill(old, 'SIGUSR2');
    const successor = await fixture.waitForReport(2);
    // A negative can only be watched for a while: the old process must not drain while the request is half read.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fixture.log()).not.toContain(`[${old} gen 1] drained in`);
    const answer = client.answered();
    client.send('st: test\r\n\r\n');
    expect(await answer).toBe(old);
    await poll(() => fixture.log().includes(`[${old} gen 1] drained in`), 5000, () => 'the old process to drain');
    expect(await client.ask('/')).toBe(successor.pid);
    expect(client.events).toEqual([]);
  });
});

// Version skew between generations: a successor that no longer listens under a name its predecessor
// served. The listener itself is closed in the successor's ready() (nothing claimed it); the old process's
// idle keep-alive connections of that name must not be handed to a process that cannot answer them: they
// are ended the way a stop ends them (a request within the idle grace is answered, Connection: close).
// A predecessor older than the LISTENERS line hands them over all the same: the successor ends them at
// once (a request already sent gets 503 and Connection: close; a quiet connection is closed).
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bindFresh } from '../../packages/restart/src/bind.js';
import { successorEnv } from '../../packages/restart/src/env.js';
import { createHandoffChannel, HandoffSender } from '../../packages/restart/src/handoff.js';
import { ReadinessPipe } from '../../packages/restart/src/readiness.js';
import { POLLIN, SOCK_CLOEXEC } from '../../packages/restart/src/sys/constants.js';
import { close } from '../../packages/restart/src/sys/fd.js';
import { accept4, getsockname, pollOne } from '../../packages/restart/src/sys/socket.js';
import { killAllFixtures, poll, startFixture } from './harness.js';

const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await killAllFixtures();
});

interface Reply {
  pid: number | null;
  connection: string | undefined;
  reused: boolean;
  error: string | null;
}

/** One GET over the unix socket through `agent` (keep-alive: the second reuses the first's connection). */
function get(socketPath: string, agent: http.Agent): Promise<Reply> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: '/', agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ pid: Number(response.headers['x-pid']), connection: response.headers.connection, reused: request.reusedSocket, error: null }));
    });
    request.setTimeout(3000, () => request.destroy(Object.assign(new Error('no answer within 3 s'), { code: 'timeout' })));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ pid: null, connection: undefined, reused: request.reusedSocket, error: error.code ?? error.message }));
  });
}

describe('a listener the successor dropped', { timeout: 30_000 }, () => {
  it('is closed in the successor, and its idle connections stay with the old process until they close', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'hotrestart-test-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const socketPath = join(directory, 'http.sock');
    const knobFile = join(directory, 'knob');
    const fixture = await startFixture({ SOCKET_PATH: socketPath, KNOB_FILE: knobFile });
    const old = fixture.reports[0].pid;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    expect(await get(socketPath, agent)).toMatchObject({ pid: old, reused: false });

    writeFileSync(knobFile, 'no-unix');
    process.kill(old, 'SIGUSR2');
    const successor = await fixture.waitForReport(2);
    expect(successor.listeners.map((listener) => listener.name)).toEqual(['http']);
    await fixture.waitForLog(/closing inherited listener http-unix \(fd \d+\): nothing listened on it/);
    await poll(() => fixture.log().includes(`[${old} gen 1] drained in`) || fixture.log().includes(`[${old} gen 1] the successor does not listen`), 5000, () => 'the old process to drain');

    // The idle connection is still the old process's: a request on it within the grace is answered there,
    // and the answer closes the connection.
    const reply = await get(socketPath, agent);
    expect(reply).toMatchObject({ pid: old, reused: true, connection: 'close', error: null });
    expect(fixture.log()).toMatch(new RegExp(`\\[${old} gen 1\\] the successor does not listen on http-unix`));
    expect(fixture.log()).not.toContain('connections handed over for http-unix are ended here');
  });
});

describe('the readiness line across versions', () => {
  /** A child that writes `text` into the readiness pipe at its fd 3, as a successor of some version would,
   *  closes it and lives on (an exit would race the read: the exit is news of its own). */
  async function readyFrom(text: string) {
    const pipe = ReadinessPipe.create();
    const child = spawn('/bin/sh', ['-c', `printf '${text}' >&3; exec 3>&-; exec sleep 10`], { stdio: ['ignore', 'ignore', 'ignore', pipe.childEnd] });
    try {
      return await pipe.wait(child, 5000);
    } finally {
      child.kill('SIGKILL');
    }
  }
  it('carries the names the successor serves', async () => {
    expect(await readyFrom('LISTENERS http:admin\\nREADY\\n')).toEqual({ ready: true, listeners: ['http', 'admin'] });
    expect(await readyFrom('LISTENERS \\nREADY\\n')).toEqual({ ready: true, listeners: [] });
  });
  it('from a successor that predates the names: ready, names unknown (every connection is handed over)', async () => {
    expect(await readyFrom('READY\\n')).toEqual({ ready: true, listeners: null });
  });
  it('names without READY are not ready', async () => {
    expect(await readyFrom('LISTENERS http\\n')).toMatchObject({ ready: false });
  });
});

describe('a predecessor older than the LISTENERS line', { timeout: 30_000 }, () => {
  /** What one client connection saw: its bytes, and how it ended (how long after `since`). */
  interface Seen {
    data: string;
    ended: string | null;
    ms: number;
  }
  function watch(client: net.Socket, since: () => number): Promise<Seen> {
    return new Promise((resolve) => {
      let data = '';
      client.setEncoding('latin1').on('data', (chunk: string) => (data += chunk));
      client.on('error', (error: NodeJS.ErrnoException) => resolve({ data, ended: error.code ?? error.message, ms: Date.now() - since() }));
      client.on('end', () => resolve({ data, ended: 'end', ms: Date.now() - since() }));
    });
  }

  // This test is the old process: it starts the successor as the module does, reads READY and ignores the
  // LISTENERS line before it (as versions before the line did), and hands over idle connections of a name
  // the successor does not serve ('admin') besides one it serves ('http').
  it("hands over every connection; those of a name the successor does not serve are ended at once, not held 10 s", async () => {
    const listener = await bindFresh({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => close(listener));
    const { port } = getsockname(listener) as { port: number };
    const connect = async () => {
      const client = net.connect(port, '127.0.0.1');
      cleanups.push(() => client.destroy());
      await new Promise((resolve) => client.once('connect', resolve));
      await poll(() => pollOne(listener, POLLIN, 0) & POLLIN, 2000, () => 'the connection in the accept queue');
      return { client, fd: accept4(listener, SOCK_CLOEXEC).fd };
    };
    const quiet = await connect();
    const asking = await connect();
    const served = await connect();
    // Sent while this process "owns" the connection: it waits in the kernel, and travels with the fd.
    asking.client.write('GET /admin HTTP/1.1\r\nHost: x\r\n\r\n');
    await poll(() => pollOne(asking.fd, POLLIN, 0) & POLLIN, 2000, () => 'the request to arrive');

    const pipe = ReadinessPipe.create();
    const channel = createHandoffChannel();
    const env = successorEnv({}, { names: [], readyFd: 3, handoffFd: 4, handoverSocket: null, generation: 2 });
    const fixture = await startFixture(env as Record<string, string>, { withListenPid: true, fds: [pipe.childEnd, channel.childEnd], waitFor: null });
    close(channel.childEnd);
    const ready = await pipe.wait(fixture.child, 15_000);
    expect(ready).toEqual({ ready: true, listeners: ['http'] });
    const successor = fixture.child.pid!;

    let handedAt = 0;
    const seen = [quiet, asking, served].map(({ client }) => watch(client, () => handedAt));
    const sender = new HandoffSender(channel.parentEnd);
    cleanups.push(() => sender.close());
    handedAt = Date.now();
    for (const [fd, name] of [[quiet.fd, 'admin'], [asking.fd, 'admin'], [served.fd, 'http']] as const) {
      expect(sender.send(fd, { server: name })).toEqual({ sent: true });
      close(fd);
    }
    sender.close();
    served.client.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');

    const [quietSaw, askingSaw, servedSaw] = await Promise.all(seen);
    // Closed, not reset, and well within a second.
    expect(quietSaw).toMatchObject({ data: '', ended: 'end' });
    expect(quietSaw.ms).toBeLessThan(1000);
    expect(askingSaw.data).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(askingSaw.data).toMatch(/\r\nconnection: close\r\n/i);
    expect(askingSaw).toMatchObject({ ended: 'end' });
    expect(askingSaw.ms).toBeLessThan(1000);
    expect(servedSaw.data).toMatch(new RegExp(`^HTTP/1\\.1 200 OK[\\s\\S]*ok ${successor}\\n$`));
    expect(fixture.log()).toMatch(/connections handed over for admin are ended here: this process does not listen on admin/);
  });
});

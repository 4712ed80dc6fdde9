// Version skew between generations: a successor that no longer listens under a name its predecessor
// served. The listener itself is closed in the successor's ready() (nothing claimed it); the old process's
// idle keep-alive connections of that name must not be handed to a process that cannot answer them: they
// are ended the way a stop ends them (a request within the idle grace is answered, Connection: close).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadinessPipe } from '../../packages/restart/src/readiness.js';
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
    expect(fixture.log()).not.toContain('closing a connection handed over for http-unix');
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

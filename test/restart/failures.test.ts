// The failures found when the module was run as people run servers in production (issue 10), each
// reproduced with real processes: an upgrade path whose error took the serving process down, a successor
// that died right after ready, SIGTERM without a drain, an express app passed instead of a server, and a
// Node whose private fields the handover reads have changed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readPidFile } from '../../packages/restart/src/pidfile.js';
import { get, isRunning, killAllFixtures, poll, startFixture, upgradeByPidFile, type Fixture } from './harness.js';

const directories: string[] = [];
afterEach(async () => {
  await killAllFixtures();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function workDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'hotrestart-test-'));
  directories.push(directory);
  return directory;
}

function exitOf(fixture: Fixture): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const { child } = fixture;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** One keep-alive connection: each ask() is a request on it; the pid that answered. */
function keepAlive(port: number): { ask: (path?: string) => Promise<number>; close: () => void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    ask: (path = '/') =>
      new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, agent }, (response) => {
            response.resume();
            response.on('end', () => resolve(Number(response.headers['x-pid'])));
          })
          .on('error', reject);
      }),
    close: () => agent.destroy(),
  };
}

describe('no error on an upgrade path takes the serving process down', { timeout: 30_000 }, () => {
  it('a crashing successor while the PID file cannot be written: logged, and the old process serves on', async () => {
    const directory = workDirectory();
    const pidDirectory = join(directory, 'run');
    const knobFile = join(directory, 'knob');
    writeFileSync(knobFile, 'exit1');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(pidDirectory);
    const fixture = await startFixture({ PID_FILE: join(pidDirectory, 'server.pid'), KNOB_FILE: knobFile });
    const { pid, port } = fixture.reports[0];
    // Root may write anywhere, so "unwritable" is made the one way that holds for root too: no directory.
    rmSync(pidDirectory, { recursive: true });

    process.kill(pid, 'SIGUSR2');
    await fixture.waitForLog(/upgrade failed: successor pid \d+ exited with code 1 before it was ready/);
    await fixture.waitForLog(/could not write the PID file .*ENOENT/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isRunning(pid)).toBe(true);
    expect((await get(port)).pid).toBe(pid);
  });
});

describe('a successor that dies right after ready', { timeout: 30_000 }, () => {
  it('the old process, still holding its listener, takes over again, logs it, and names itself in the PID file', async () => {
    const directory = workDirectory();
    const pidFile = join(directory, 'server.pid');
    const knobFile = join(directory, 'knob');
    writeFileSync(knobFile, 'crash-after-ready:300');
    const fixture = await startFixture({ PID_FILE: pidFile, KNOB_FILE: knobFile });
    const { pid, port } = fixture.reports[0];
    const client = keepAlive(port);
    try {
      expect(await client.ask()).toBe(pid);
      process.kill(pid, 'SIGUSR2');
      const second = await fixture.waitForReport(2);
      await fixture.waitForLog(new RegExp(`successor pid ${second.pid} exited with code 1 after it was ready; taking over again`));
      await poll(() => !isRunning(second.pid), 5000, () => `pid ${second.pid} to be gone`);
      expect(isRunning(pid)).toBe(true);
      expect(readPidFile(pidFile)).toBe(pid);
      expect((await get(port)).pid).toBe(pid);
      // The typed events, in order, each once.
      const events = [...fixture.log().matchAll(new RegExp(`\\[${pid} gen 1\\] event (\\S+) (.*)`, 'g'))].map(([, name, payload]) => [name, JSON.parse(payload)]);
      expect(events.map(([name]) => name)).toEqual(['upgrade-started', 'successor-ready', 'drained', 'rolled-back']);
      expect(events[0][1]).toEqual({ generation: 2, pid: second.pid });
      expect(events[3][1]).toEqual({ pid: second.pid, reason: 'exited with code 1 after it was ready' });
      // A keep-alive client reconnects (its connection died with the successor) and is answered here.
      expect(await client.ask().catch(() => client.ask())).toBe(pid);

      // Nothing is stuck: the next upgrade, with a healthy successor, succeeds.
      rmSync(knobFile);
      const { to } = await upgradeByPidFile(pidFile);
      expect((await get(port)).pid).toBe(to);
    } finally {
      client.close();
    }
  });

  it('a successor that exits with code 0 (stopped on purpose) is not rolled back', async () => {
    const directory = workDirectory();
    const pidFile = join(directory, 'server.pid');
    const fixture = await startFixture({ PID_FILE: pidFile, ROLLBACK_WINDOW_MS: '3000' });
    const { pid } = fixture.reports[0];
    process.kill(pid, 'SIGUSR2');
    const second = await fixture.waitForReport(2);
    process.kill(second.pid, 'SIGTERM');
    await poll(() => !isRunning(second.pid) && !isRunning(pid), 10_000, () => 'both generations to exit');
    expect(fixture.log()).not.toMatch(/taking over again/);
  });
});

describe('SIGTERM and SIGINT stop gracefully by default', { timeout: 30_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: the request in flight is answered, the exit hooks run, the exit code is 0`, async () => {
      const fixture = await startFixture();
      const { pid, port } = fixture.reports[0];
      const exit = exitOf(fixture);
      const answer = get(port, '/slow?ms=700');
      await new Promise((resolve) => setTimeout(resolve, 200));
      process.kill(pid, signal);
      expect(await answer).toMatchObject({ status: 200, pid });
      expect(await exit).toEqual({ code: 0, signal: null });
      expect(fixture.log()).toMatch(new RegExp(`${signal} received: stopping`));
      expect(fixture.log()).toMatch(/exit hook ran/);
    });
  }

  it('stopSignals: [] leaves SIGTERM to its default (the process dies without draining)', async () => {
    const fixture = await startFixture({ STOP_SIGNALS: 'none' });
    const exit = exitOf(fixture);
    process.kill(fixture.reports[0].pid, 'SIGTERM');
    expect(await exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(fixture.log()).not.toMatch(/exit hook ran/);
  });
});

describe("Node's private fields, probed at create()", { timeout: 30_000 }, () => {
  it('without socket.parser, idle keep-alive connections are closed at once, not held until the drain deadline', async () => {
    const directory = workDirectory();
    const pidFile = join(directory, 'server.pid');
    const preload = fileURLToPath(new URL('./fixtures/hide-parser.mjs', import.meta.url));
    const fixture = await startFixture({ PID_FILE: pidFile, DRAIN_TIMEOUT_MS: '8000', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}` });
    const { pid, port } = fixture.reports[0];
    await fixture.waitForLog(/socket\.parser is missing.*idle connections will be closed/);
    const client = keepAlive(port);
    try {
      expect(await client.ask()).toBe(pid);
      const started = Date.now();
      await upgradeByPidFile(pidFile);
      const line = await fixture.waitForLog(/drained in \d+ ms: \d+ connections handed over, \d+ closed idle, \d+ cut off/);
      expect(line).toMatch(/0 connections handed over, 1 closed idle, 0 cut off/);
      expect(Date.now() - started).toBeLessThan(6000);
    } finally {
      client.close();
    }
  });
});

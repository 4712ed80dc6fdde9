// The headline: a loopback HTTP load through 20 consecutive upgrades, with 32 keep-alive connections
// (half of them with a request in flight most of the time) and 4 workers that open a connection per
// request (Connection: close). Every request must succeed, and the answers must come from all 21
// generations. The drain log shows the keep-alive connections really changed process (handed over),
// rather than being closed and reopened by the client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoad, type LoadOptions, type LoadStats } from '../../src/lesson/load.js';
import { killAllFixtures, startFixture, upgradeByPidFile } from './harness.js';

const RESTARTS = 20;
const directories: string[] = [];
afterEach(async () => {
  await killAllFixtures();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('zero downtime under load', () => {
  it(`${RESTARTS} upgrades under keep-alive and Connection: close load lose no request`, { timeout: 90_000 }, async () => {
    const directory = mkdtempSync(join(tmpdir(), 'hotrestart-test-'));
    directories.push(directory);
    const pidFile = join(directory, 'server.pid');
    // No rollback window after the drain: each old process would live a second longer, and on a loaded
    // machine 20 upgrades (each waiting for the old process to exit) would outlast the load's 60 s cap.
    const fixture = await startFixture({ PID_FILE: pidFile, ROLLBACK_WINDOW_MS: '0' });
    const common: LoadOptions = { port: fixture.reports[0].port, maxRequests: 100_000, maxDurationMs: 60_000, countHeader: 'x-pid', pauseMs: 2, requestTimeoutMs: 5000 };
    const loads = [
      // 16 keep-alive connections with quick answers: mostly idle at the moment of a handover.
      startLoad({ ...common, keepAlive: true, concurrency: 16 }),
      // 16 keep-alive connections whose requests take 20 ms: mostly in flight at the moment of a handover.
      startLoad({ ...common, keepAlive: true, concurrency: 16, path: '/slow?ms=20' }),
      // 4 workers with a new connection per request: they land in the accept queue during the switch.
      startLoad({ ...common, keepAlive: false, concurrency: 4 }),
    ];
    let results: LoadStats[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (let i = 0; i < RESTARTS; i++) await upgradeByPidFile(pidFile, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      results = await Promise.all(loads.map((load) => load.stop()));
    }

    const failures = results.map(({ failed, refused, reset, timeout, other, examples }) => ({ failed, refused, reset, timeout, other, examples }));
    expect(failures).toEqual(results.map(() => ({ failed: 0, refused: 0, reset: 0, timeout: 0, other: 0, examples: {} })));
    for (const result of results) expect(result.ok).toBeGreaterThan(100);
    const pids = new Set(results.flatMap((result) => Object.keys(result.byHeader)));
    expect(pids.size).toBeGreaterThanOrEqual(RESTARTS + 1);
    // Each keep-alive load on its own saw every generation: its connections moved with the upgrades.
    for (const result of results.slice(0, 2)) expect(Object.keys(result.byHeader).length).toBeGreaterThanOrEqual(RESTARTS + 1);

    const drains = [...fixture.log().matchAll(/drained in \d+ ms: (\d+) connections handed over, (\d+) closed idle, (\d+) cut off/g)];
    expect(drains).toHaveLength(RESTARTS);
    for (const [, handedOver, closedIdle, cutOff] of drains) {
      // The 32 keep-alive connections, plus whichever Connection: close ones were open at that moment.
      expect(Number(handedOver)).toBeGreaterThanOrEqual(32);
      expect(Number(closedIdle) + Number(cutOff)).toBe(0);
    }
  });
});

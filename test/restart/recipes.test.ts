// The README's recipes (packages/restart/examples/recipes), run as written: each serves, goes through
// 5 upgrades under a keep-alive and a Connection: close load with 0 failed requests, and fastify's
// onClose hooks run through up.onExit in every generation that exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoad, type LoadOptions, type LoadStats } from '../../src/lesson/load.js';
import { fileURLToPath } from 'node:url';
import { FIXTURE_URL, killAllFixtures, moduleCommand, startFixture, upgradeByPidFile } from './harness.js';

const RESTARTS = 5;
const directories: string[] = [];
afterEach(async () => {
  await killAllFixtures();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('README recipes', { timeout: 120_000 }, () => {
  for (const recipe of ['node-http', 'express', 'fastify', 'koa']) {
    it(`${recipe}: ${RESTARTS} upgrades under load, 0 failed`, async () => {
      const directory = mkdtempSync(join(tmpdir(), 'hotrestart-recipe-'));
      directories.push(directory);
      const pidFile = join(directory, 'server.pid');
      const path = fileURLToPath(new URL(`../../packages/restart/examples/recipes/${recipe}.mjs`, import.meta.url));
      // Through tsx, as every test process runs: the package resolves to its TypeScript sources here.
      const [node, , tsx] = moduleCommand(FIXTURE_URL);
      const fixture = await startFixture({ PID_FILE: pidFile, PORT: '0' }, { command: [node, '--import', tsx, path], waitFor: null });
      const line = await fixture.waitForLog(/generation 1 ready: http 127\.0\.0\.1:\d+/, 20_000);
      const port = Number(line.split(':').pop());
      const common: LoadOptions = { port, maxRequests: 50_000, maxDurationMs: 60_000, countHeader: 'x-pid', pauseMs: 2, requestTimeoutMs: 5000 };
      const loads = [startLoad({ ...common, keepAlive: true, concurrency: 8 }), startLoad({ ...common, keepAlive: false, concurrency: 2 })];
      let results: LoadStats[] = [];
      try {
        await new Promise((resolve) => setTimeout(resolve, 200));
        for (let i = 0; i < RESTARTS; i++) await upgradeByPidFile(pidFile, 20_000);
      } finally {
        results = await Promise.all(loads.map((load) => load.stop()));
      }
      for (const result of results) expect({ failed: result.failed, examples: result.examples }).toEqual({ failed: 0, examples: {} });
      expect(new Set(results.flatMap((result) => Object.keys(result.byHeader))).size).toBe(RESTARTS + 1);
      if (recipe === 'fastify') expect(fixture.log().match(/fastify onClose hook ran/g)).toHaveLength(RESTARTS);
    });
  }
});

// Container mode: in a PID namespace (`unshare --pid --fork --mount-proc`, how `docker run node server.js`
// runs), a server that upgrades itself as PID 1 ends the container at its first upgrade; under
// hotrestart-run, the small stable parent that holds the listeners, it goes through 20 upgrades under a
// loopback load without a failed request and is still serving at the end.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoad, type LoadStats } from '../../src/lesson/load.js';
import { childrenOf, get, isRunning, killAllFixtures, moduleCommand, poll, startFixture } from './harness.js';

const RESTARTS = 20;
const RUN_URL = new URL('../../packages/restart/src/run.ts', import.meta.url).href;

function unshareMissing(): string | null {
  if (process.getuid?.() !== 0) return 'a PID namespace needs root here';
  try {
    execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'unshare --pid --fork --mount-proc does not work on this machine';
  }
}
const missing = unshareMissing();
if (missing) console.log(`skipped: the container tests (${missing})`);

afterEach(async () => {
  await killAllFixtures();
});

/** PID 1 of the namespace, seen from here: unshare's only child. */
async function namespaceInit(unsharePid: number): Promise<number> {
  return poll(() => childrenOf(unsharePid)[0], 5000, () => `unshare (pid ${unsharePid}) to fork`);
}

describe.skipIf(missing !== null)('in a PID namespace', { timeout: 120_000 }, () => {
  it('as PID 1 itself, the server ends the namespace at its first upgrade (the failure)', async () => {
    const fixture = await startFixture({}, { prefix: ['unshare', '--pid', '--fork', '--mount-proc'] });
    const { port } = fixture.reports[0];
    expect(fixture.reports[0].pid).toBe(1);
    const init = await namespaceInit(fixture.child.pid!);
    process.kill(init, 'SIGUSR2');
    await poll(() => fixture.child.exitCode !== null || fixture.child.signalCode !== null, 15_000, () => 'the namespace to end');
    await expect(get(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it(`under hotrestart-run: ${RESTARTS} upgrades under load, 0 failed requests, still serving at the end`, async () => {
    const fixture = await startFixture({}, { prefix: ['unshare', '--pid', '--fork', '--mount-proc', ...moduleCommand(RUN_URL), '--listen', 'http=127.0.0.1:0', '--'] });
    const { port } = fixture.reports[0];
    const init = await namespaceInit(fixture.child.pid!);
    const common = { port, maxRequests: 100_000, maxDurationMs: 60_000, countHeader: 'x-pid', pauseMs: 2, requestTimeoutMs: 5000 };
    const loads = [startLoad({ ...common, keepAlive: true, concurrency: 8 }), startLoad({ ...common, keepAlive: false, concurrency: 4 })];
    let results: LoadStats[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (let generation = 2; generation <= RESTARTS + 1; generation++) {
        process.kill(init, 'SIGUSR2');
        const report = await fixture.waitForReport(generation, 20_000);
        // The parent learned the new main pid, and the successor saw its predecessor finish: the next upgrade may start.
        await fixture.waitForLog(new RegExp(`main pid is now ${report.pid}\\b`));
        await fixture.waitForLog(new RegExp(`\\[${report.pid} gen ${generation}\\] the predecessor \\(pid \\d+\\) has finished handing over`), 20_000);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      results = await Promise.all(loads.map((load) => load.stop()));
    }
    for (const result of results) {
      expect({ failed: result.failed, examples: result.examples }).toEqual({ failed: 0, examples: {} });
      expect(result.ok).toBeGreaterThan(100);
    }
    expect(isRunning(init)).toBe(true);
    const last = fixture.reports.at(-1)!;
    expect(last.generation).toBe(RESTARTS + 1);
    expect((await get(port)).pid).toBe(last.pid);
    // Every old generation was reaped: PID 1 and the current one are all that is left in the namespace.
    const alone = () => childrenOf(init).length === 1 && childrenOf(childrenOf(init)[0]).length === 0;
    await poll(alone, 10_000, () => `only the current generation under PID 1: ${childrenOf(init).join(', ')}`);
    // PID 1's log follows the events: each new main pid is logged before its predecessor's exit. The last
    // exit line may still be on its way through the pipe when the process is already reaped: wait for it.
    await fixture.waitForLog(new RegExp(`hotrestart-run\\[\\d+\\] pid ${fixture.reports.at(-2)!.pid} (exited|was killed)`), 10_000);
    const log = fixture.log();
    for (const [previous, next] of fixture.reports.slice(0, -1).map((report, i) => [report, fixture.reports[i + 1]])) {
      const announced = log.indexOf(`main pid is now ${next.pid} `);
      const exited = log.search(new RegExp(`hotrestart-run\\[\\d+\\] pid ${previous.pid} (exited|was killed)`));
      expect({ generation: next.generation, announced: announced !== -1, exited: exited !== -1, inOrder: announced < exited }).toEqual({ generation: next.generation, announced: true, exited: true, inOrder: true });
    }

    // SIGTERM to PID 1 reaches the current generation, which drains; then PID 1 exits 0 and the namespace ends.
    process.kill(init, 'SIGTERM');
    await poll(() => fixture.child.exitCode !== null, 30_000, () => `the namespace to end after SIGTERM\n${fixture.log().split('\n').slice(-15).join('\n')}`);
    expect(fixture.log().split('\n').slice(-8).join('\n')).toMatch(/no generation is left; exiting with 0/);
    expect(fixture.child.exitCode).toBe(0);
  });

  // A helper hotrestart-run started for itself (here a preload; under tsx, the loader's esbuild service) lives
  // as long as it does. It is not part of the service: once the generation is gone, PID 1 exits all the same.
  it('under hotrestart-run with a helper child of its own: SIGTERM still ends the namespace', async () => {
    const helper = `import { spawn } from 'node:child_process'; spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'ignore', 'ignore'] }).unref();`;
    const [node, ...rest] = moduleCommand(RUN_URL);
    const run = [node, '--import', `data:text/javascript,${encodeURIComponent(helper)}`, ...rest];
    const fixture = await startFixture({}, { prefix: ['unshare', '--pid', '--fork', '--mount-proc', ...run, '--listen', 'http=127.0.0.1:0', '--'] });
    const init = await namespaceInit(fixture.child.pid!);
    // The helper and generation 1 are both children of PID 1.
    await poll(() => childrenOf(init).length === 2, 5000, () => `two children under PID 1: ${childrenOf(init).join(', ')}`);
    process.kill(init, 'SIGTERM');
    await poll(() => fixture.child.exitCode !== null, 15_000, () => `the namespace to end after SIGTERM\n${fixture.log().split('\n').slice(-15).join('\n')}`);
    expect(fixture.log()).toMatch(/no generation is left; exiting with 0/);
    expect(fixture.child.exitCode).toBe(0);
  });
});

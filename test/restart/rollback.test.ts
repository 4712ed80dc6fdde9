// A successor that fails during start-up never takes the old process down, and one upgrade runs at a
// time. The second generation is sabotaged through the fixture's KNOB_FILE, which the test removes to
// let a later upgrade succeed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPidFile } from '../../packages/restart/src/pidfile.js';
import { fdKinds, get, isRunning, killAllFixtures, poll, startFixture, upgradeByPidFile } from './harness.js';

const directories: string[] = [];
afterEach(async () => {
  await killAllFixtures();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function workDirectory(): { pidFile: string; knobFile: string } {
  const directory = mkdtempSync(join(tmpdir(), 'hotrestart-test-'));
  directories.push(directory);
  return { pidFile: join(directory, 'server.pid'), knobFile: join(directory, 'knob') };
}

describe('a successor that fails during start-up', { timeout: 30_000 }, () => {
  it('exits with code 1: the old process logs why, keeps serving, and a later upgrade succeeds', async () => {
    const { pidFile, knobFile } = workDirectory();
    writeFileSync(knobFile, 'exit1');
    const fixture = await startFixture({ PID_FILE: pidFile, KNOB_FILE: knobFile });
    const { pid, port } = fixture.reports[0];
    const fdsBefore = fdKinds(pid);

    process.kill(pid, 'SIGUSR2');
    const line = await fixture.waitForLog(/upgrade failed: successor pid (\d+) exited with code 1 before it was ready; this process \(pid \d+\) goes on serving/);
    const successor = Number(/successor pid (\d+)/.exec(line)![1]);
    expect(isRunning(successor)).toBe(false);
    expect(isRunning(pid)).toBe(true);
    // The failed attempt left nothing behind: no pipe, no socketpair end.
    expect(fdKinds(pid)).toEqual(fdsBefore);
    expect(readPidFile(pidFile)).toBe(pid);
    expect((await get(port)).pid).toBe(pid);

    rmSync(knobFile);
    const { from, to } = await upgradeByPidFile(pidFile);
    expect(from).toBe(pid);
    expect((await get(port)).pid).toBe(to);
  });

  it('never calls ready(): killed at the start-up deadline, the old process keeps serving', async () => {
    const { pidFile, knobFile } = workDirectory();
    writeFileSync(knobFile, 'noready');
    const fixture = await startFixture({ PID_FILE: pidFile, KNOB_FILE: knobFile, STARTUP_TIMEOUT_MS: '1500' });
    const { pid, port } = fixture.reports[0];
    const fdsBefore = fdKinds(pid);

    process.kill(pid, 'SIGUSR2');
    const started = Number((await fixture.waitForLog(/started generation 2 as pid (\d+)/)).split(' ').pop());
    expect(isRunning(started)).toBe(true);
    await fixture.waitForLog(new RegExp(`upgrade failed: successor pid ${started} did not report ready within 1500 ms`));
    // The late successor was killed, not left to linger with a copy of the listener.
    await poll(() => !isRunning(started), 2000, () => `pid ${started} to be killed`);
    expect(fdKinds(pid)).toEqual(fdsBefore);
    expect((await get(port)).pid).toBe(pid);
    expect(readPidFile(pidFile)).toBe(pid);
  });
});

describe('one upgrade at a time', { timeout: 30_000 }, () => {
  it('refuses a signal and an API call during an upgrade, then upgrades through the API', async () => {
    const { pidFile, knobFile } = workDirectory();
    writeFileSync(knobFile, 'slow:1500');
    const fixture = await startFixture({ PID_FILE: pidFile, KNOB_FILE: knobFile });
    const { pid, port } = fixture.reports[0];

    process.kill(pid, 'SIGUSR2');
    await fixture.waitForLog(/started generation 2 as pid \d+/);
    process.kill(pid, 'SIGUSR2');
    await fixture.waitForLog(/upgrade refused: an upgrade is already in progress/);
    const refused = JSON.parse((await get(port, '/upgrade')).body);
    expect(refused).toEqual({ ok: false, refused: true, reason: 'an upgrade is already in progress' });
    expect(fixture.log().match(/upgrade: started generation/g)).toHaveLength(1);

    const second = await fixture.waitForReport(2);
    await poll(() => !isRunning(pid), 10_000, () => `pid ${pid} to exit`);
    rmSync(knobFile);

    // The API trigger: the request that asks for the upgrade is answered by the old process, in flight
    // while it hands over, and its connection then moves to the successor like any other.
    await poll(() => /the predecessor \(pid \d+\) has finished handing over/.test(fixture.log()), 5000, () => 'generation 2 to see generation 1 finish');
    const outcome = JSON.parse((await get(port, '/upgrade')).body);
    expect(outcome).toMatchObject({ ok: true });
    const third = await fixture.waitForReport(3);
    expect(outcome.pid).toBe(third.pid);
    await poll(() => !isRunning(second.pid), 10_000, () => `pid ${second.pid} to exit`);
    expect((await get(port)).pid).toBe(third.pid);
    expect(readPidFile(pidFile)).toBe(third.pid);
  });
});

// Faults leave nothing behind, however the tool ends: a SIGKILL runs no clean-up code, so whatever the
// package made by name (a socket file, its directory) must either never exist on the filesystem or be
// gone before the kill can come. Each case runs with a TMPDIR of its own and looks there afterwards, and
// in /proc/net/unix for a socket still bound to the name the processes were given.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllFixtures, moduleCommand, poll, startFixture } from './harness.js';

const RUN_URL = new URL('../../packages/restart/src/run.ts', import.meta.url).href;

const cleanups: Array<() => void> = [];
afterEach(async () => {
  await killAllFixtures();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function privateTmp(): string {
  const directory = mkdtempSync(join(tmpdir(), 'hotrestart-leftovers-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** What the package left in `tmp` (it should be nothing at all); tsx keeps its compile cache there too. */
function leftIn(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => !name.startsWith('tsx-'));
}

/** The environment variable `key` of a running process. */
function environ(pid: number, key: string): string | undefined {
  const line = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((entry) => entry.startsWith(`${key}=`));
  return line?.slice(key.length + 1);
}

/** Unix sockets bound to `name` (a path, or '@name' for an abstract one), from /proc/net/unix. */
function boundTo(name: string): string[] {
  return readFileSync('/proc/net/unix', 'latin1').split('\n').slice(1).filter((line) => line.trim().split(/\s+/)[7] === name);
}

describe('a SIGKILL leaves nothing behind', { timeout: 30_000 }, () => {
  it('hotrestart-run: no directory, no socket file, no socket left bound to its NOTIFY_SOCKET', async () => {
    const tmp = privateTmp();
    const fixture = await startFixture({ TMPDIR: tmp }, { prefix: [...moduleCommand(RUN_URL), '--listen', 'http=127.0.0.1:0', '--'] });
    const notifySocket = environ(fixture.reports[0].pid, 'NOTIFY_SOCKET');
    expect(notifySocket).toBeDefined();
    expect(boundTo(notifySocket!)).toHaveLength(1);
    process.kill(fixture.child.pid!, 'SIGKILL');
    await fixture.kill();
    expect(leftIn(tmp)).toEqual([]);
    expect(boundTo(notifySocket!)).toEqual([]);
  });

  it("handover: 'unix': the old process killed while its successor starts leaves no directory or socket", async () => {
    const tmp = privateTmp();
    const fixture = await startFixture({ TMPDIR: tmp, HANDOVER: 'unix' });
    const old = fixture.reports[0].pid;
    process.kill(old, 'SIGUSR2');
    // The successor exists (and may not have connected yet): the offer is out, the handover under way.
    const line = await fixture.waitForLog(new RegExp(`\\[${old} gen 1\\] upgrade: started generation 2 as pid \\d+`));
    const successor = Number(/pid (\d+)$/.exec(line)![1]);
    const offer = await poll(() => environ(successor, 'HOTRESTART_HANDOVER_SOCKET'), 5000, () => 'the successor to have HOTRESTART_HANDOVER_SOCKET');
    process.kill(old, 'SIGKILL');
    await fixture.kill();
    expect(leftIn(tmp)).toEqual([]);
    expect(boundTo(offer)).toEqual([]);
  });
});

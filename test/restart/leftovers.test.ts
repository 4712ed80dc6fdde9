// Faults leave nothing behind, however the tool ends: a SIGKILL runs no clean-up code, so whatever the
// package made by name (a socket file, its directory) must either never exist on the filesystem or be
// gone before the kill can come. Each case runs with a TMPDIR of its own and looks there afterwards, and
// in /proc/net/unix for a socket still bound to the name the processes were given.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AF_UNIX, POLLIN, SOCK_CLOEXEC, SOCK_DGRAM } from '../../packages/restart/src/sys/constants.js';
import { close } from '../../packages/restart/src/sys/fd.js';
import { recvFds } from '../../packages/restart/src/sys/scm.js';
import { connect, pollOne, socket } from '../../packages/restart/src/sys/socket.js';
import { SOCK_SEQPACKET } from '../../packages/restart/src/sys/socketpair.js';
import { sdNotify } from '../../packages/restart/src/notify.js';
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

/**
 * Waits until no socket is bound to `name`. Not at once: a killed process's group leader shows as a zombie
 * while its other threads still exit, and the fds they share are closed by the last one.
 */
async function unbound(name: string): Promise<void> {
  await poll(() => boundTo(name).length === 0, 5000, () => `no socket bound to ${name}: ${boundTo(name).join('; ')}`);
}

/**
 * A fixture with handover: 'unix', upgraded: returns once the successor exists, which may not have connected
 * yet (it takes 0.7 s and more to start under tsx): the offer is out, the handover under way.
 */
async function handoverUnderWay(tmp: string) {
  const fixture = await startFixture({ TMPDIR: tmp, HANDOVER: 'unix' });
  const old = fixture.reports[0].pid;
  process.kill(old, 'SIGUSR2');
  const line = await fixture.waitForLog(new RegExp(`\\[${old} gen 1\\] upgrade: started generation 2 as pid \\d+`));
  const successor = Number(/pid (\d+)$/.exec(line)![1]);
  const offer = await poll(() => environ(successor, 'HOTRESTART_HANDOVER_SOCKET'), 5000, () => 'the successor to have HOTRESTART_HANDOVER_SOCKET');
  return { fixture, old, successor, offer };
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
    await unbound(notifySocket!);
    expect(leftIn(tmp)).toEqual([]);
  });

  it("handover: 'unix': the old process killed while its successor starts leaves no directory or socket", async () => {
    const tmp = privateTmp();
    const { fixture, old, offer } = await handoverUnderWay(tmp);
    process.kill(old, 'SIGKILL');
    await fixture.kill();
    await unbound(offer);
    expect(leftIn(tmp)).toEqual([]);
  });
});

// An abstract name has no permissions: anyone in the network namespace may send or connect to it. The
// kernel's word on who is at the other end decides instead.
describe('abstract names are used by this service only', { timeout: 30_000 }, () => {
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) console.log('skipped: a notification from another user (it needs root to send as nobody)');

  it('hotrestart-run ignores a MAINPID= that is not its descendant, and a datagram of another user', async () => {
    const tmp = privateTmp();
    const fixture = await startFixture({ TMPDIR: tmp }, { prefix: [...moduleCommand(RUN_URL), '--listen', 'http=127.0.0.1:0', '--'] });
    const notifySocket = environ(fixture.reports[0].pid, 'NOTIFY_SOCKET')!;
    expect(notifySocket).toMatch(/^@hotrestart-run-/);
    // This test process is the same user, but no descendant of hotrestart-run.
    expect(sdNotify(`MAINPID=${process.pid}\nREADY=1`, notifySocket)).toBeNull();
    await fixture.waitForLog(new RegExp(`ignored MAINPID=${process.pid} from pid ${process.pid}: not a process of this service`));
    if (asRoot) {
      // nobody sends on a socket root connected for it (nobody may not read this repository): the kernel
      // attaches the credentials of whoever calls write(), not of whoever made the socket.
      const sender = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC);
      cleanups.push(() => close(sender));
      connect(sender, { family: 'unix', path: notifySocket });
      const nobody = spawn('/bin/sh', ['-c', `printf 'MAINPID=${fixture.reports[0].pid}' >&3`], { uid: 65534, gid: 65534, stdio: ['ignore', 'ignore', 'inherit', sender] });
      expect(await new Promise((resolve) => nobody.once('exit', resolve))).toBe(0);
      await fixture.waitForLog(/ignored a notification from pid \d+ \(uid 65534\): not this user's/);
    }
    expect(fixture.log()).not.toMatch(/main pid is now/);
  });

  it("handover: 'unix' sends the listeners to its successor only: another process that connects first gets nothing", async () => {
    const { fixture, successor, offer } = await handoverUnderWay(privateTmp());
    expect(offer).toMatch(/^@hotrestart-/);
    // Ahead of the successor, which is still starting up.
    const intruder = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC);
    try {
      connect(intruder, { family: 'unix', path: offer });
      expect(pollOne(intruder, POLLIN, 5000) & POLLIN).toBeTruthy();
      expect(recvFds(intruder)).toMatchObject({ fds: [], data: Buffer.alloc(0) }); // end-of-file, no fd
    } finally {
      close(intruder);
    }
    await fixture.waitForLog(new RegExp(`pid ${process.pid} \\(uid \\d+\\) connected to the listener handover, which is for pid ${successor}: closed unanswered`));
    const report = await fixture.waitForReport(2);
    expect(report.listeners[0]).toMatchObject({ name: 'http', inherited: true });
  });
});

// systemd, Type=notify with NotifyAccess=all: every generation sends MAINPID=<its pid> and READY=1 to
// NOTIFY_SOCKET when it is ready (so systemd follows the service into the successor instead of taking
// the old main process's exit for the service's death), STOPPING=1 when it stops. Checked against a real
// unix datagram socket, by path and by abstract '@' name; generation 1 takes its listener from socket
// activation as Debian's systemd-socket-activate passes it (LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sdNotify } from '../../packages/restart/src/notify.js';
import { AF_UNIX, POLLIN, SO_PASSCRED, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOL_SOCKET } from '../../packages/restart/src/sys/constants.js';
import { close } from '../../packages/restart/src/sys/fd.js';
import { recvWithCredentials } from '../../packages/restart/src/sys/scm.js';
import { bind, pollOne, recv, setsockoptInt, socket } from '../../packages/restart/src/sys/socket.js';
import { get, killAllFixtures, poll, startFixture } from './harness.js';

const cleanups: Array<() => void> = [];
afterEach(async () => {
  await killAllFixtures();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A unix datagram socket standing in for systemd's notification socket; messages() returns what arrived so far. */
function notifySocket(abstract: boolean): { address: string; messages: () => string[] } {
  let address: string;
  if (abstract) address = `@hotrestart-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  else {
    const directory = mkdtempSync(join(tmpdir(), 'hotrestart-notify-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    address = join(directory, 'notify');
  }
  const fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
  cleanups.push(() => close(fd));
  bind(fd, { family: 'unix', path: address });
  const received: string[] = [];
  const buffer = Buffer.alloc(4096);
  return {
    address,
    messages: () => {
      while (pollOne(fd, POLLIN, 0) & POLLIN) received.push(buffer.subarray(0, recv(fd, buffer)).toString());
      return received;
    },
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function socketActivateMissing(): string | null {
  try {
    execFileSync('systemd-socket-activate', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'systemd-socket-activate is not installed';
  }
}
const noActivate = socketActivateMissing();
if (noActivate) console.log(`skipped: the socket activation test (${noActivate})`);

describe('sd_notify', () => {
  it('sends one datagram to a path and to an abstract name, and says why when it cannot', () => {
    for (const abstract of [false, true]) {
      const target = notifySocket(abstract);
      expect(sdNotify('MAINPID=42\nREADY=1', target.address)).toBeNull();
      expect(target.messages()).toEqual(['MAINPID=42\nREADY=1']);
    }
    expect(sdNotify('READY=1', undefined)).toBeNull();
    expect(sdNotify('READY=1', 'relative/path')).toMatch(/neither an absolute path nor an abstract '@' name/);
    expect(sdNotify('READY=1', '/nonexistent-dir/notify')).toMatch(/ENOENT/);
  });

  it("the receiver learns who sent it: SO_PASSCRED, then SCM_CREDENTIALS with each datagram (what systemd's NotifyAccess= reads)", () => {
    const directory = mkdtempSync(join(tmpdir(), 'hotrestart-notify-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
    cleanups.push(() => close(fd));
    bind(fd, { family: 'unix', path: join(directory, 'notify') });
    // Without SO_PASSCRED the kernel attaches nothing; with it, the sender's pid, uid and gid.
    expect(sdNotify('READY=1', join(directory, 'notify'))).toBeNull();
    expect(recvWithCredentials(fd)).toMatchObject({ credentials: null, truncated: false });
    setsockoptInt(fd, SOL_SOCKET, SO_PASSCRED, 1);
    expect(sdNotify('MAINPID=42\nREADY=1', join(directory, 'notify'))).toBeNull();
    const received = recvWithCredentials(fd);
    expect(received.data.toString()).toBe('MAINPID=42\nREADY=1');
    expect(received.credentials).toEqual({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
  });
});

describe('Type=notify with NotifyAccess=all', { timeout: 30_000 }, () => {
  it('each generation says MAINPID= and READY=1 when ready; a stop says STOPPING=1 (path socket)', async () => {
    const systemd = notifySocket(false);
    const pidFile = join(mkdtempSync(join(tmpdir(), 'hotrestart-test-')), 'server.pid');
    cleanups.push(() => rmSync(join(pidFile, '..'), { recursive: true, force: true }));
    const fixture = await startFixture({ NOTIFY_SOCKET: systemd.address, PID_FILE: pidFile });
    const first = fixture.reports[0];
    await poll(() => systemd.messages().length === 1, 5000, () => 'the first notification');
    expect(systemd.messages()).toEqual([`MAINPID=${first.pid}\nREADY=1`]);

    process.kill(first.pid, 'SIGUSR2');
    const second = await fixture.waitForReport(2);
    await poll(() => systemd.messages().length === 2, 5000, () => 'the second notification');
    expect(systemd.messages()[1]).toBe(`MAINPID=${second.pid}\nREADY=1`);
    // Every generation keeps NOTIFY_SOCKET (a successor needs it too), unlike the LISTEN_ variables.
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(second.pid);

    await fixture.waitForLog(new RegExp(`\\[${second.pid} gen 2\\] the predecessor \\(pid \\d+\\) has finished handing over`));
    process.kill(second.pid, 'SIGTERM');
    await poll(() => systemd.messages().length === 3, 5000, () => 'STOPPING=1');
    expect(systemd.messages()[2]).toBe('STOPPING=1');
  });

  it.skipIf(noActivate !== null)('generation 1 takes its listener from systemd-socket-activate; notifications go to an abstract socket', async () => {
    const systemd = notifySocket(true);
    const port = await freePort();
    const fixture = await startFixture(
      { NOTIFY_SOCKET: systemd.address },
      // Without --accept, systemd-socket-activate execs the server on the first connection, with the listener
      // at fd 3. It passes on only the variables named with -E (systemd itself sets NOTIFY_SOCKET for a service).
      { prefix: ['systemd-socket-activate', '-l', `127.0.0.1:${port}`, '--fdname=http', '-E', 'NOTIFY_SOCKET', '-E', 'NODE_OPTIONS', '-E', 'PATH'], waitFor: null },
    );
    await fixture.waitForLog(/Listening on 127\.0\.0\.1:\d+ as 3/);
    const answer = await get(port);
    const first = await fixture.waitForReport(1);
    expect(answer.pid).toBe(first.pid);
    // The same process systemd-socket-activate was: it exec'd the server, so LISTEN_PID is right.
    expect(first.pid).toBe(fixture.child.pid);
    expect(first.listeners).toEqual([{ name: 'http', kind: 'tcp', fd: 3, address: `127.0.0.1:${port}`, inherited: true }]);
    await poll(() => systemd.messages().length === 1, 5000, () => 'the first notification');
    expect(systemd.messages()).toEqual([`MAINPID=${first.pid}\nREADY=1`]);

    process.kill(first.pid, 'SIGUSR2');
    const second = await fixture.waitForReport(2);
    await poll(() => systemd.messages().length === 2, 5000, () => 'the second notification');
    expect(systemd.messages()[1]).toBe(`MAINPID=${second.pid}\nREADY=1`);
    expect(second.listeners[0]).toMatchObject({ name: 'http', fd: 3, inherited: true });
    expect((await get(port)).pid).toBe(second.pid);
  });
});

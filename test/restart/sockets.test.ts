// What the kernel shows around an upgrade: the same listening socket (same inode) moves to the
// successor, the old process's copy is really closed, nothing leaks into any fd table, listeners stay
// non-blocking; unix and UDP listeners survive too, and so does handover over a unix socket.
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AF_UNIX, O_CLOEXEC, O_NONBLOCK, SOCK_CLOEXEC, SOCK_STREAM } from '../../packages/restart/src/sys/constants.js';
import { close } from '../../packages/restart/src/sys/fd.js';
import { bind, socket } from '../../packages/restart/src/sys/socket.js';
import { fdFlags, fdKinds, fdTable, get, isRunning, killAllFixtures, listeningInodes, poll, startFixture, upgradeByPidFile } from './harness.js';

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

describe('the listening socket', { timeout: 30_000 }, () => {
  it('moves to the successor; the old process closes its copy, and the port closes with the successor', async () => {
    const pidFile = join(workDirectory(), 'server.pid');
    // The exit hook keeps the drained old process alive for a while, to look at its fd table.
    const fixture = await startFixture({ PID_FILE: pidFile, EXIT_DELAY_MS: '5000' });
    const { pid: old, port } = fixture.reports[0];
    const [inode] = listeningInodes(port);
    expect(listeningInodes(port)).toHaveLength(1);
    const before = fdKinds(old);
    const oldFd = [...fdTable(old)].find(([, target]) => target === `socket:[${inode}]`)![0];
    expect(fdFlags(old, oldFd) & O_NONBLOCK).toBe(O_NONBLOCK);

    process.kill(old, 'SIGUSR2');
    const successor = await fixture.waitForReport(2);
    // Through the drain and the rollback window the old process keeps a duplicate of the listener (to
    // serve again if the successor dies); then it closes it.
    await fixture.waitForLog(new RegExp(`\\[${old} gen 1\\] the successor lives on: the listeners kept for a rollback are closed`));
    expect(isRunning(old)).toBe(true);

    // The old process: no listener, and no pipe or socket left over from the upgrade.
    expect([...fdTable(old).values()]).not.toContain(`socket:[${inode}]`);
    expect(fdKinds(old)).toEqual({ ...before, socket: before.socket - 1 });
    // The successor: the very same socket (one inode, still the only listener), at fd 3, non-blocking, close-on-exec.
    expect(fdTable(successor.pid).get(3)).toBe(`socket:[${inode}]`);
    expect(fdFlags(successor.pid, 3) & (O_NONBLOCK | O_CLOEXEC)).toBe(O_NONBLOCK | O_CLOEXEC);
    expect(listeningInodes(port)).toEqual([inode]);
    expect((await get(port)).pid).toBe(successor.pid);

    // With the successor gone after the rollback window the port is closed, although the old process still runs: it holds no dup.
    process.kill(successor.pid, 'SIGKILL');
    await poll(() => !isRunning(successor.pid), 5000, () => `pid ${successor.pid} to die`);
    expect(isRunning(old)).toBe(true);
    await poll(() => listeningInodes(port).length === 0, 2000, () => `port ${port} to leave LISTEN`);
  });

  it('leaks no fd: after three upgrades the current process holds what the first one held', async () => {
    const pidFile = join(workDirectory(), 'server.pid');
    const fixture = await startFixture({ PID_FILE: pidFile });
    const first = fdKinds(fixture.reports[0].pid);
    for (let generation = 2; generation <= 4; generation++) {
      const { to } = await upgradeByPidFile(pidFile);
      await fixture.waitForLog(new RegExp(`\\[${to} gen ${generation}\\] the predecessor \\(pid \\d+\\) has finished handing over`));
      expect(fdKinds(to)).toEqual(first);
    }
  });
});

describe('other listeners', { timeout: 30_000 }, () => {
  it('a unix socket path survives upgrades, and a stale socket file is replaced at the first bind', async () => {
    const directory = workDirectory();
    const socketPath = join(directory, 'http.sock');
    // A stale socket file: bound, never listened on, its socket closed. connect() gets ECONNREFUSED.
    const stale = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
    bind(stale, { family: 'unix', path: socketPath });
    close(stale);
    const pidFile = join(directory, 'server.pid');
    const fixture = await startFixture({ PID_FILE: pidFile, SOCKET_PATH: socketPath });
    expect(fixture.reports[0].listeners[1]).toMatchObject({ name: 'http-unix', kind: 'unix', address: socketPath, inherited: false });
    const inode = statSync(socketPath).ino;
    expect((await get(socketPath)).pid).toBe(fixture.reports[0].pid);

    for (let generation = 2; generation <= 3; generation++) {
      const { to } = await upgradeByPidFile(pidFile);
      // The old process exited without unlinking the path: the same file, served by the successor.
      expect(statSync(socketPath).ino).toBe(inode);
      expect((await get(socketPath)).pid).toBe(to);
      expect(fixture.reports[generation - 1].listeners[1]).toMatchObject({ name: 'http-unix', inherited: true });
    }
  });

  it('a UDP listener keeps its port across an upgrade', async () => {
    const pidFile = join(workDirectory(), 'server.pid');
    const fixture = await startFixture({ PID_FILE: pidFile, UDP_PORT: '0' });
    const udp = fixture.reports[0].listeners.find((listener) => listener.name === 'udp')!;
    const port = Number(udp.address.split(':').pop());
    expect(await ask(port)).toBe(`ok ${fixture.reports[0].pid}`);
    const { to } = await upgradeByPidFile(pidFile);
    expect(fixture.reports[1].listeners.find((listener) => listener.name === 'udp')).toMatchObject({ inherited: true, address: udp.address });
    expect(await ask(port)).toBe(`ok ${to}`);
  });

  it("handover: 'unix' passes the listeners over a unix socket with an abstract name: nothing in TMPDIR", async () => {
    const directory = workDirectory();
    // A TMPDIR that only this fixture uses, where the module makes its private directory.
    const tmp = join(directory, 'tmp');
    mkdirSync(tmp);
    const pidFile = join(directory, 'server.pid');
    const fixture = await startFixture({ PID_FILE: pidFile, HANDOVER: 'unix', TMPDIR: tmp });
    const { port } = fixture.reports[0];
    const { to } = await upgradeByPidFile(pidFile);
    expect(fixture.reports[1].listeners[0]).toMatchObject({ name: 'http', inherited: true, address: `127.0.0.1:${port}` });
    expect((await get(port)).pid).toBe(to);
    expect(fixture.reports[1].listeners[0].fd).not.toBe(3); // it did not come by inheritance
    expect(readdirSync(tmp).filter((name) => name.startsWith('hotrestart-'))).toEqual([]);
  });
});

/** One datagram to 127.0.0.1:port; the answer's text. */
function ask(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`no UDP answer from port ${port}`));
    }, 3000);
    client.once('message', (message) => {
      clearTimeout(timer);
      client.close();
      resolve(message.toString());
    });
    client.send('hello', port, '127.0.0.1');
  });
}

// LISTEN_FDS / LISTEN_PID as systemd defines them: a process uses inherited fds only when LISTEN_PID is
// its own pid, and deletes the variables either way so its own children cannot misread them.
import { afterEach, describe, expect, it } from 'vitest';
import { AF_INET, SOCK_CLOEXEC, SOCK_STREAM } from '../../packages/restart/src/sys/constants.js';
import { close } from '../../packages/restart/src/sys/fd.js';
import { bind, getsockname, listen, socket } from '../../packages/restart/src/sys/socket.js';
import { get, killAllFixtures, startFixture } from './harness.js';

const fds: number[] = [];
afterEach(async () => {
  await killAllFixtures();
  for (const fd of fds.splice(0)) close(fd);
});

/** A listening socket made by hand, as systemd would make it, never given to Node in this process. */
function systemdStyleListener(): { fd: number; port: number } {
  const fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC);
  fds.push(fd);
  bind(fd, { family: 'inet', address: '127.0.0.1', port: 0 });
  listen(fd, 16);
  const address = getsockname(fd);
  return { fd, port: address.family === 'inet' ? address.port : 0 };
}

describe('inherited listeners', { timeout: 20_000 }, () => {
  it('ignores LISTEN_FDS when LISTEN_PID is another process, and deletes the variables', async () => {
    const passed = systemdStyleListener();
    const fixture = await startFixture({ LISTEN_FDS: '1', LISTEN_PID: '1', LISTEN_FDNAMES: 'http' }, { fds: [passed.fd] });
    const [report] = fixture.reports;
    expect(fixture.log()).toMatch(/ignoring inherited listeners: LISTEN_PID=1 is not this process \(pid \d+\)/);
    expect(report.listeners[0]).toMatchObject({ name: 'http', inherited: false });
    expect(report.port).not.toBe(passed.port);
    expect(JSON.parse((await get(report.port, '/env')).body)).toEqual({ generation: 1, env: {} });
  });

  it('uses the fd when LISTEN_PID is its own pid (socket activation), and deletes the variables', async () => {
    const passed = systemdStyleListener();
    const fixture = await startFixture({ LISTEN_FDS: '1', LISTEN_FDNAMES: 'http', PORT: String(passed.port) }, { fds: [passed.fd], withListenPid: true });
    const [report] = fixture.reports;
    expect(report.listeners[0]).toMatchObject({ name: 'http', inherited: true, fd: 3, address: `127.0.0.1:${passed.port}` });
    expect(fixture.log()).toMatch(/generation 1: inherited http=fd 3/);
    const answer = await get(passed.port, '/env');
    expect(answer.pid).toBe(report.pid);
    expect(JSON.parse(answer.body)).toEqual({ generation: 1, env: {} });
  });

  it('binds afresh when the inherited fd does not fit the address asked for', async () => {
    const passed = systemdStyleListener();
    const elsewhere = systemdStyleListener();
    close(fds.pop()!); // a port that was free a moment ago
    const fixture = await startFixture({ LISTEN_FDS: '1', LISTEN_FDNAMES: 'http', PORT: String(elsewhere.port) }, { fds: [passed.fd], withListenPid: true });
    const [report] = fixture.reports;
    expect(fixture.log()).toMatch(new RegExp(`inherited listener http \\(fd 3\\) does not fit: it is bound to port ${passed.port}, not ${elsewhere.port}; binding a new one`));
    expect(fixture.log()).toMatch(/closing inherited listener http \(fd 3\): nothing listened on it/);
    expect(report.listeners[0]).toMatchObject({ inherited: false, address: `127.0.0.1:${elsewhere.port}` });
  });
});

// The small pieces on their own: reading the inheritance variables, the PID file, matching an
// inherited socket to the address asked for, removing only a stale unix socket path.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bindFresh, removeStaleSocket } from '../../packages/restart/src/bind.js';
import { successorEnv, takeInheritance } from '../../packages/restart/src/env.js';
import { addressMatches, describeSocket } from '../../packages/restart/src/listeners.js';
import { readPidFile, writePidFile } from '../../packages/restart/src/pidfile.js';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM } from '../../packages/restart/src/sys/constants.js';
import { close } from '../../packages/restart/src/sys/fd.js';
import { bind, socket } from '../../packages/restart/src/sys/socket.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function directory(): string {
  const path = mkdtempSync(join(tmpdir(), 'hotrestart-unit-'));
  cleanups.push(() => rmSync(path, { recursive: true, force: true }));
  return path;
}

describe('takeInheritance', () => {
  it('ignores every variable when LISTEN_PID is another process, and deletes them', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_FDS: '2', LISTEN_PID: '1', LISTEN_FDNAMES: 'a:b', HOTRESTART_READY_FD: '5', HOTRESTART_GENERATION: '7', KEEP: 'x' };
    const inheritance = takeInheritance(env, 4242);
    expect(inheritance).toMatchObject({ listenFds: [], readyFd: null, generation: 1, ignored: 'LISTEN_PID=1 is not this process (pid 4242)' });
    expect(env).toEqual({ KEEP: 'x' });
  });

  it('says nothing when nothing was inherited, and complains about LISTEN_FDS without LISTEN_PID', () => {
    expect(takeInheritance({}, 1).ignored).toBeUndefined();
    expect(takeInheritance({ LISTEN_FDS: '1' }, 1).ignored).toBe('LISTEN_FDS is set without LISTEN_PID');
  });

  it('refuses a count whose fds are not open', () => {
    expect(takeInheritance({ LISTEN_PID: '9', LISTEN_FDS: '1000' }, 9).ignored).toMatch(/LISTEN_FDS=1000 but fd \d+ is not open/);
  });

  it('builds the successor environment without LISTEN_PID (the shell sets it) and without stale variables', () => {
    const env = successorEnv({ PATH: '/bin', LISTEN_PID: '3', HOTRESTART_HANDOVER_SOCKET: '/old' }, { names: ['http', 'udp'], readyFd: 5, handoffFd: 6, handoverSocket: null, generation: 3 });
    expect(env).toEqual({
      PATH: '/bin',
      LISTEN_FDS: '2',
      LISTEN_FDNAMES: 'http:udp',
      HOTRESTART_READY_FD: '5',
      HOTRESTART_HANDOFF_FD: '6',
      HOTRESTART_GENERATION: '3',
      HOTRESTART_PARENT_PID: String(process.pid),
    });
  });
});

describe('the PID file', () => {
  it('is replaced whole, leaving no temporary file', () => {
    const path = join(directory(), 'app.pid');
    writeFileSync(path, 'garbage');
    expect(readPidFile(path)).toBeNull();
    writePidFile(path, 1234);
    expect(readPidFile(path)).toBe(1234);
    writePidFile(path, 5678);
    expect(readPidFile(path)).toBe(5678);
    expect(readdirSync(join(path, '..'))).toEqual(['app.pid']);
  });
});

describe('matching an inherited socket', () => {
  it('tells TCP, UDP and unix apart and checks the address', async () => {
    const tcp = await bindFresh({ host: '127.0.0.1', port: 0 });
    const udp = await bindFresh({ host: '127.0.0.1', port: 0 }, true);
    const path = join(directory(), 's.sock');
    const unix = await bindFresh({ path });
    cleanups.push(() => [tcp, udp, unix].forEach(close));
    const tcpInfo = describeSocket(tcp);
    const port = tcpInfo.address.family === 'inet' ? tcpInfo.address.port : -1;
    expect(tcpInfo).toMatchObject({ kind: 'tcp', listening: true });
    expect(describeSocket(udp)).toMatchObject({ kind: 'udp', listening: false });
    expect(describeSocket(unix)).toMatchObject({ kind: 'unix', listening: true, address: { family: 'unix', path } });

    expect(addressMatches(tcpInfo, { host: '127.0.0.1', port }, 'tcp')).toBeNull();
    expect(addressMatches(tcpInfo, { host: '127.0.0.1', port: 0 }, 'tcp')).toBeNull();
    expect(addressMatches(tcpInfo, { host: '127.0.0.1', port: port === 1 ? 2 : 1 }, 'tcp')).toMatch(/bound to port/);
    expect(addressMatches(tcpInfo, { host: '::', port }, 'tcp')).toMatch(/bound to 127\.0\.0\.1:\d+, not ::$/);
    expect(addressMatches(tcpInfo, { host: '127.0.0.1', port }, 'udp')).toBe('it is a tcp socket, not udp');
    expect(addressMatches(describeSocket(unix), { path }, 'unix')).toBeNull();
    expect(addressMatches(describeSocket(unix), { path: path + '2' }, 'unix')).toMatch(/not .*s\.sock2/);
  });

  it('removes a stale unix socket file, never a live one or another file', async () => {
    const dir = directory();
    const stalePath = join(dir, 'stale.sock');
    const stale = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
    bind(stale, { family: 'unix', path: stalePath });
    close(stale);
    expect(removeStaleSocket(stalePath)).toBe(true);
    expect(existsSync(stalePath)).toBe(false);

    const livePath = join(dir, 'live.sock');
    const live = await bindFresh({ path: livePath });
    cleanups.push(() => close(live));
    expect(removeStaleSocket(livePath)).toBe(false);
    await expect(bindFresh({ path: livePath })).rejects.toThrow(/EADDRINUSE/);

    const plainPath = join(dir, 'plain');
    writeFileSync(plainPath, '');
    expect(removeStaleSocket(plainPath)).toBe(false);
    expect(existsSync(plainPath)).toBe(true);
  });
});

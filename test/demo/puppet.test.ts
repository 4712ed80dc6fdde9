// Puppets against the real kernel: every assertion reads /proc, never the puppet's own word alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/demo/supervisor.js';
import { isAlive } from '../../src/demo/marker.js';
import type { PuppetHandle } from '../../src/demo/types.js';
import { waitFor } from '../helpers/wait.js';
import { fdFlags, fdTarget, listenerSockets, listeningPorts, O_CLOEXEC, O_NONBLOCK, openFds } from './procfs.js';

let supervisor: Supervisor;
let p1: PuppetHandle;

beforeEach(async () => {
  supervisor = await Supervisor.start();
  p1 = await supervisor.spawnPuppet('p1');
});
afterEach(() => supervisor.stop());

async function listen(puppet: PuppetHandle, request: { backlog?: number; serve?: 'http' | 'none' } = {}) {
  const reply = await puppet.call({ op: 'listen', ...request });
  expect(reply.ok, reply.error).toBe(true);
  return reply.result as { fd: number; port: number };
}

describe('a puppet', () => {
  it('listens, dups and reports a failed close the way strace would', async () => {
    const reply = await p1.call({ op: 'listen' });
    const { fd, port } = reply.result as { fd: number; port: number };
    expect(reply.lines).toEqual([
      `socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = ${fd}`,
      `bind(${fd}, 127.0.0.1:0) = 0`,
      `listen(${fd}, 511) = 0`,
    ]);
    expect(listeningPorts().has(port)).toBe(true);

    const dup = await p1.call({ op: 'dup', fd });
    const copy = dup.result.fd as number;
    expect(dup.lines).toEqual([`dup(${fd}) = ${copy}`]);
    expect(copy).not.toBe(fd);
    expect(fdTarget(p1.pid, copy)).toMatch(/^socket:\[\d+\]$/);
    expect(fdTarget(p1.pid, copy)).toBe(fdTarget(p1.pid, fd));

    const close = await p1.call({ op: 'close', fd: 99 });
    expect(close.ok).toBe(false);
    expect(close.lines).toEqual(['close(99) = -1 EBADF (Bad file descriptor)']);
    expect(close.error).toMatch(/Bad file descriptor/);
  });

  it('refuses to touch the fds Node itself uses, and to leave loopback', async () => {
    const epoll = openFds(p1.pid).find((fd) => fdTarget(p1.pid, fd) === 'anon_inode:[eventpoll]')!;
    const refused = await p1.call({ op: 'close', fd: epoll });
    expect(refused).toMatchObject({ ok: false, lines: [] });
    expect(fdTarget(p1.pid, epoll)).toBe('anon_inode:[eventpoll]');
    expect((await p1.call({ op: 'listen', address: '0.0.0.0' })).ok).toBe(false);
    expect((await p1.call({ op: 'listen', port: 8080 })).ok).toBe(false);
    expect((await p1.call({ op: 'open', path: '../escape', mode: 'w' })).ok).toBe(false);
  });

  it('hands a listener to its child: same socket, and O_NONBLOCK is shared while FD_CLOEXEC is not', async () => {
    const { fd } = await listen(p1);
    const spawned = await p1.call({ op: 'spawn', name: 'p2', fds: { 3: fd } });
    expect(spawned.ok, spawned.error).toBe(true);
    const p2 = await supervisor.waitForPuppet('p2');
    expect(p2.pid).toBe(spawned.result.pid);
    expect(fdTarget(p2.pid, 3)).toBe(fdTarget(p1.pid, fd));

    expect(fdFlags(p1.pid, fd) & O_NONBLOCK).toBe(0);
    expect((await p2.call({ op: 'fcntl', fd: 3, nonblock: true })).ok).toBe(true);
    expect(fdFlags(p1.pid, fd) & O_NONBLOCK).toBe(O_NONBLOCK);

    // Node marks inherited fds close-on-exec at start-up; clearing it in the child is the child's affair.
    expect(fdFlags(p2.pid, 3) & O_CLOEXEC).toBe(O_CLOEXEC);
    expect((await p2.call({ op: 'fcntl', fd: 3, cloexec: false })).ok).toBe(true);
    expect(fdFlags(p2.pid, 3) & O_CLOEXEC).toBe(0);
    expect(fdFlags(p1.pid, fd) & O_CLOEXEC).toBe(O_CLOEXEC);
  });

  it('passes only the chosen fds to a program it spawns (the control connection stays home)', async () => {
    const { fd } = await listen(p1);
    const spawned = await p1.call({ op: 'spawn', name: 'sleeper', command: ['sleep', '600'], fds: { 3: fd } });
    expect(spawned.ok, spawned.error).toBe(true);
    const pid = spawned.result.pid as number;
    // Right after exec the dynamic loader briefly opens libraries at fd 4 and up; wait for it to settle.
    await waitFor(() => openFds(pid).join() === '0,1,2,3', { message: "sleep's fds to be exactly 0-3" });
    expect(fdTarget(pid, 3)).toBe(fdTarget(p1.pid, fd));
    expect(supervisor.pids()).toContain(pid);
  });

  it('at stdio 0 a child makes the shared listener blocking for the parent too (libuv)', async () => {
    const { fd } = await listen(p1);
    await p1.call({ op: 'fcntl', fd, nonblock: true });
    expect(fdFlags(p1.pid, fd) & O_NONBLOCK).toBe(O_NONBLOCK);
    const spawned = await p1.call({ op: 'spawn', name: 'sleeper', command: ['sleep', '600'], fds: { 0: fd } });
    expect(spawned.lines).toContain(`[pid ${spawned.result.pid}] fcntl(0, F_SETFL, O_RDWR) = 0 (by libuv)`);
    expect(fdFlags(p1.pid, fd) & O_NONBLOCK).toBe(0);
  });

  it('accepts what is queued, and says so instead of blocking when nothing is', async () => {
    const { fd, port } = await listen(p1);
    const empty = await p1.call({ op: 'accept', fd, timeoutMs: 20 });
    expect(empty).toMatchObject({ ok: false, lines: [`accept4(${fd}) would block: accept queue empty`] });

    const client = await p1.call({ op: 'connect', port });
    expect(client.lines[1]).toBe(`connect(${client.result.fd}, 127.0.0.1:${port}) = 0`);
    const accepted = await p1.call({ op: 'accept', fd });
    expect(accepted.ok, accepted.error).toBe(true);
    const server = accepted.result.fd as number;

    expect((await p1.call({ op: 'send', fd: client.result.fd as number, data: 'ping' })).ok).toBe(true);
    const received = await p1.call({ op: 'recv', fd: server });
    expect(received.result).toMatchObject({ data: 'ping', bytes: 4 });
    expect(received.lines).toEqual([`recv(${server}, "ping", 4096, MSG_DONTWAIT) = 4`]);
  });

  it('reports a client stuck in SYN_SENT when the accept queue is full', async () => {
    const { port } = await listen(p1, { backlog: 0 });
    // Backlog 0 still queues one connection; keep connecting until the kernel stops answering.
    let reply = await p1.call({ op: 'connect', port, timeoutMs: 200 });
    for (let i = 0; reply.ok && i < 4; i++) reply = await p1.call({ op: 'connect', port, timeoutMs: 200 });
    expect(reply.ok).toBe(false);
    expect(reply.result).toMatchObject({ state: 'SYN_SENT' });
    expect(reply.error).toMatch(/SYN_SENT/);
  });

  it('passes a listener to an unrelated puppet with SCM_RIGHTS', async () => {
    const p2 = await supervisor.spawnPuppet('p2');
    const unix = await p1.call({ op: 'unix-listen', path: 'handover.sock' });
    expect(unix.ok, unix.error).toBe(true);
    const client = await p2.call({ op: 'unix-connect', path: 'handover.sock' });
    expect(client.ok, client.error).toBe(true);
    const conn = await p1.call({ op: 'accept', fd: unix.result.fd as number });
    const { fd } = await listen(p1);

    const nothing = await p2.call({ op: 'recvfd', fd: client.result.fd as number, timeoutMs: 20 });
    expect(nothing.ok).toBe(false);
    const sent = await p1.call({ op: 'sendfd', fd: conn.result.fd as number, fds: [fd] });
    expect(sent.ok, sent.error).toBe(true);
    const received = await p2.call({ op: 'recvfd', fd: client.result.fd as number });
    expect(received.ok, received.error).toBe(true);
    const [got] = received.ok ? received.result.fds : [];
    expect(fdTarget(p2.pid, got)).toBe(fdTarget(p1.pid, fd));
  });

  it('keeps a port listening after server.close() while a dup is open (the dup leak)', async () => {
    const node = await p1.call({ op: 'listen-node' });
    const { fd, port } = node.result as { fd: number; port: number };
    expect(node.lines.at(-1)).toBe(`listen(${fd}, 511) = 0 (by libuv)`);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe('ok\n');

    const dup = await p1.call({ op: 'dup', fd });
    expect((await p1.call({ op: 'server-close', fd })).ok).toBe(true);
    expect(listeningPorts().has(port)).toBe(true);
    await p1.call({ op: 'close', fd: dup.result.fd as number });
    expect(listeningPorts().has(port)).toBe(false);
  });

  it('joins a port with SO_REUSEPORT, and only then', async () => {
    const p2 = await supervisor.spawnPuppet('p2');
    const first = await p1.call({ op: 'listen', reusePort: true });
    const port = first.result.port as number;
    expect(first.lines[1]).toBe(`setsockopt(${first.result.fd}, SOL_SOCKET, SO_REUSEPORT, [1], 4) = 0`);
    const second = await p2.call({ op: 'listen', port, reusePort: true });
    expect(second.ok, second.error).toBe(true);
    expect(listenerSockets().filter((p) => p === port)).toHaveLength(2);

    const plain = await p1.call({ op: 'listen' });
    const refused = await p2.call({ op: 'listen', port: plain.result.port as number, reusePort: true });
    expect(refused.ok).toBe(false);
    expect(refused.lines.at(-1)).toMatch(new RegExp(`^bind\\(\\d+, 127\\.0\\.0\\.1:${plain.result.port}\\) = -1 EADDRINUSE \\(Address already in use\\)$`));
  });

  it('serves HTTP on a hand-made listener', async () => {
    const { port } = await listen(p1, { serve: 'http' });
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.headers.get('x-puppet')).toBe(`p1 ${p1.pid}`);
    expect(await response.text()).toBe('ok\n');
  });

  it('works on files in the private directory', async () => {
    const w = await p1.call({ op: 'open', path: 'notes.txt', mode: 'w' });
    expect(w.lines).toEqual([`open("notes.txt", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = ${w.result.fd}`]);
    expect(fdTarget(p1.pid, w.result.fd as number)).toBe(`${supervisor.dir}/notes.txt`);
    await p1.call({ op: 'write', fd: w.result.fd as number, data: 'hello' });
    const r = await p1.call({ op: 'open', path: 'notes.txt', mode: 'r' });
    await p1.call({ op: 'lseek', fd: r.result.fd as number, offset: 1 });
    const read = await p1.call({ op: 'read', fd: r.result.fd as number, length: 64 });
    expect(read.result).toMatchObject({ data: 'ello', bytes: 4 });
  });

  it('turns away a second live puppet with the same name', async () => {
    await expect(supervisor.spawnPuppet('p1')).rejects.toThrow(/already running/);
    const twin = await p1.call({ op: 'spawn', name: 'p1' });
    expect(twin.ok, twin.error).toBe(true);
    // Its hello is refused and the control connection closed, so it exits on its own.
    await waitFor(() => !isAlive(twin.result.pid as number), { timeout: 5000, message: 'the refused twin to exit' });
    await expect(supervisor.waitForPuppet('nobody', 50)).rejects.toThrow(/did not check in within 50 ms/);
  });

  it('answers exit, then ends; later and pending calls reject with a clear error', async () => {
    const reply = await p1.call({ op: 'exit', code: 0 });
    expect(reply).toMatchObject({ ok: true, lines: ['exit_group(0) = ?'] });
    await p1.exited;
    expect(isAlive(p1.pid)).toBe(false);
    await expect(p1.call({ op: 'dup', fd: 0 })).rejects.toThrow(/has exited/);

    const p2 = await supervisor.spawnPuppet('p2');
    const { fd } = await listen(p2);
    const waiting = p2.call({ op: 'accept', fd, timeoutMs: 5000 });
    process.kill(p2.pid, 'SIGKILL');
    await expect(waiting).rejects.toThrow(/exited before answering accept/);
  });
});

// The fd-table engine against this very process: dup, open twice, pipes, listeners, statuses.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as sys from '../../src/sys/index.js';
import { diff, snapshot, type FdRow } from '../../src/fdtable/index.js';

const opened: number[] = [];
const track = (fd: number) => (opened.push(fd), fd);
afterEach(() => {
  while (opened.length) {
    try {
      sys.close(opened.pop()!);
    } catch {
      /* already closed by the test */
    }
  }
});

const rowOf = (rows: FdRow[], fd: number, pid = process.pid) => {
  const row = rows.find((r) => r.pid === pid && r.fd === fd);
  if (!row) throw new Error(`no row for fd ${fd}`);
  return row;
};

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hrt-test-'));
  const path = join(dir, 'data.txt');
  writeFileSync(path, 'hello world\n');
  return path;
}

describe('description identity', () => {
  it('dup shares the description; a second open() of the same file does not', () => {
    const path = tempFile();
    const first = track(sys.open(path, sys.O_RDONLY));
    const copy = track(sys.dup(first));
    const second = track(sys.open(path, sys.O_RDONLY));
    sys.read(first, 6); // moves the shared offset of first and copy, not of second
    const { rows } = snapshot([process.pid]);
    expect(rowOf(rows, copy).description).toBe(rowOf(rows, first).description);
    expect(rowOf(rows, second).description).not.toBe(rowOf(rows, first).description);
    expect(rowOf(rows, first).identity).toBe('kcmp');
    expect(rowOf(rows, copy).offset).toBe(6);
    expect(rowOf(rows, second).offset).toBe(0);
    expect(rowOf(rows, first).inode).toBe(rowOf(rows, second).inode);
    rmSync(dirname(path), { recursive: true, force: true });
  });

  it('close-on-exec is per fd while O_NONBLOCK is per description', () => {
    const s = track(sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
    const copy = track(sys.dup(s)); // dup never copies FD_CLOEXEC
    sys.setNonBlocking(copy, true);
    const { rows } = snapshot([process.pid]);
    expect(rowOf(rows, s).cloexec).toBe(true);
    expect(rowOf(rows, copy).cloexec).toBe(false);
    expect(rowOf(rows, s).nonblock).toBe(true);
    expect(rowOf(rows, s).description).toBe(rowOf(rows, copy).description);
    expect(rowOf(rows, s).identity).toBe('socket-inode');
  });

  it('the two ends of a pipe share an inode but not a description', () => {
    const [r, w] = sys.pipe2(sys.O_CLOEXEC).map(track);
    const { rows } = snapshot([process.pid]);
    expect(rowOf(rows, r).type).toBe('FIFO');
    expect(rowOf(rows, r).inode).toBe(rowOf(rows, w).inode);
    expect(rowOf(rows, r).description).not.toBe(rowOf(rows, w).description);
    expect(rowOf(rows, r).access).toBe('r');
    expect(rowOf(rows, w).access).toBe('w');
  });
});

describe('sockets', () => {
  it('a listener shows LISTEN, its accept queue and its backlog limit', () => {
    const s = track(sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
    sys.bind(s, { family: 'inet', address: '127.0.0.1', port: 0 });
    sys.listen(s, 7);
    const address = sys.getsockname(s);
    for (let i = 0; i < 3; i++) sys.connect(track(sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC)), address);
    const before = snapshot([process.pid]);
    const row = rowOf(before.rows, s);
    expect(row.type).toBe('TCP');
    expect(before.socketSource).toBe('sock_diag');
    expect(row.name).toBe(`127.0.0.1:${(address as { port: number }).port} (LISTEN)`);
    expect(row.socket).toMatchObject({ state: 'LISTEN', acceptQueue: 3, backlog: 7 });

    const accepted = track(sys.accept4(s, sys.SOCK_CLOEXEC).fd);
    const after = snapshot([process.pid], { previous: before });
    expect(rowOf(after.rows, s).socket?.acceptQueue).toBe(2);
    expect(rowOf(after.rows, accepted).name).toMatch(/^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ \(ESTABLISHED\)$/);
    const changes = diff(before, after);
    expect(changes.find((c) => c.fd === s)).toMatchObject({ change: 'changed', fields: ['socket.acceptQueue'] });
    expect(changes.find((c) => c.fd === accepted)).toMatchObject({ change: 'appeared' });
    // Letters stick across refreshes: the listener keeps its letter.
    expect(rowOf(after.rows, s).description).toBe(row.description);
  });

  it('unix sockets name their peer by pid and fd when the peer is in the snapshot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hrt-unix-'));
    const listener = track(sys.socket(sys.AF_UNIX, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
    sys.bind(listener, { family: 'unix', path: join(dir, 'l.sock') });
    sys.listen(listener, 4);
    const client = track(sys.socket(sys.AF_UNIX, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
    sys.connect(client, { family: 'unix', path: join(dir, 'l.sock') });
    const server = track(sys.accept4(listener, sys.SOCK_CLOEXEC).fd);
    const { rows } = snapshot([process.pid]);
    expect(rowOf(rows, listener).name).toBe(`${join(dir, 'l.sock')} (LISTEN)`);
    expect(rowOf(rows, client).name).toContain(`fd ${server}`);
    expect(rowOf(rows, server).name).toContain(`fd ${client}`);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('process statuses', () => {
  it('a pid that does not exist is a status with one sentence, not an exception', () => {
    const snap = snapshot([2 ** 22 + 12345]);
    expect(snap.rows).toHaveLength(0);
    expect(snap.processes[0]).toMatchObject({ status: 'gone', message: `No process with pid ${2 ** 22 + 12345}.` });
  });

  it('a closed fd vanishes in the diff', () => {
    const fd = sys.dup(0);
    const before = snapshot([process.pid]);
    sys.close(fd);
    const changes = diff(before, snapshot([process.pid], { previous: before }));
    expect(changes).toContainEqual(expect.objectContaining({ fd, change: 'vanished' }));
  });
});

describe('sockets no table lists', () => {
  it('a fresh, unconnected TCP socket is still typed TCP (sockfs names its protocol)', () => {
    const s = track(sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC));
    const row = rowOf(snapshot([process.pid]).rows, s);
    expect(row.type).toBe('TCP');
    expect(row.socket).toBeNull();
    expect(row.name).toMatch(/^socket:\[\d+\] \(no connection/);
  });
});

describe('live refreshes', () => {
  it('an unchanged node process diffs to nothing: every description keeps its letter', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', 'require("fs").statSync("/"); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const fdSet = (snap: ReturnType<typeof snapshot>) => snap.rows.map((r) => `${r.fd}:${r.inode}:${r.name}`).join(' ');
    try {
      // A starting node opens fds for a while (libuv's pool, its eventfds): compare two snapshots only
      // once the set of open fds held still between them, so what is left to differ is identity.
      let pair: [ReturnType<typeof snapshot>, ReturnType<typeof snapshot>] | undefined;
      for (let i = 0; i < 100 && !pair; i++) {
        await new Promise((r) => setTimeout(r, 30));
        const before = snapshot([child.pid!]);
        const after = snapshot([child.pid!], { previous: before });
        if (before.rows.filter((r) => r.type === 'eventfd').length > 1 && fdSet(before) === fdSet(after)) pair = [before, after];
      }
      expect(pair).toBeDefined();
      const [before, after] = pair!;
      expect(before.rows.find((r) => r.type === 'eventfd')!.name).toMatch(/^\[eventfd:\d+\]$/);
      expect(diff(before, after)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

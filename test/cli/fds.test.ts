import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cells, deadPid, expectOneSentence, lineReader, runCli, startListener, type Listener } from './helpers.js';
import { fdsDocumentProblems } from './fds-schema.js';
import type { FdsDocument, JsonRow } from '../../src/fdtable/json.js';

describe('fds errors', () => {
  it('says there is no such process, exit 2', async () => {
    const pid = await deadPid();
    const result = await runCli(['fds', String(pid)]);
    expect(result.exitCode).toBe(2);
    expect(expectOneSentence(result)).toBe(`No process with pid ${pid}.`);
  });

  it('refuses a pid that is not a number, exit 2', async () => {
    const result = await runCli(['fds', 'nginx']);
    expect(result.exitCode).toBe(2);
    expect(expectOneSentence(result)).toBe('Invalid pid "nginx": a pid is a whole number greater than 0.');
  });

  it('refuses --watch on processes that do not exist, exit 2', async () => {
    const pid = await deadPid();
    const result = await runCli(['fds', '--watch=50', String(pid)]);
    expect(result.exitCode).toBe(2);
    expect(expectOneSentence(result)).toBe(`No process with pid ${pid}.`);
  });
});

describe('fds on a real listener', () => {
  let server: Listener;
  let dupFd: number;
  beforeAll(async () => {
    server = await startListener();
    dupFd = (await server.request('dup')).dupFd as number;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('prints its LISTEN row with the accept queue and backlog', async () => {
    const result = await runCli(['fds', String(server.pid)]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain('\x1b'); // not a terminal: plain text
    const lines = result.stdout.split('\n');
    expect(cells(lines[0])).toEqual(['PID', 'CMD', 'FD', 'TYPE', 'DESC', 'FD FLAGS', 'FILE FLAGS', 'OFFSET', 'NODE', 'QUEUE', 'NAME']);
    const row = lines.map(cells).find((c) => c[2] === String(server.fd))!;
    expect(row).toEqual([
      String(server.pid), 'node', String(server.fd), 'TCP', expect.stringMatching(/^[A-Z]+$/), 'cloexec', 'rw,nonblock', '-',
      expect.stringMatching(/^\d+$/), '0/64', `127.0.0.1:${server.port} (LISTEN)`,
    ]);
  });

  it('shows the dup with the same DESC letter and its own FD FLAGS', async () => {
    const result = await runCli(['fds', String(server.pid)]);
    const rows = result.stdout.split('\n').map(cells);
    const original = rows.find((c) => c[2] === String(server.fd))!;
    const copy = rows.find((c) => c[2] === String(dupFd))!;
    expect(copy[4]).toBe(original[4]);
    expect(copy[5]).toBe('-'); // dup() never copies FD_CLOEXEC
  });

  it('writes a --json document that follows the schema, the dup sharing the description id', async () => {
    const result = await runCli(['fds', '--json', String(server.pid)]);
    expect(result.exitCode).toBe(0);
    const doc = JSON.parse(result.stdout) as FdsDocument;
    expect(fdsDocumentProblems(doc)).toEqual([]);
    expect(doc.rows.length).toBeGreaterThan(3);
    expect(doc.changes).toBeNull();
    const byFd = (fd: number) => doc.rows.find((r) => r.fd === fd) as JsonRow;
    const original = byFd(server.fd);
    const copy = byFd(dupFd);
    expect(original.socket).toMatchObject({ state: 'LISTEN', local: `127.0.0.1:${server.port}`, acceptQueue: 0, backlog: 64 });
    expect(copy.description.id).toBe(original.description.id);
    expect(copy.inode).toBe(original.inode);
    expect(original.fdFlags.cloexec).toBe(true);
    expect(copy.fdFlags.cloexec).toBe(false);
    expect(copy.fileFlags).toMatchObject({ access: 'rw', nonblock: true });
    const others = doc.rows.filter((r) => r.fd !== server.fd && r.fd !== dupFd);
    expect(others.every((r) => r.description.id !== original.description.id)).toBe(true);
  });

  it('shows the processes that exist and names the missing one on stderr, exit 2', async () => {
    const missing = await deadPid();
    const result = await runCli(['fds', String(server.pid), String(missing)]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain(`127.0.0.1:${server.port} (LISTEN)`);
    expect(result.stderr.trimEnd()).toBe(`No process with pid ${missing}.`);
  });

  it('fits --width', async () => {
    const result = await runCli(['fds', '--width=60', String(server.pid)]);
    for (const line of result.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    expect(result.stdout).toContain('(hidden to fit the width: OFFSET, NODE');
  });
});

describe('fds --watch without a terminal', () => {
  it('streams one JSON document per line, reports changes, and ends when the process ends', async () => {
    const server = await startListener();
    const watch = runCli(['fds', '--watch=50', '--json', String(server.pid)]);
    const nextLine = lineReader(watch.stdout!);
    const nextDoc = async () => JSON.parse(await nextLine()) as FdsDocument;
    try {
      const first = await nextDoc();
      expect(fdsDocumentProblems(first)).toEqual([]);
      expect(first.changes).toBeNull();
      expect(fdsDocumentProblems(await nextDoc())).toEqual([]);
      const { dupFd } = await server.request('dup');
      let appeared;
      for (let i = 0; i < 100 && !appeared; i += 1) {
        const doc = await nextDoc();
        expect(fdsDocumentProblems(doc)).toEqual([]);
        appeared = doc.changes?.find((c) => c.change === 'appeared' && c.fd === dupFd);
      }
      expect(appeared).toMatchObject({ pid: server.pid, fd: dupFd, fields: [] });
    } finally {
      await server.stop();
    }
    const result = await watch;
    expect(result.exitCode).toBe(0);
    const last = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!) as FdsDocument;
    expect(last.processes[0].status).toBe('gone');
  });

  it('prints a plain table under a header line, marking new fds with +', async () => {
    const server = await startListener();
    const watch = runCli(['fds', '--watch=50', String(server.pid)]);
    const nextLine = lineReader(watch.stdout!);
    const readUntil = async (match: (line: string) => boolean) => {
      for (;;) {
        const line = await nextLine();
        if (match(line)) return line;
      }
    };
    try {
      expect(await readUntil((line) => line.startsWith('=== '))).toMatch(/^=== fds \S+Z: first table ===$/);
      const { dupFd } = await server.request('dup');
      const added = await readUntil((line) => line.startsWith('+ ') && cells(line.slice(2))[2] === String(dupFd));
      expect(cells(added.slice(2)).slice(0, 4)).toEqual([String(server.pid), 'node', String(dupFd), 'TCP']);
    } finally {
      await server.stop();
    }
    const result = await watch;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^=== fds \S+Z: \d+ changes? ===$/m);
    expect(result.stdout).not.toContain('\x1b');
  });
});

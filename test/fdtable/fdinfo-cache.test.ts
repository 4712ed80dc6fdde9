// fdinfo files kept open between snapshots must never show stale data: a reused fd number shows its
// new file and flags, our own kept fds never show as rows, and an ended process's files are closed.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sys from '../../src/sys/index.js';
import { snapshot } from '../../src/fdtable/index.js';
import { keptFds, keptFor } from '../../src/fdtable/fdinfo-cache.js';

describe('kept fdinfo files', () => {
  it('a reused fd number shows its new file and flags; kept fds are not rows of this process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hrt-fdinfo-'));
    try {
      writeFileSync(join(dir, 'a'), 'a');
      writeFileSync(join(dir, 'b'), 'b');
      const fd = sys.open(join(dir, 'a'), sys.O_RDONLY);
      const first = snapshot([process.pid]).rows.find((r) => r.fd === fd)!;
      expect(first).toMatchObject({ name: join(dir, 'a'), access: 'r', append: false });
      expect(keptFor(process.pid)).toBeGreaterThan(0);
      const other = sys.open(join(dir, 'b'), sys.O_WRONLY | sys.O_APPEND);
      sys.dup2(other, fd); // the same number, another file, other flags
      sys.close(other);
      const rows = snapshot([process.pid]).rows;
      expect(rows.find((r) => r.fd === fd)).toMatchObject({ name: join(dir, 'b'), access: 'w', append: true });
      const kept = new Set(keptFds().map(Number));
      expect(rows.filter((r) => kept.has(r.fd))).toEqual([]);
      sys.close(fd);
      expect(snapshot([process.pid]).rows.find((r) => r.fd === fd)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an ended process's kept files are closed once it is no longer watched", async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    snapshot([child.pid!]);
    expect(keptFor(child.pid!)).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(snapshot([child.pid!]).processes[0].status).toBe('gone');
    for (let i = 0; i < 10; i++) snapshot([process.pid]);
    expect(keptFor(child.pid!)).toBe(0);
  });
});

// Verify slots: a second verify waits while the only slot is held, and a holder killed with SIGKILL
// frees its slot (the kernel drops the flock when the process's last fd on it closes).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireSlot } from '../../src/exercise/slots.js';

const dir = mkdtempSync(join(tmpdir(), 'hrt-slots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const settledWithin = (promise: Promise<unknown>, ms: number) => Promise.race([promise.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), ms))]);

describe('verify slots', () => {
  it('queue a second verify until the first releases its slot', async () => {
    const first = await acquireSlot({ count: 1, dir });
    let waited = false;
    const second = acquireSlot({ count: 1, dir, onWait: () => (waited = true) });
    expect(await settledWithin(second, 400)).toBe(false);
    expect(waited).toBe(true);
    first.release();
    expect(await settledWithin(second, 2000)).toBe(true);
    (await second).release();
  });

  it('are freed by the kernel when the holder is killed', async () => {
    // Another process takes the only slot and says so.
    const slots = new URL('../../src/exercise/slots.ts', import.meta.url).href;
    const script = `const { acquireSlot } = await import(${JSON.stringify(slots)}); await acquireSlot({ count: 1, dir: ${JSON.stringify(dir)} }); console.log('held'); setInterval(() => {}, 1000);`;
    const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    const waiting = acquireSlot({ count: 1, dir });
    expect(await settledWithin(waiting, 400)).toBe(false);
    holder.kill('SIGKILL');
    expect(await settledWithin(waiting, 2000)).toBe(true);
    (await waiting).release();
  });
});

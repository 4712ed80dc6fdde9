import { describe, expect, it } from 'vitest';
import { streamSnapshots } from '../../src/commands/fds-stream.js';
import { plainPalette } from '../../src/fdtable/format.js';
import { diff } from '../../src/fdtable/diff.js';
import type { Snapshot } from '../../src/fdtable/model.js';
import { parentAndChild, row, snapshotOf } from '../ui/snapshot-fixtures.js';

/** Plays the given snapshots, then reports every process gone so that the stream ends by itself. */
async function stream(json: boolean, ...script: Snapshot[]): Promise<string> {
  let out = '';
  let index = 1;
  const end = { ...script[0], rows: [], processes: script[0].processes.map((p) => ({ ...p, status: 'gone' as const })) };
  await streamSnapshots({
    pids: [100, 200], intervalMs: 1, first: script[0], take: () => script[index++] ?? end, diff, json,
    width: 120, palette: plainPalette, write: (text) => { out += text; }, signal: new AbortController().signal,
  });
  return out;
}

describe('streamSnapshots', () => {
  const quiet = parentAndChild();
  const busier = snapshotOf([...quiet.rows, row({ pid: 100, fd: 9, description: 'D' })], quiet.processes);

  it('prints a text table only for refreshes that changed something', async () => {
    const out = await stream(false, quiet, quiet, quiet, busier, busier);
    const headers = out.split('\n').filter((line) => line.startsWith('=== '));
    expect(headers.map((h) => h.replace(/\S+Z/, 'TIME'))).toEqual([
      '=== fds TIME: first table ===', '=== fds TIME: 1 change ===', '=== fds TIME: 5 changes ===',
    ]);
  });

  it('prints one JSON document per refresh, changes null only in the first', async () => {
    const docs = (await stream(true, quiet, quiet, busier)).trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(docs.map((d) => d.changes?.length ?? null)).toEqual([null, 0, 1, 5]);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    let taken = 0;
    const done = streamSnapshots({
      pids: [100], intervalMs: 5, first: quiet, take: () => { taken += 1; return quiet; }, diff, json: true,
      width: 80, palette: plainPalette, write: () => {}, signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    await done;
    const after = taken;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(taken).toBe(after);
  });
});

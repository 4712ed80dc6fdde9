import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { diff } from '../../src/fdtable/diff.js';
import type { Snapshot } from '../../src/fdtable/model.js';
import { ansiPalette } from '../../src/ui/palette.js';
import { FdWatch } from '../../src/ui/FdWatch.js';
import { listener, parentAndChild, row, snapshotOf } from './snapshot-fixtures.js';
import { coloredSpans, readable, waitFor } from './wait-for.js';

afterEach(() => cleanup());

/** A snapshot source that plays a script of snapshots, then repeats the last one. */
function scripted(...snapshots: Snapshot[]) {
  let index = 0;
  const source = vi.fn((_pids: number[]) => snapshots[Math.min(index++, snapshots.length - 1)]);
  return source;
}

const lastLines = (frame: string) => frame.split('\n');
/** A table line's cells: columns are separated by two or more spaces. */
const cells = (line: string) => line.trim().split(/\s{2,}/);

describe('FdWatch', () => {
  it('shows the table, lights the changed row after a refresh, and quits on q', async () => {
    const before = parentAndChild();
    const oldListener = before.rows[1];
    const after = { ...before, rows: before.rows.map((r) => (r === oldListener ? { ...r, nonblock: false } : r)) };
    const source = scripted(before, after);
    const onQuit = vi.fn();
    const view = render(<FdWatch pids={[100, 200]} intervalMs={10} source={source} diff={diff} palette={ansiPalette} onQuit={onQuit} />);

    const first = await waitFor(() => readable(view.lastFrame()).includes('TCP') && readable(view.lastFrame()), 'the first table');
    expect(first).toContain('fds 999 999 · every 99 ms · no change yet');
    const listenerLine = lastLines(first).find((l) => l.includes('TCP'))!;
    expect(cells(listenerLine).slice(3, 7)).toEqual(['TCP', 'B', 'cloexec', 'rw,nonblock']);

    const changedLine = (frame = '') => lastLines(frame).find((l) => readable(l).startsWith('~ '));
    const changedFrame = await waitFor(() => changedLine(view.lastFrame()) && view.lastFrame(), 'a changed row');
    const line = changedLine(changedFrame)!;
    // The changed cell (FILE FLAGS) is lit, bold yellow; the row carries the ~ marker.
    expect(coloredSpans(line, 33)).toEqual(['rw']);
    expect(readable(line).startsWith('~ ')).toBe(true);
    expect(cells(readable(line).slice(2)).slice(3, 7)).toEqual(['TCP', 'B', 'cloexec', 'rw']);
    expect(readable(changedFrame)).toContain('last change 99:99:99');

    view.stdin.write('q');
    await waitFor(() => onQuit.mock.calls.length === 1, 'quit');
    const calls = source.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(source.mock.calls.length).toBe(calls); // unmounted: no more snapshots taken
  });

  it('quits on Ctrl-C the same way', async () => {
    const onQuit = vi.fn();
    const view = render(<FdWatch pids={[1]} intervalMs={10} source={scripted(parentAndChild())} diff={diff} onQuit={onQuit} />);
    await waitFor(() => view.lastFrame()?.includes('TCP'), 'the table');
    view.stdin.write('\x03');
    await waitFor(() => onQuit.mock.calls.length === 1, 'quit');
  });

  it('does not redraw when nothing changed', async () => {
    const source = scripted(parentAndChild());
    const view = render(<FdWatch pids={[1]} intervalMs={5} source={source} diff={diff} />);
    await waitFor(() => source.mock.calls.length >= 3, 'a few refreshes');
    const frames = view.frames.length;
    await waitFor(() => source.mock.calls.length >= 10, 'more refreshes');
    expect(view.frames.length).toBe(frames);
  });

  it('fits the terminal height and counts the rows that do not fit', async () => {
    const many = snapshotOf(Array.from({ length: 60 }, (_, fd) => row({ pid: 5, fd, description: 'A' })));
    const view = render(<FdWatch pids={[5]} intervalMs={1000} initial={many} source={scripted(many)} diff={diff} />);
    Object.defineProperty(view.stdout, 'rows', { value: 20, configurable: true });
    view.stdout.emit('resize');
    // The terminal has 20 rows; ink must be given at most 19 lines or it clears the screen each frame.
    const frame = await waitFor(() => lastLines(view.lastFrame()!).length <= 19 && view.lastFrame(), 'a frame for 20 rows');
    expect(frame).toMatch(/… \d+ more rows/);
    const hidden = Number(/… (\d+) more rows/.exec(view.lastFrame()!)![1]);
    const shown = lastLines(view.lastFrame()!).filter((l) => /^ {2}\s*5 /.test(l)).length;
    expect(shown + hidden).toBe(60);

    view.stdin.write('\x1b[B'); // arrow down
    await waitFor(() => view.lastFrame()?.includes('1 row above'), 'scrolling');
  });

  it('fits the terminal width', async () => {
    const wide = snapshotOf([listener(5, 3, 'A'), row({ pid: 5, fd: 4, name: `/srv/${'y'.repeat(200)}` })]);
    const view = render(<FdWatch pids={[5]} intervalMs={1000} initial={wide} source={scripted(wide)} diff={diff} />);
    const frame = await waitFor(() => view.lastFrame()?.includes('LISTEN') && view.lastFrame(), 'the table');
    for (const line of lastLines(frame)) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('says so in one sentence when the terminal is too small', async () => {
    const view = render(<FdWatch pids={[5]} intervalMs={1000} source={scripted(parentAndChild())} diff={diff} />);
    Object.defineProperty(view.stdout, 'rows', { value: 5, configurable: true });
    view.stdout.emit('resize');
    await waitFor(() => view.lastFrame()?.startsWith('Terminal too small'), 'the sentence');
  });

  it('shows a failed refresh in the status bar and keeps the table', async () => {
    let calls = 0;
    const source = () => {
      calls += 1;
      if (calls > 1) throw new Error('sock_diag went away');
      return parentAndChild();
    };
    const view = render(<FdWatch pids={[1]} intervalMs={10} source={source} diff={diff} />);
    const frame = await waitFor(() => view.lastFrame()?.includes('sock_diag went away') && view.lastFrame(), 'the error');
    expect(frame).toContain('TCP');
  });
});

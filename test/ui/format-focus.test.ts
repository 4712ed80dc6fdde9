// What a step is about stays on screen: the columns its checks speak of, CMD whenever two processes are
// shown, the parts of a NAME that matter (state, both ports, a path's file name, a pid), and the focus
// marker beside a change marker. Observed at 80×24 and 100×30 before this was fixed (issue 9).
import { describe, expect, it } from 'vitest';
import { formatSnapshot, plainPalette } from '../../src/fdtable/format.js';
import { shortenName } from '../../src/fdtable/name-cut.js';
import { cellWidth } from '../../src/text/width.js';
import { listener, row, snapshotOf } from './snapshot-fixtures.js';

/** Lesson 3 at 80 columns: one process, a file opened three times. */
function fileRows() {
  const file = (fd: number, description: string, offset: number) =>
    row({ pid: 31337, fd, type: 'REG', description, offset, inode: 1234567, name: '/tmp/hotrestart-tutor-abc123/lesson3/data.txt', cloexec: fd !== 20 });
  return snapshotOf([file(19, 'A', 5), file(20, 'A', 5), file(21, 'B', 3)]);
}

describe('step focus in the fitter', () => {
  it('never hides a column the step names, and hides the others first', () => {
    const table = formatSnapshot(fileRows(), { width: 78, keep: ['offset', 'node'] });
    expect(table.columns).toEqual(expect.arrayContaining(['offset', 'node']));
    expect(table.dropped).not.toContain('offset');
    expect(table.header).toContain('OFFSET');
  });

  it('shows QUEUE only when a listener is in the table', () => {
    const table = formatSnapshot(fileRows());
    expect(table.columns).not.toContain('queue');
    expect(table.header).not.toContain('QUEUE');
    expect(table.notes.join(' ')).not.toContain('QUEUE');
    expect(formatSnapshot(snapshotOf([listener(1, 3, 'A')])).columns).toContain('queue');
  });

  it('keeps CMD whenever more than one process is shown', () => {
    const two = snapshotOf([
      row({ pid: 100, fd: 3, command: 'fork-demo', type: 'REG', name: '/tmp/hotrestart-tutor-x/fork/fork-demo.log' }),
      listener(100, 4, 'B'),
      row({ pid: 101, fd: 3, command: 'fork-demo', type: 'REG', name: '/tmp/hotrestart-tutor-x/fork/fork-demo.log' }),
      listener(101, 4, 'B'),
    ]);
    const table = formatSnapshot(two, { width: 78, changes: [], focus: new Set(['101:3']) });
    expect(table.columns).toContain('command');
  });
});

describe('NAME shortening', () => {
  const cases: Array<[string, string[]]> = [
    ['127.0.0.1:58123 -> 127.0.0.1:41234 (ESTABLISHED)', [':58123', ':41234', '(ESTABLISHED)']],
    ['socket:[445983] (reset or closed)', ['445983', '(reset or closed)']],
    ['/tmp/hotrestart-tutor-Zx81/handover/handover-19642.sock (LISTEN)', ['handover-19642.sock', '(LISTEN)']],
    ['/tmp/hotrestart-tutor-Zx81/lesson3/some/deeper/path/data.txt', ['data.txt']],
    ['/tmp/hotrestart-tutor-Zx81/u.sock -> old 19642 fd 7', ['19642', 'fd 7']],
    ['handover-13280.sock -> new 13402 fd 19 and some more words here', ['handover-13280.sock', '13402', 'fd 19']],
  ];
  for (const [name, kept] of cases) {
    it(`keeps ${kept.join(', ')}`, () => {
      for (let width = 30; width < cellWidth(name); width++) {
        const short = shortenName(name, width);
        expect(cellWidth(short), short).toBeLessThanOrEqual(Math.max(width, cellWidth(shortenName(name, 0))));
        for (const part of kept) expect(short, `width ${width}`).toContain(part);
      }
    });
  }

  it('never cuts a name without a width (a pipe or a file)', () => {
    const long = row({ pid: 1, fd: 3, type: 'REG', name: `/tmp/${'d'.repeat(200)}/data.txt` });
    const table = formatSnapshot(snapshotOf([long]));
    expect(table.rows[0]).toContain(long.name);
  });
});

describe('focused rows', () => {
  it('keep their marker and style while a change mark shows', () => {
    const before = listener(100, 3, 'B');
    const after = { ...before, nonblock: false };
    const table = formatSnapshot(snapshotOf([after, listener(100, 4, 'B')]), {
      focus: new Set(['100:3']),
      changes: [{ pid: 100, fd: 3, change: 'changed', fields: ['nonblock'], before, after }],
      palette: { ...plainPalette, focus: (text) => `*${text}` },
    });
    expect(table.rows[0].startsWith('*>~')).toBe(true);
    expect(table.rows[1].startsWith('  ')).toBe(true);
  });
});

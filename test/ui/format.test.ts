import { describe, expect, it } from 'vitest';
import {
  formatSnapshot, NAME_MIN_WIDTH, plainPalette, renderTable, truncateMiddle, type Palette,
} from '../../src/fdtable/format.js';
import { cellWidth } from '../../src/text/width.js';
import { changed, listener, ok, parentAndChild, row, snapshotOf } from './snapshot-fixtures.js';

/** Marks styled text visibly, so assertions can say which cell was lit without parsing escape codes. */
const tagPalette: Palette = {
  ...plainPalette,
  changed: (text) => `[${text}]`,
  added: (text) => `<added>${text}`,
  vanished: (text) => `<gone>${text}`,
};

const columnsOf = (line: string) => line.trim().split(/\s{2,}/);

describe('formatSnapshot', () => {
  it('prints the lsof-style columns with DESC letters shared across processes', () => {
    const text = renderTable(formatSnapshot(parentAndChild()));
    const lines = text.split('\n');
    expect(columnsOf(lines[0])).toEqual(['PID', 'CMD', 'FD', 'TYPE', 'DESC', 'FD FLAGS', 'FILE FLAGS', 'OFFSET', 'NODE', 'QUEUE', 'NAME']);
    expect(columnsOf(lines[2])).toEqual(['100', 'node', '3', 'TCP', 'B', 'cloexec', 'rw,nonblock', '-', '41234', '3/511', '127.0.0.1:41234 (LISTEN)']);
    expect(columnsOf(lines[4])).toEqual(['200', 'node', '3', 'TCP', 'B', '-', 'rw,nonblock', '-', '41234', '3/511', '127.0.0.1:41234 (LISTEN)']);
    expect(text).toMatch(/DESC: equal letters = one open file description/);
  });

  it('shows ? for unknown identity, backlog and flags, and explains why identity is unknown', () => {
    const snapshot = snapshotOf([
      { ...listener(7, 4, '?', { backlog: null }), identity: 'unknown', descriptionNote: 'kcmp was refused (EPERM)', cloexec: null },
      row({ pid: 7, fd: 5, access: null, nonblock: null, description: 'C', append: true }),
    ]);
    const table = formatSnapshot(snapshot);
    expect(columnsOf(table.rows[0]).slice(4, 6)).toEqual(['?', '?']);
    expect(table.rows[0]).toContain('3/?');
    expect(columnsOf(table.rows[1])[6]).toBe('?,append');
    expect(table.notes).toEqual(['DESC ?: kcmp was refused (EPERM)']);
  });

  it('prints append and write-only access', () => {
    const table = formatSnapshot(snapshotOf([row({ pid: 1, fd: 1, access: 'w', append: true, nonblock: true })]));
    expect(columnsOf(table.rows[0])[6]).toBe('w,nonblock,append');
  });

  it('writes a status line for gone, denied and empty processes', () => {
    const snapshot = snapshotOf([row({ pid: 1, fd: 0 })], [
      ok(1, 1),
      { pid: 2, command: null, status: 'gone', message: 'No process with pid 2.', fdCount: 0 },
      { pid: 3, command: 'sshd', status: 'denied', message: 'Not allowed to read the fds of pid 3.', fdCount: 0 },
      ok(4, 0, 'zombie'),
    ]);
    expect(formatSnapshot(snapshot).statusLines).toEqual([
      'pid 2: gone - No process with pid 2.',
      'pid 3 (sshd): denied - Not allowed to read the fds of pid 3.',
      'pid 4 (zombie): no open file descriptors',
    ]);
  });

  it('orders rows by process order, then fd', () => {
    const snapshot = snapshotOf([row({ pid: 9, fd: 2 }), row({ pid: 5, fd: 1 }), row({ pid: 9, fd: 0 })], [ok(9, 2), ok(5, 1)]);
    const keys = formatSnapshot(snapshot).rows.map((line) => columnsOf(line).slice(0, 3).join(' ').replace(' node', ''));
    expect(keys).toEqual(['9 0', '9 2', '5 1']);
  });
});

describe('fitting the width', () => {
  const longName = row({ pid: 4242, fd: 7, type: 'REG', name: `/var/lib/${'x'.repeat(80)}/data.db`, inode: 123456789, offset: 4096 });
  const snapshot = snapshotOf([longName, listener(4242, 8, 'B')]);

  it('never exceeds the width, for any width from 20 to 200', () => {
    for (let width = 20; width <= 200; width += 1) {
      const table = formatSnapshot(snapshot, { width, changes: [] });
      const lines = [table.header, ...table.rows, ...table.notes, ...table.legend, ...table.statusLines];
      for (const line of lines) expect(cellWidth(line), `width ${width}: ${line}`).toBeLessThanOrEqual(width);
    }
  });

  it('shortens NAME in the middle before dropping a column', () => {
    const natural = formatSnapshot(snapshot);
    const full = cellWidth(natural.rows[0]);
    const table = formatSnapshot(snapshot, { width: full - 20 });
    expect(table.dropped).toEqual([]);
    expect(table.rows[0]).toMatch(/\/var\/lib\/x+…x*\/data\.db$/);
  });

  it('then drops OFFSET, NODE, CMD... and keeps PID, FD, DESC and NAME', () => {
    const table = formatSnapshot(snapshot, { width: 60 });
    expect(table.dropped.slice(0, 2)).toEqual(['offset', 'node']);
    expect(table.columns).toEqual(expect.arrayContaining(['pid', 'fd', 'description', 'name']));
    expect(table.notes.at(-1)).toMatch(/hidden to fit the width: OFFSET, NODE/);
    const narrowest = formatSnapshot(snapshot, { width: 20 });
    expect(narrowest.columns).toEqual(['pid', 'fd', 'description', 'name']);
  });

  it('keeps a listener name whole while columns can still be dropped', () => {
    const table = formatSnapshot(snapshot, { width: 70 });
    expect(table.rows[1]).toContain('127.0.0.1:41234 (LISTEN)');
    expect(NAME_MIN_WIDTH).toBeGreaterThanOrEqual('127.0.0.1:41234 (LISTEN)'.length);
  });

  it('counts wide characters as two cells', () => {
    expect(cellWidth('日志.txt')).toBe(8);
    const cut = truncateMiddle('/tmp/日志日志日志日志.txt', 12);
    expect(cellWidth(cut)).toBeLessThanOrEqual(12);
    expect(cut).toMatch(/^\/tmp.*….*txt$/);
  });
});

describe('change markers', () => {
  it('marks appeared, changed and vanished rows, and lights only the changed cells', () => {
    const before = parentAndChild();
    const oldListener = before.rows[1];
    const blocking = { ...oldListener, nonblock: false, socket: { ...oldListener.socket!, acceptQueue: 5 } };
    const added = row({ pid: 100, fd: 9, description: 'D' });
    const after = snapshotOf([before.rows[0], blocking, added, before.rows[2]], before.processes);
    const vanished = before.rows[3];
    const table = formatSnapshot(after, {
      palette: tagPalette,
      changes: [
        changed(oldListener, blocking, ['nonblock', 'socket.acceptQueue']),
        { pid: 100, fd: 9, change: 'appeared', fields: [], before: null, after: added },
        { pid: 200, fd: 3, change: 'vanished', fields: [], before: vanished, after: null },
      ],
    });
    expect(table.rows.map((line) => line.replace(/^<\w+>/, '')[0])).toEqual([' ', '~', '+', ' ', '-']);
    expect(table.rows[1]).toContain('[rw]');
    expect(table.rows[1]).toContain('[5/511]');
    expect(table.rows[1]).not.toContain('[cloexec]');
    expect(table.rows[2].startsWith('<added>+')).toBe(true);
    expect(table.rows[4].startsWith('<gone>-')).toBe(true);
    expect(table.legend.join(' ')).toContain('+ new fd, ~ changed, - closed');
  });

  it('has no marker column without changes', () => {
    const table = formatSnapshot(parentAndChild());
    expect(table.header.startsWith('PID') || table.header.startsWith(' PID')).toBe(true);
    expect(table.legend.join(' ')).not.toContain('~ changed');
  });
});

describe('focus', () => {
  it('points at the focused rows with > and the focus style', () => {
    const table = formatSnapshot(parentAndChild(), {
      focus: new Set(['100:3', '200:3']), palette: { ...plainPalette, focus: (text) => `*${text}` },
    });
    expect(table.rows.map((line) => line.slice(0, 2))).toEqual(['  ', '*>', '  ', '*>']);
    expect(table.legend.join(' ')).not.toContain('~ changed');
  });
});

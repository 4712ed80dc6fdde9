// What a step is about: the columns its checks speak of, and DESC letters as a lesson shows them.
import { describe, expect, it } from 'vitest';
import { lesson as lesson3 } from '../../lessons/03-fd-description-inode.js';
import { createDisplayLetters, type RowRole } from '../../src/lesson/display-letters.js';
import { stepColumns } from '../../src/lesson/focus.js';
import { listener, row, snapshotOf } from '../ui/snapshot-fixtures.js';

describe('stepColumns', () => {
  it('finds the columns lesson 3\'s checks name (OFFSET at 100×30 used to be hidden while checked)', () => {
    expect(stepColumns(lesson3, 1)).toEqual(expect.arrayContaining(['offset', 'fdFlags']));
    expect(stepColumns(lesson3, 2)).toEqual(expect.arrayContaining(['fileFlags', 'fdFlags']));
    expect(stepColumns(lesson3, 3)).toEqual(expect.arrayContaining(['node', 'offset']));
    expect(stepColumns(lesson3, 4)).toEqual(expect.arrayContaining(['offset']));
  });
});

describe('display letters', () => {
  it('gives A, B… to the rows a table shows, in order, never to hidden plumbing, and keeps them', () => {
    const reletter = createDisplayLetters();
    const plumbing = (fd: number, description: string) => row({ pid: 1, fd, description, inode: 100 + fd });
    const first = snapshotOf([plumbing(0, 'A'), plumbing(1, 'B'), plumbing(5, 'H'), { ...listener(1, 19, 'T'), command: 'p1' }]);
    const role = (r: { fd: number }): RowRole => (r.fd > 5 ? 'shown' : 'hidden');
    const a = reletter(first, role);
    expect(a.rows.map((r) => r.description)).toEqual(['a', 'b', 'c', 'A']);
    const second = snapshotOf([...first.rows, { ...listener(1, 25, 'T') }, row({ pid: 1, fd: 26, description: 'Z', inode: 555 })]);
    const b = reletter(second, role);
    expect(b.rows.map((r) => `${r.fd}:${r.description}`)).toEqual(['0:a', '1:b', '5:c', '19:A', '25:A', '26:B']);
  });

  it('lends letters to rows not asked for yet, without using them up', () => {
    const reletter = createDisplayLetters();
    const early = reletter(snapshotOf([row({ pid: 7, fd: 9, description: 'Q', inode: 1 })]), () => 'later');
    expect(early.rows[0].description).toBe('A');
    const later = reletter(snapshotOf([row({ pid: 8, fd: 3, description: 'R', inode: 2 })]), () => 'shown');
    expect(later.rows[0].description).toBe('A');
  });
});

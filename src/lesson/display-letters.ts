// DESC letters as a lesson shows them. The fd-table engine letters every description of every process
// of the lesson, Node's hidden plumbing included, so the first letters on screen used to be `AA`, `AH`
// or `T`. Here the descriptions a table can show are renamed A, B, C… in the order they first appear,
// and keep that letter for the rest of the lesson; hidden plumbing gets lower-case letters of its own,
// so it never uses up a letter the learner would see.
import { letterName } from '../fdtable/letters.js';
import type { FdRow, Snapshot } from '../fdtable/model.js';

export type Reletter = (snapshot: Snapshot, shown: (row: FdRow) => boolean) => Snapshot;

export function createDisplayLetters(): Reletter {
  const letters = new Map<string, string>();
  let upper = 0;
  let lower = 0;
  // The engine may give a vanished description's letter to a new one later: the inode tells them apart.
  const keyOf = (row: FdRow) => `${row.description}|${row.device ?? ''}|${row.inode ?? ''}`;
  const known = (row: FdRow) => row.description !== '' && row.description !== '?';
  return (snapshot, shown) => {
    for (const row of snapshot.rows) {
      if (known(row) && shown(row) && !letters.has(keyOf(row))) letters.set(keyOf(row), letterName(upper++));
    }
    for (const row of snapshot.rows) {
      if (known(row) && !letters.has(keyOf(row))) letters.set(keyOf(row), letterName(lower++).toLowerCase());
    }
    return { ...snapshot, rows: snapshot.rows.map((row) => (known(row) ? { ...row, description: letters.get(keyOf(row))! } : row)) };
  };
}

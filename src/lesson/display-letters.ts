// DESC letters as a lesson shows them. The fd-table engine letters every description of every process
// of the lesson, Node's hidden plumbing included, so the first letters on screen used to be `AA`, `AH`
// or `T`. Here the descriptions a table can show are renamed A, B, C… in the order they first appear,
// and keep that letter for the rest of the lesson; hidden plumbing gets lower-case letters of its own,
// so it never uses up a letter the learner would see.
import { letterName } from '../fdtable/letters.js';
import type { FdRow, Snapshot } from '../fdtable/model.js';

/** shown: a row asked for now (a table's or a check's), which keeps the letter it gets; hidden: Node's
 *  plumbing, lettered apart; later: not asked for yet, or of a process the lesson does not know yet
 *  (a puppet just spawned has not told its plumbing apart): it borrows a letter for this snapshot only. */
export type RowRole = 'shown' | 'hidden' | 'later';
export type Reletter = (snapshot: Snapshot, role: (row: FdRow) => RowRole) => Snapshot;

export function createDisplayLetters(): Reletter {
  const letters = new Map<string, string>();
  let upper = 0;
  let lower = 0;
  // The engine may give a vanished description's letter to a new one later: the inode tells them apart.
  const keyOf = (row: FdRow) => `${row.description}|${row.device ?? ''}|${row.inode ?? ''}`;
  const known = (row: FdRow) => row.description !== '' && row.description !== '?';
  return (snapshot, role) => {
    for (const row of snapshot.rows) {
      if (known(row) && role(row) === 'shown' && !letters.has(keyOf(row))) letters.set(keyOf(row), letterName(upper++));
    }
    for (const row of snapshot.rows) {
      if (known(row) && role(row) === 'hidden' && !letters.has(keyOf(row))) letters.set(keyOf(row), letterName(lower++).toLowerCase());
    }
    // Rows not asked for yet borrow letters for this snapshot only, after the ones in use.
    const borrowed = new Map<string, string>();
    const letterOf = (row: FdRow): string => {
      const key = keyOf(row);
      const own = letters.get(key);
      if (own) return own;
      if (!borrowed.has(key)) borrowed.set(key, letterName(upper + borrowed.size));
      return borrowed.get(key)!;
    };
    return { ...snapshot, rows: snapshot.rows.map((row) => (known(row) ? { ...row, description: letterOf(row) } : row)) };
  };
}

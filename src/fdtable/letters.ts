// Letters for open file descriptions: A..Z, AA, AB, ... in order of first appearance. Given the
// previous snapshot's letters, a description keeps its letter from one refresh to the next (matched
// through any of its fds that were there before, on the same inode), so a live view never reshuffles.

export function letterName(index: number): string {
  let name = '';
  let n = index;
  do {
    name = String.fromCharCode(65 + (n % 26)) + name;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return name;
}

export interface LetterInput {
  pid: number;
  fd: number;
  inodeKey: string;
  descriptionKey: string;
  known: boolean;
}

export interface PreviousLetter {
  letter: string;
  inodeKey: string;
}

/** Returns a letter for each row, in input order. Unknown identity gets "?". */
export function assignLetters(rows: LetterInput[], previous?: Map<string, PreviousLetter>): string[] {
  const members = new Map<string, LetterInput[]>();
  for (const row of rows) {
    if (!row.known) continue;
    const list = members.get(row.descriptionKey);
    if (list) list.push(row);
    else members.set(row.descriptionKey, [row]);
  }
  const byDescription = new Map<string, string>();
  const used = new Set<string>();
  // Letters seen last time stay reserved for their own descriptions, so a newcomer cannot take one
  // over and look like the description that just vanished.
  const reserved = new Set<string>(previous ? [...previous.values()].map((p) => p.letter) : []);
  if (previous) {
    for (const [key, list] of members) {
      for (const row of list) {
        const before = previous.get(`${row.pid}:${row.fd}`);
        if (before && before.inodeKey === row.inodeKey && !used.has(before.letter)) {
          byDescription.set(key, before.letter);
          used.add(before.letter);
          break;
        }
      }
    }
  }
  let next = 0;
  for (const key of members.keys()) {
    if (byDescription.has(key)) continue;
    let letter = letterName(next);
    while (used.has(letter) || reserved.has(letter)) letter = letterName(++next);
    byDescription.set(key, letter);
    used.add(letter);
  }
  return rows.map((row) => (row.known ? byDescription.get(row.descriptionKey)! : '?'));
}

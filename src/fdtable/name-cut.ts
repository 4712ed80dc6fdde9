// Shortening a NAME cell without losing what it is shown for. A cut in the middle of
// `127.0.0.1:58123 -> 127.0.0.1:41234 (ESTABLISHED)` used to remove a port; here the parts a reader
// compares — the state suffix, every port, an inode, a path's file name, a pid, `fd N` — are kept and
// only the rest (addresses, directories) gives way, each cut marked with `…`.
import { cellWidth, cutMiddle } from '../text/width.js';

/** Parts of a name that are never cut while something else can be. */
const KEEP: readonly RegExp[] = [
  /\s\([^()]*\)$/g, // the state: ` (LISTEN)`, ` (reset or closed)`
  /\s->\s/g, // the arrow between the two ends
  /:\d+/g, // ports
  /\[\d+\]/g, // inodes: `socket:[445983]`, `pipe:[1234]`
  /(?<=\/)[^/\s]+(?=\s|$)/g, // a path's file name (a unix socket's `handover-19642.sock`)
  /(?<=^|\s)[^/\s:]*[A-Za-z][^/\s:]*\.[A-Za-z0-9]+(?=\s|$)/g, // a file name standing alone (a relative path)
  /\bfd \d+/g, // a unix peer's fd
  /(?<![\d.])\d+(?![\d.])/g, // any other number standing alone: a pid (not an address's octets)
];

interface Segment {
  text: string;
  keep: boolean;
}

function segments(name: string): Segment[] {
  const kept = new Array<boolean>(name.length).fill(false);
  for (const pattern of KEEP) {
    for (const match of name.matchAll(pattern)) kept.fill(true, match.index, match.index + match[0].length);
  }
  const out: Segment[] = [];
  for (let i = 0; i < name.length; i++) {
    const last = out.at(-1);
    if (last && last.keep === kept[i]) last.text += name[i];
    else out.push({ text: name[i], keep: kept[i] });
  }
  return out;
}

/**
 * The name in at most `width` cells when its kept parts allow; otherwise the shortest form that keeps
 * them all (wider than `width`: the caller gives NAME that much room, see minimumNameWidth).
 */
export function shortenName(name: string, width: number): string {
  if (cellWidth(name) <= width) return name;
  const parts = segments(name);
  const total = () => parts.reduce((sum, part) => sum + cellWidth(part.text), 0);
  for (let excess = total() - width; excess > 0; excess = total() - width) {
    // The longest cuttable part gives way first: usually the directory or an address.
    const part = parts.filter((p) => !p.keep && cellWidth(p.text) > 1).sort((a, b) => cellWidth(b.text) - cellWidth(a.text))[0];
    if (!part) break;
    const target = Math.max(1, cellWidth(part.text) - excess);
    part.text = target === 1 ? '…' : cutMiddle(part.text, target);
  }
  return parts.map((p) => p.text).join('');
}

/** The narrowest a name can be with every kept part whole. */
export function minimumNameWidth(name: string): number {
  return cellWidth(shortenName(name, 0));
}

/** A name in exactly at most `width` cells: kept parts first, a plain middle cut only when they do not fit. */
export function fitName(name: string, width: number): string {
  const short = shortenName(name, width);
  return cellWidth(short) <= width ? short : cutMiddle(name, width);
}

// How many terminal cells text takes, and cutting text to a number of cells. The one width table of
// the program: Unicode's East Asian Width data through get-east-asian-width, the library Ink itself
// measures its output with, so our layout and Ink's agree (a table of our own drifted from both).
import { eastAsianWidth } from 'get-east-asian-width';

/** Combining marks and zero-width joiners/selectors draw onto the previous cell. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200f\u2060\ufe00-\ufe0f]$/u;

/** Cells one character (a code point) takes: 0, 1 or 2. Ambiguous characters count as narrow (TR11's default). */
export function charWidth(char: string): number {
  const code = char.codePointAt(0)!;
  // ASCII, the common case (paths, addresses), costs one comparison.
  if (code >= 0x20 && code < 0x7f) return 1;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0) || ZERO_WIDTH.test(char)) return 0;
  return eastAsianWidth(code, { ambiguousAsWide: false });
}

/** Terminal cells a plain (uncoloured) string takes. */
export function cellWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** True for a character that takes two cells (a line may break before or after it). */
export function isWide(char: string): boolean {
  return charWidth(char) === 2;
}

/** The leading characters of `chars` that fit in `width` cells. */
export function takeCells(chars: readonly string[], width: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const char of chars) {
    const w = charWidth(char);
    if (used + w > width) break;
    out.push(char);
    used += w;
  }
  return out;
}

/** Cuts a line to the width, with an ellipsis where it was cut. */
export function fit(text: string, width: number): string {
  if (cellWidth(text) <= width) return text;
  if (width <= 1) return '…'.slice(0, Math.max(0, width));
  return `${takeCells([...text], width - 1).join('')}…`;
}

/** Pads a plain (uncoloured) string with spaces to exactly `width` cells, cutting it if needed. */
export function padTo(text: string, width: number): string {
  const fitted = fit(text, width);
  return fitted + ' '.repeat(Math.max(0, width - cellWidth(fitted)));
}

/** Keeps the head and the tail of a string, an ellipsis between: `/tmp/lo…/data.txt`. */
export function cutMiddle(text: string, width: number): string {
  if (cellWidth(text) <= width) return text;
  if (width <= 1) return '…'.slice(0, Math.max(0, width));
  const chars = [...text];
  const keep = width - 1;
  const head = takeCells(chars, Math.ceil(keep / 2));
  const tail = takeCells([...chars].reverse(), keep - cellWidth(head.join(''))).reverse();
  return `${head.join('')}…${tail.join('')}`;
}

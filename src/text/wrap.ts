// Text laid out into terminal lines, shared by the tutor app and the plain renderer. In the app every
// section is a list of lines that fit the width, so the height of the screen is known exactly (Ink
// clears and redraws the whole screen once its output reaches the terminal's height, and wrapping
// done by Ink could not be counted).
// Chinese has no spaces between words, so a line may break between any two wide characters.
import { cellWidth, fit, isWide, padTo, takeCells } from './width.js';
/** Punctuation that must not begin a line (Chinese line-breaking rules, simplified). */
const NO_LINE_START = /^[，。、；：？！）」』》〉】”’,.;:?!)\]…]/u;

/** Breaks text into the units a line may end after: words with their spaces, or single wide characters. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let word = '';
  for (const char of text) {
    if (char === ' ') {
      out.push(`${word} `);
      word = '';
    } else if (isWide(char)) {
      if (word) out.push(word);
      out.push(char);
      word = '';
    } else word += char;
  }
  if (word) out.push(word);
  return out;
}

/** Greedy wrap of one paragraph without newlines; words longer than the width are cut. */
export function wrapLine(text: string, width: number): string[] {
  if (width <= 0) return [];
  const lines: string[][] = [];
  let line: string[] = [];
  let used = 0;
  for (const token of tokens(text)) {
    const visible = cellWidth(token.trimEnd());
    if (line.length > 0 && used + visible > width) {
      // Carry the last unit along rather than start a line with a comma or a full stop.
      const carried = NO_LINE_START.test(token) && line.length > 1 ? line.splice(-1) : [];
      lines.push(line);
      line = carried;
      used = cellWidth(carried.join(''));
    }
    line.push(token);
    used += cellWidth(token);
  }
  if (line.length > 0) lines.push(line);
  return lines.map((parts) => fit(parts.join('').trimEnd(), width));
}

/** Like wrapLine, but a word longer than the width is broken across lines instead of cut: nothing is lost. */
export function wrapWhole(text: string, width: number): string[] {
  if (width <= 0) return [];
  const pieces = text.split(' ').flatMap((word) => {
    if (cellWidth(word) <= width) return [word];
    const out: string[] = [];
    let rest = [...word];
    while (rest.length > 0) {
      const piece = takeCells(rest, width);
      out.push(piece.join(''));
      rest = rest.slice(Math.max(1, piece.length));
    }
    return out;
  });
  return wrapLine(pieces.join(' '), width);
}

/** A narrative: paragraphs split by blank lines are wrapped, with one blank line between them; lines
 *  that start with a space are preformatted (diagrams, tables) and only cut, to `cutAt` (default: the width). */
export function wrapParagraphs(text: string, width: number, indent = '', cutAt = width): string[] {
  const out: string[] = [];
  const paragraphs = text.split(/\n[ \t]*\n/);
  paragraphs.forEach((paragraph, index) => {
    for (const line of paragraph.split('\n')) {
      if (/^\s/.test(line) || /[─│┌┐└┘├┤┼▶]/u.test(line)) out.push(Number.isFinite(cutAt) ? fit(indent + line, cutAt) : indent + line);
      else for (const wrapped of wrapLine(line, width - cellWidth(indent))) out.push(indent + wrapped);
    }
    if (index < paragraphs.length - 1) out.push('');
  });
  return out;
}

/** One paragraph after a label (`  1) `, `Quiz: `): wrapped lines, the later ones indented under the text. */
export function wrapHanging(prefix: string, text: string, width: number): string[] {
  const indent = cellWidth(prefix);
  return wrapLine(text, width - indent).map((line, i) => (i === 0 ? prefix : ' '.repeat(indent)) + line);
}

/** `left ··· right` on one line of `width` cells; the left side gives way first. */
export function spread(left: string, right: string, width: number): string {
  const room = width - cellWidth(right) - 1;
  if (room < 8) return fit(left, width);
  return `${padTo(left, room)} ${right}`;
}

export { cellWidth, fit, padTo };

// Text laid out into terminal lines, shared by the tutor app and the plain renderer. In the app every
// section is a list of lines that fit the width, so the height of the screen is known exactly (Ink
// clears and redraws the whole screen once its output reaches the terminal's height, and wrapping
// done by Ink could not be counted).
// Chinese has no spaces between words, so a line may break between any two Han characters.
import { cellWidth } from '../fdtable/format.js';

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
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
    } else if (WIDE.test(char)) {
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

/** A narrative: paragraphs split by blank lines are wrapped, with one blank line between them; lines
 *  that start with a space are preformatted (diagrams, tables) and only cut to the width. */
export function wrapParagraphs(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  const paragraphs = text.split(/\n[ \t]*\n/);
  paragraphs.forEach((paragraph, index) => {
    for (const line of paragraph.split('\n')) {
      if (/^\s/.test(line) || /[─│┌┐└┘├┤┼▶]/u.test(line)) out.push(fit(indent + line, width));
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

/** Cuts a line to the width, with an ellipsis where it was cut. */
export function fit(text: string, width: number): string {
  if (cellWidth(text) <= width) return text;
  if (width <= 1) return '…'.slice(0, Math.max(0, width));
  let out = '';
  for (const char of text) {
    if (cellWidth(out + char) > width - 1) break;
    out += char;
  }
  return `${out}…`;
}

/** Pads a plain (uncoloured) string with spaces to exactly `width` cells, cutting it if needed. */
export function padTo(text: string, width: number): string {
  const fitted = fit(text, width);
  return fitted + ' '.repeat(Math.max(0, width - cellWidth(fitted)));
}

/** `left ··· right` on one line of `width` cells; the left side gives way first. */
export function spread(left: string, right: string, width: number): string {
  const room = width - cellWidth(right) - 1;
  if (room < 8) return fit(left, width);
  return `${padTo(left, room)} ${right}`;
}

export { cellWidth };

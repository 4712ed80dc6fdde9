import { describe, expect, it } from 'vitest';
import { cellWidth as tableWidth } from '../../src/text/width.js';
import { cellWidth, wrapLine } from '../../src/text/wrap.js';

// One width for the whole program, from the Unicode East Asian Width data (get-east-asian-width, which
// Ink itself uses to lay out its output): a table of our own drifts from the terminal's and from Ink's.
describe('cell width', () => {
  it('counts wide characters as Unicode says, in tables and in wrapped text alike', () => {
    for (const text of ['⌚', '😀', '日志', '，', '𠀀']) {
      expect(cellWidth(text), text).toBe(2 * [...text].length);
      expect(tableWidth(text), text).toBe(cellWidth(text));
    }
    expect(cellWidth('…✔✘○')).toBe(4);
    expect(cellWidth('e\u0301')).toBe(1);
  });

  it('breaks a line between two wide characters that are not Han', () => {
    expect(wrapLine('😀😀😀', 4)).toEqual(['😀😀', '😀']);
  });
});

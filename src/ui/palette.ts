// The terminal palette: plain SGR escape codes, so the fd table needs no colour library and the colour
// decision made in cli.ts (NO_COLOR, --no-color, --json, TERM=dumb, CI, not a TTY) is the only one.
import { plainPalette, type Palette } from '../fdtable/format.js';

const sgr = (open: string, close: string) => (text: string): string => `\x1b[${open}m${text}\x1b[${close}m`;

export const ansiPalette: Palette = {
  header: sgr('1', '22'),
  added: sgr('32', '39'),
  changed: sgr('1;33', '22;39'),
  // Struck through and dim: the fd is gone, the row is shown this once so the eye can find where it was.
  vanished: sgr('9;2', '29;22'),
  muted: sgr('2', '22'),
  warning: sgr('33', '39'),
  // Rows a step points at: bold and cyan, kept under a change's colour (plain text has the `>` marker).
  focus: sgr('1;36', '22;39'),
};

export function paletteFor(color: boolean): Palette {
  return color ? ansiPalette : plainPalette;
}

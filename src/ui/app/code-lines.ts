// A step's code excerpt as lines: Go beside Node when both fit side by side without cutting a line,
// otherwise one after the other with the language in a left margin. Code is never re-wrapped (a
// wrapped line of code reads as two statements); a line too long for the screen is cut with '…'.
import type { CodeExcerpt, Lang } from '../../lesson/types.js';
import type { Palette } from '../../fdtable/format.js';
import { codeText, pick, tr } from '../../lesson/i18n.js';
import { cellWidth, fit, padTo, wrapLine } from '../../text/wrap.js';

interface Panel {
  label: string;
  lines: string[];
}

const SEPARATOR = ' │ ';

function panels(code: CodeExcerpt, lang: Lang): Panel[] {
  const split = (text: string) => text.replace(/\n$/, '').split('\n');
  const out: Panel[] = [];
  if (code.go) out.push({ label: tr('go', lang), lines: split(codeText(code.go, lang)) });
  if (code.node) out.push({ label: tr('node', lang), lines: split(codeText(code.node, lang)) });
  if (code.other) out.push({ label: code.other.label, lines: split(codeText(code.other.code, lang)) });
  return out;
}

const widest = (lines: readonly string[]) => lines.reduce((max, line) => Math.max(max, cellWidth(line)), 0);

export function codeLines(code: CodeExcerpt | undefined, width: number, lang: Lang, palette: Palette): string[] {
  if (!code) return [];
  const out: string[] = [];
  if (code.title) out.push(...wrapLine(pick(code.title, lang), width).map(palette.muted));
  const list = panels(code, lang);
  const column = Math.floor((width - SEPARATOR.length) / 2);
  if (list.length === 2 && widest(list[0].lines) <= column && widest(list[1].lines) <= column) {
    out.push(palette.muted(padTo(list[0].label, column) + SEPARATOR + list[1].label));
    const rows = Math.max(list[0].lines.length, list[1].lines.length);
    for (let i = 0; i < rows; i++) out.push(`${padTo(list[0].lines[i] ?? '', column)}${palette.muted(SEPARATOR)}${list[1].lines[i] ?? ''}`.trimEnd());
  } else {
    const margin = Math.max(...list.map((p) => cellWidth(p.label)));
    for (const panel of list) {
      panel.lines.forEach((line, i) => {
        const label = padTo(i === 0 ? panel.label : '', margin);
        out.push(palette.muted(label + SEPARATOR) + fit(line, width - margin - SEPARATOR.length));
      });
    }
  }
  if (code.note) out.push(...wrapLine(pick(code.note, lang), width).map(palette.muted));
  return out;
}

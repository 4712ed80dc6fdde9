// An exercise README (plain Markdown, hard-wrapped at ~100 columns) reflowed to the terminal's width:
// paragraphs and list items are joined and wrapped again, headings stand alone, code blocks are only cut.
import { cellWidth, fit, wrapHanging, wrapLine } from '../../text/wrap.js';

const CJK = /[\u3000-\u9fff\uff00-\uffef]/u;
const ITEM = /^(\s*)([-*]|\d+\.)\s+/;

/** Joins two wrapped lines of one paragraph: no space where Chinese meets Chinese. */
function join(left: string, right: string): string {
  return CJK.test(left.slice(-1)) && CJK.test(right.charAt(0)) ? left + right : `${left} ${right}`;
}

export function markdownLines(text: string, width: number): string[] {
  const out: string[] = [];
  let paragraph: { prefix: string; text: string } | null = null;
  const flush = () => {
    if (paragraph) out.push(...(paragraph.prefix ? wrapHanging(paragraph.prefix, paragraph.text, width) : wrapLine(paragraph.text, width)));
    paragraph = null;
  };
  let code = false;
  for (const raw of text.replace(/\r/g, '').split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*```/.test(line)) {
      flush();
      code = !code;
      continue;
    }
    if (code) {
      out.push(fit(`  ${line}`, width));
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    const item = ITEM.exec(line);
    if (line === '') {
      flush();
      if (out.length > 0 && out[out.length - 1] !== '') out.push('');
    } else if (heading) {
      flush();
      out.push(...wrapLine(heading[1], width));
    } else if (item) {
      flush();
      paragraph = { prefix: item[0].replace(/\S+\s+$/, (marker) => marker.padEnd(Math.max(cellWidth(marker), 3))), text: line.slice(item[0].length) };
    } else if (paragraph) paragraph.text = join(paragraph.text, line.trim());
    else paragraph = { prefix: '', text: line.trim() };
  }
  flush();
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

// Code excerpts come from real files (lessons/assets/code/go/*.go, node/*.mjs, c/*.c) that the tests compile
// (`go vet`, `cc -fsyntax-only`) or syntax-check (`node --check`), so what a lesson shows is code that builds.
// C uses the same `//` markers and comments (C99); a C demo a lesson runs lives there too, so what it shows is what runs. A file marks a
// region with `// [name]` ... `// [/name]` lines (several pieces join up); the excerpt is that region
// without its markers (and without any nested markers), each piece's common indentation removed. A
// comment may carry its Chinese rendering after ` | zh: `; the excerpt then has an English and a Chinese
// text, and only the comment differs between them. A missing file or region throws when the lesson module loads, not mid-lesson.
import { readFileSync } from 'node:fs';
import type { Text } from './types.js';

/** Where the excerpt files are, from src/lesson or dist/src/lesson alike. */
export const CODE_DIR = new URL('../../lessons/assets/code/', import.meta.url);

const MARKER = /^\s*\/\/ \[\/?[\w-]+\]\s*$/;
/** `<code> // <english> | zh: <chinese>`: the comment's two renderings. */
const BILINGUAL = /^(.*?\/\/\s?)(.*?)\s+\| zh: (.*)$/;

/** The lines of `region` in `file` (a path under lessons/assets/code), markers dropped. A region may come
 *  in several pieces (the code between them is left out): each piece is dedented on its own (one may sit
 *  at the top level of the file, the next inside a function), then they are joined in order. */
function regionLines(file: string, region: string): string[] {
  const pieces: string[][] = [];
  let inside = false;
  for (const line of readFileSync(new URL(file, CODE_DIR), 'utf8').split('\n')) {
    if (line.trim() === `// [${region}]`) {
      inside = true;
      pieces.push([]);
    } else if (line.trim() === `// [/${region}]`) inside = false;
    else if (inside && !MARKER.test(line)) pieces[pieces.length - 1].push(line);
  }
  const body = pieces.flatMap(dedent);
  // gofmt wants a blank line after a declaration, before the closing marker: not part of the excerpt.
  while (body.length > 0 && !body[body.length - 1].trim()) body.pop();
  if (body.length === 0) throw new Error(`lessons/assets/code/${file} has no region [${region}] ... [/${region}]`);
  return body;
}

/** A piece without its common indentation; tabs (Go's indentation) become four spaces: the views
 *  measure code in cells and never re-wrap it. */
function dedent(lines: string[]): string[] {
  const written = lines.filter((line) => line.trim());
  if (written.length === 0) return lines;
  const indent = Math.min(...written.map((line) => /^[\t ]*/.exec(line)![0].length));
  return lines.map((line) => line.slice(indent).replace(/^\t+/, (tabs) => '    '.repeat(tabs.length)));
}

/** The excerpt in both languages; comments without a Chinese rendering read the same in both. */
export function excerpt(file: string, region: string): Text {
  const lines = regionLines(file, region);
  const pick = (lang: 'en' | 'zh') =>
    lines
      .map((line) => {
        const m = BILINGUAL.exec(line);
        return m ? `${m[1]}${lang === 'en' ? m[2] : m[3]}` : line;
      })
      .join('\n');
  return { en: pick('en'), zh: pick('zh') };
}

/** Excerpts (or lines) one after the other, in both languages. */
export function joinText(...parts: Text[]): Text {
  return { en: parts.map((part) => part.en).join('\n'), zh: parts.map((part) => part.zh).join('\n') };
}

/** Why the Go excerpts that pass listeners to a child restore O_NONBLOCK (shown live in lesson 6). */
export const GO_EXEC_KEEPS_NONBLOCK: Text = {
  en: "os/exec calls Fd() on every file it passes, and Fd() makes the shared description blocking: the parent's own listener too, whose Close would then wait for a pending Accept (lesson 6). So the parent puts O_NONBLOCK back through SyscallConn right after cmd.Start — or passes raw fds to syscall.ForkExec, which calls no Fd().",
  zh: 'os/exec 会对它传递的每个文件调用 Fd()，而 Fd() 把共享的打开文件描述改成阻塞模式：父进程自己的 listener 也一样，它的 Close 之后就得等一个挂起的 Accept（第 6 课）。所以父进程在 cmd.Start 之后立刻通过 SyscallConn 把 O_NONBLOCK 设回去——或者把原始 fd 交给不调用 Fd() 的 syscall.ForkExec。',
};

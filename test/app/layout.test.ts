// Laying screens out into lines: the height is shared without ever exceeding it, Chinese wraps between
// characters, code goes side by side only when nothing would be cut.
import { describe, expect, it } from 'vitest';
import { plainPalette } from '../../src/fdtable/format.js';
import { cellWidth } from '../../src/text/width.js';
import { codeLines } from '../../src/ui/app/code-lines.js';
import { fitBlocks, linesBlock } from '../../src/ui/app/fit-blocks.js';
import { layoutLesson } from '../../src/ui/app/lesson-layout.js';
import { layoutMenu } from '../../src/ui/app/menu-layout.js';
import { buildToc } from '../../src/ui/app/toc.js';
import { emptyProgress } from '../../src/progress/model.js';
import { wrapLine, wrapParagraphs } from '../../src/text/wrap.js';
import { play, quietLesson, ranFirstStep } from './fixtures.js';
import { initialLessonState } from '../../src/lesson/lesson-state.js';
import { listener, row, snapshotOf } from '../ui/snapshot-fixtures.js';

const lines = (n: number, label = 'x') => Array.from({ length: n }, (_, i) => `${label}${i}`);

describe('fitBlocks', () => {
  it('serves minimums in order, then grows blocks in order, never past the height', () => {
    const blocks = [linesBlock('a', lines(10, 'a'), 2), linesBlock('b', lines(10, 'b'), 3, 'tail'), linesBlock('c', lines(1, 'c'), 1)];
    const fitted = fitBlocks(blocks, 8, { mins: ['c', 'a', 'b'], grow: [['a', 4], 'b'] });
    expect(fitted.heights).toEqual({ a: 4, b: 3, c: 1 });
    expect(fitted.lines).toEqual(['a0', 'a1', 'a2', 'a3', 'b7', 'b8', 'b9', 'c0']);
    const tight = fitBlocks(blocks, 4, { mins: ['c', 'a', 'b'], grow: ['a'] });
    expect(tight.heights).toEqual({ a: 2, b: 1, c: 1 });
  });

  it('ends a cut head block with a line that says how much is left', () => {
    expect(linesBlock('a', lines(10), 1, 'head', (n) => `+${n}`).render(4)).toEqual(['x0', 'x1', 'x2', '+7']);
  });
});

describe('wrapping', () => {
  it('breaks Chinese between characters, never before a comma or full stop', () => {
    const wrapped = wrapLine('只要还有某个 fd 指向 socket 的打开文件描述，这个 socket 就一直存在。', 20);
    expect(wrapped.every((line) => cellWidth(line) <= 20)).toBe(true);
    expect(wrapped.some((line) => /^[，。]/.test(line))).toBe(false);
    expect(wrapped.join('').replace(/\s/g, '')).toBe('只要还有某个fd指向socket的打开文件描述，这个socket就一直存在。');
  });

  it('keeps preformatted lines (diagrams) as written and separates paragraphs', () => {
    const text = 'A paragraph that is long enough to wrap at twenty.\n\np1 fd x ────┐\n  indented';
    const out = wrapParagraphs(text, 20);
    expect(out).toContain('p1 fd x ────┐');
    expect(out).toContain('  indented');
    expect(out).toContain('');
  });
});

describe('codeLines', () => {
  const code = { go: 'ln, _ := net.Listen()', node: 'server.listen(0)' };
  it('puts Go beside Node when both fit', () => {
    const out = codeLines(code, 80, 'en', plainPalette);
    expect(out[0]).toMatch(/^Go +│ Node$/);
    expect(out[1]).toMatch(/^ln, _ := net\.Listen\(\) +│ server\.listen\(0\)$/);
  });

  it('stacks them with the language in the margin when they do not, cutting long lines', () => {
    const out = codeLines({ ...code, go: `${'x'.repeat(100)}\nsecond` }, 80, 'en', plainPalette);
    expect(out[0]).toMatch(/^Go   │ x+…$/);
    expect(cellWidth(out[0])).toBe(80);
    expect(out[1]).toBe('     │ second');
    expect(out[2]).toBe('Node │ server.listen(0)');
  });
});

describe('layoutLesson', () => {
  const sizes: Array<[number, number]> = [[80, 23], [100, 29], [200, 59], [80, 40]];
  it.each(sizes)('fills at most %i×%i and no line is wider', (width, height) => {
    for (const lang of ['en', 'zh'] as const) {
      for (const state of [ranFirstStep(lang), play(ranFirstStep(lang), { type: 'answer', choice: 2 }, { type: 'toggle-hint' })]) {
        const screen = layoutLesson(quietLesson, state, width, height, plainPalette);
        expect(screen.lines.length).toBeLessThanOrEqual(height);
        for (const line of screen.lines) expect(cellWidth(line)).toBeLessThanOrEqual(width);
      }
    }
  });

  it('never cuts the quiz, the checks or the keys; the text says how much more there is', () => {
    const screen = layoutLesson(quietLesson, ranFirstStep(), 80, 23, plainPalette);
    const text = screen.lines.join('\n');
    expect(text).toContain('Quiz: How many sockets listen? (press 1-3)');
    expect(text).toContain('  3) None');
    expect(text).toContain('✔ the port is in LISTEN  (127.0.0.1:41234)');
    expect(screen.lines.at(-1)).toMatch(/^→ next · 1-3 answer · h hint · /);
    expect(text).toMatch(/… \d+ more lines: ↓ scrolls/);
    expect(screen.maxScroll).toBeGreaterThan(0);
  });

  it('scrolled to the end, the text shows its last line and no "more" line', () => {
    const first = layoutLesson(quietLesson, ranFirstStep(), 80, 23, plainPalette);
    const end = layoutLesson(quietLesson, play(ranFirstStep(), { type: 'scroll', to: first.maxScroll }), 80, 23, plainPalette);
    expect(end.lines.join('\n')).not.toMatch(/more lines/);
    expect(end.lines.join('\n')).toContain('Node │ net.createServer()');
  });
});

describe('the footer', () => {
  it('offers only keys that act now: no hint, quiz, back or scroll where there is none', () => {
    const state = play(ranFirstStep(), { type: 'next' }, { type: 'run-started', index: 1 }, { type: 'run-finished', index: 1, expectations: [{ ok: true }, { ok: false }] });
    const keys = layoutLesson(quietLesson, state, 80, 23, plainPalette).lines.at(-1)!;
    expect(keys).toMatch(/^→ next · ← back · /);
    expect(keys).not.toMatch(/h hint|answer/);
    const first = layoutLesson(quietLesson, ranFirstStep(), 80, 23, plainPalette).lines.at(-1)!;
    expect(first).not.toContain('← back');
    expect(first).toContain('h hint');
  });

  it('keeps the current step\'s own log lines in view (lesson 13\'s comparison table)', () => {
    const logs = Array.from({ length: 5 }, (_, i) => ({ type: 'log' as const, entry: { at: i, source: 'tutor', kind: 'event' as const, text: `comparison row ${i}` } }));
    const earlier = Array.from({ length: 20 }, (_, i) => ({ type: 'log' as const, entry: { at: i, source: 'server', kind: 'syscall' as const, text: `dup(19) = ${20 + i}` } }));
    const state = play(initialLessonState(quietLesson, 'en'), ...earlier, { type: 'run-started', index: 0 }, ...logs, { type: 'run-finished', index: 0, expectations: [{ ok: true }] });
    const text = layoutLesson(quietLesson, state, 80, 23, plainPalette).lines.join('\n');
    for (let i = 0; i < 5; i++) expect(text).toContain(`comparison row ${i}`);
  });
});

describe('the table and the log as panes', () => {
  /** Step 1 of the quiet lesson with 30 rows, the focused one (fd 19) near the end. */
  function manyRows() {
    const rows = Array.from({ length: 30 }, (_, i) => row({ pid: 4242, fd: 30 + i, command: 'server', type: 'REG', name: `/tmp/f${i}` }));
    const snapshot = snapshotOf([...rows, { ...listener(4242, 99, 'B'), command: 'server' }]);
    return play(ranFirstStep(), { type: 'clear-table' }, { type: 'sample', index: 0, snapshot, changes: [], focus: new Set(['4242:99']), hidden: 0, at: 1, holdMs: 2000 });
  }

  it('keeps the focused rows in view, though they come after many others', () => {
    const screen = layoutLesson(quietLesson, manyRows(), 80, 23, plainPalette);
    expect(screen.lines.join('\n')).toMatch(/^> +4242 +99 /m);
    expect(screen.tableMax).toBeGreaterThan(0);
  });

  it('z shows the table alone, and every row is reachable by scrolling it', () => {
    let state = play(manyRows(), { type: 'toggle-zoom' }, { type: 'scroll-table', to: 0 });
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const screen = layoutLesson(quietLesson, state, 80, 23, plainPalette);
      expect(screen.lines.length).toBeLessThanOrEqual(23);
      for (const line of screen.lines) for (const m of line.matchAll(/^[> ] +4242 +(\d+) /gm)) seen.add(m[1]);
      state = play(state, { type: 'scroll-table', to: Math.min(screen.tableMax, screen.tableOffset + 5) });
    }
    expect(seen.size).toBe(31);
  });

  it('Tab-chosen log scrolls back to its first line', () => {
    const state = play(ranFirstStep(), { type: 'pane', pane: 'log' });
    const first = layoutLesson(quietLesson, state, 80, 23, plainPalette);
    expect(first.logMax).toBeGreaterThan(0);
    const back = layoutLesson(quietLesson, play(state, { type: 'scroll-log', to: first.logMax }), 80, 23, plainPalette);
    expect(back.lines.join('\n')).toContain('dup(19) = 20');
  });

  it('e shows a cut check line whole', () => {
    const long = 'x'.repeat(150);
    const state = play(initialLessonState(quietLesson, 'en'), { type: 'run-started', index: 0 }, { type: 'run-finished', index: 0, expectations: [{ ok: true, detail: long }] });
    const cut = layoutLesson(quietLesson, state, 80, 23, plainPalette);
    expect(cut.lines.join('\n')).not.toContain('x'.repeat(100));
    expect(cut.lines.at(-1)).toContain('e expand');
    const whole = layoutLesson(quietLesson, play(state, { type: 'toggle-expand' }), 80, 23, plainPalette).lines.join('').replace(/\s/g, '');
    expect(whole).toContain(long);
  });
});

describe('layoutMenu', () => {
  it('keeps the chosen lesson in view when the list is taller than the screen', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ ...quietLesson, id: `l${i}`, number: i + 1, title: { en: `Lesson title ${i + 1}`, zh: `课 ${i + 1}` } }));
    const toc = buildToc(many, emptyProgress());
    const screen = layoutMenu({ toc, selected: 30, lang: 'en', notice: null, width: 80, height: 23, palette: plainPalette });
    expect(screen.length).toBeLessThanOrEqual(23);
    expect(screen.join('\n')).toMatch(/^▶ 31 {2}· not yet {5}Lesson title 31$/m);
    expect(screen.at(-1)).toMatch(/^↑↓ choose/);
  });
});

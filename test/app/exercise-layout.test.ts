// The exercise screen's layout, pure: the README reflowed to the width (Chinese joined without spaces),
// a running verify with its checks as they came, in both languages within 80×24.
import { describe, expect, it } from 'vitest';
import { plainPalette } from '../../src/fdtable/format.js';
import type { CheckOutcome } from '../../src/exercise/types.js';
import { layoutExercise, type ExerciseInput, type StartNotice } from '../../src/ui/app/exercise-layout.js';
import { markdownLines } from '../../src/ui/app/markdown-lines.js';
import { cellWidth } from '../../src/text/wrap.js';

const t = (en: string, zh: string) => ({ en, zh });
const checks = Array.from({ length: 5 }, (_, i) => ({ id: `c${i}`, title: t(`check number ${i + 1} holds on the kernel's tables`, `第 ${i + 1} 项检查在内核的表里成立`) }));
const outcome = (i: number, ok: boolean): CheckOutcome => ({
  id: `c${i}`, status: ok ? 'pass' : 'fail', title: checks[i].title, detail: ok ? null : t('2 fds refer to the listening socket.', '有 2 个 fd 指向监听 socket。'), evidence: [], hint: null,
});
const readme = t(
  `# Exercise 1 · Close the dup\n\n${'A line of the task that was wrapped at a hundred columns by its author.\n'.repeat(30)}\n1. first item\n   continued`,
  `# 练习 1 · 关掉 dup 出来的 fd\n\n${'一行被作者在一百列处折行的题目文字，\n'.repeat(30)}`,
);

function input(over: Partial<ExerciseInput> = {}): ExerciseInput {
  return {
    number: 1, title: t('Close the dup', '关掉 dup 出来的 fd'), readme, workspace: { dir: '/home/learner/hotrestart-exercises/01-close-dup', code: 'node' },
    defaultDir: '/home/learner/hotrestart-exercises/01-close-dup', checks, last: null,
    live: { phase: 'running', checks: [outcome(0, true), outcome(1, false)], result: null, message: null },
    started: null,
    hint: { index: 0, total: 3, text: t('Run hotrestart-tutor fds PID while it runs.', '运行时执行 hotrestart-tutor fds PID。') },
    lang: 'en', scroll: 0, width: 80, height: 23, palette: plainPalette, ...over,
  };
}

describe('exercise layout', () => {
  it('fits 80×24 in both languages while a verify runs, its checks shown as they came', () => {
    for (const lang of ['en', 'zh'] as const) {
      const { lines, maxScroll } = layoutExercise(input({ lang }));
      expect(lines.length).toBeLessThanOrEqual(23);
      for (const line of lines) expect(cellWidth(line)).toBeLessThanOrEqual(80);
      expect(lines[0]).toBe(lang === 'en' ? 'Exercise 1 · Close the dup' : '练习 1 · 关掉 dup 出来的 fd');
      expect(lines.join('\n')).toContain(lang === 'en' ? '✘ check number 2 holds' : '✘ 第 2 项检查');
      // The progress sentence may wrap: read it as one line.
      expect(lines.join(lang === 'en' ? ' ' : '').replace(/ +/g, ' ')).toContain(lang === 'en' ? '(2 of 5 checks so far; Esc stops)' : '已完成 2/5 项检查');
      expect(lines.at(-1)).toContain(lang === 'en' ? 'Esc or Ctrl-C stops the verify' : 'Esc 或 Ctrl-C 停止验证');
      expect(maxScroll).toBeGreaterThan(0);
    }
  });

  it('fits 80×24 in both languages with each outcome of s and S, and says how to start before there is a workspace', () => {
    const dir = '/home/learner/hotrestart-exercises/01-close-dup';
    const notices: StartNotice[] = [
      { kind: 'created', dir, code: 'node', files: ['README.md', 'README.zh-CN.md', 'server.mjs', 'hotrestart-sys.mjs', '.hotrestart-exercise.json'] },
      { kind: 'exists', dir },
      { kind: 'no-go' },
      { kind: 'failed', reason: "EACCES: permission denied, mkdir '/home/learner/hotrestart-exercises'" },
    ];
    for (const lang of ['en', 'zh'] as const) {
      const before = layoutExercise(input({ lang, workspace: null, live: null, hint: null })).lines;
      expect(before.join(lang === 'en' ? ' ' : '').replace(/ +/g, ' ')).toContain(lang === 'en' ? `No workspace yet at ${dir}: s creates it (Node), S in Go.` : '按 s 创建（Node），按 S 用 Go');
      expect(before.at(-1)).toContain(lang === 'en' ? 's start · v verify' : 's 开始 · v 验证');
      for (const started of notices) {
        const { lines } = layoutExercise(input({ lang, started, workspace: started.kind === 'created' ? { dir, code: 'node' } : null, live: null }));
        expect(lines.length).toBeLessThanOrEqual(23);
        for (const line of lines) expect(cellWidth(line)).toBeLessThanOrEqual(80);
        const text = lines.join(lang === 'en' ? ' ' : '').replace(/ +/g, ' ');
        if (started.kind === 'created') {
          expect(text).toContain(lang === 'en' ? 'Created with README.md, README.zh-CN.md, server.mjs, hotrestart-sys.mjs. Next:' : '已创建，包含 README.md、README.zh-CN.md、server.mjs、hotrestart-sys.mjs。');
          expect(text).toContain(lang === 'en' ? 'then press v to verify' : '然后按 v 验证');
          expect(lines.at(-1)).not.toContain(lang === 'en' ? 's start' : 's 开始');
        }
        if (started.kind === 'exists') expect(lines).toContain(lang === 'en' ? 'That folder already exists: it is left as it is.' : '该文件夹已经存在：保持原样不动。');
        if (started.kind === 'no-go') expect(text).toContain(lang === 'en' ? 'Go exercises need the Go toolchain' : 'Go 练习需要 Go 工具链');
        if (started.kind === 'failed') expect(text).toContain(lang === 'en' ? 'The workspace could not be created: EACCES' : '无法创建工作区：EACCES');
      }
    }
  });

  it('scrolls the README to its end and no further', () => {
    const { maxScroll } = layoutExercise(input());
    const end = layoutExercise(input({ scroll: maxScroll + 50 })).lines.join('\n');
    expect(end).toContain('continued');
    expect(end).not.toContain('↓ +');
  });

  it('reflows Markdown: paragraphs joined and rewrapped, Chinese without spaces, list items hanging', () => {
    expect(markdownLines('一行被作者\n折行的文字', 80)).toEqual(['一行被作者折行的文字']);
    expect(markdownLines('a b\nc d', 80)).toEqual(['a b c d']);
    expect(markdownLines('1. first item\n   continued\n\n```\ncode  kept\n```', 80)).toEqual(['1. first item continued', '', '  code  kept']);
  });
});

// Language choice and the tutor's own strings. Lessons carry their text inline as { en, zh }.
import type { Lang, Text } from './types.js';

/** --lang wins, then LC_ALL, LC_MESSAGES, LANG (zh* -> Chinese), else English. */
export function detectLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (flag === 'en' || flag === 'zh') return flag;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(locale) ? 'zh' : 'en';
}

export function isLang(value: string): value is Lang {
  return value === 'en' || value === 'zh';
}

export function pick(text: Text, lang: Lang): string {
  return text[lang];
}

/** Fills {name} placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => (key in values ? String(values[key]) : `{${key}}`));
}

/** The tutor's interface strings. */
export const ui = {
  step: { en: 'Step {n}/{total}', zh: '第 {n}/{total} 步' },
  hint: { en: 'Hint', zh: '提示' },
  quiz: { en: 'Quiz', zh: '小测验' },
  answer: { en: 'Answer', zh: '答案' },
  correct: { en: 'Correct.', zh: '回答正确。' },
  wrong: { en: 'Not quite.', zh: '不太对。' },
  expectations: { en: 'Checked on this machine', zh: '在本机上的检验' },
  running: { en: 'running…', zh: '运行中…' },
  cancelled: { en: 'Demo stopped. Press r to run this step again.', zh: '演示已停止。按 r 重新运行这一步。' },
  failed: { en: 'This step failed: {error}', zh: '这一步失败了：{error}' },
  lessonDone: { en: 'Lesson complete: {ok} of {total} checks held.', zh: '本课完成：{total} 项检验中 {ok} 项成立。' },
  skippedChecks: { en: '{n} check(s) could not run on this machine and were skipped.', zh: '有 {n} 项检验无法在本机运行，已跳过。' },
  allHeld: { en: 'Every expectation held on this machine.', zh: '所有预期都在本机上得到验证。' },
  someFailed: { en: '{n} expectation(s) did not hold on this machine.', zh: '有 {n} 项预期在本机上没有成立。' },
  platform: {
    en: 'This lesson needs {platforms}; this machine runs {platform}, so its demos cannot run here.',
    zh: '本课需要 {platforms}；本机是 {platform}，演示无法在这里运行。',
  },
  fdTable: { en: 'fd table', zh: 'fd 表' },
  hiddenRows: {
    en: '({n} more rows hidden: stdio and what the runtime opens for itself, such as epoll and its pipes)',
    zh: '（另有 {n} 行未显示：标准输入输出，以及运行时自己打开的 fd，例如 epoll 和它的管道）',
  },
  skipped: { en: 'skipped', zh: '已跳过' },
  log: { en: 'syscalls and events', zh: '系统调用与事件' },
  go: { en: 'Go', zh: 'Go' },
  node: { en: 'Node', zh: 'Node' },
  chapter: { en: 'Chapter', zh: '章节' },
  lesson: { en: 'Lesson {n}', zh: '第 {n} 课' },
} satisfies Record<string, Text>;

export type UiKey = keyof typeof ui;

export function tr(key: UiKey, lang: Lang, values: Record<string, string | number> = {}): string {
  return fill(ui[key][lang], values);
}

// Every learner-facing string exists in English and Chinese: a lesson with a missing or empty
// translation fails here, as does an untranslated copy (identical en and zh prose).
import { describe, expect, it } from 'vitest';
import { lessons } from '../../lessons/index.js';
import { detectLang, ui } from '../../src/lesson/i18n.js';

function texts(value: unknown, path: string, out: Array<{ path: string; en: unknown; zh: unknown }>): void {
  if (!value || typeof value !== 'object') return;
  if ('en' in value || 'zh' in value) {
    out.push({ path, en: (value as { en?: unknown }).en, zh: (value as { zh?: unknown }).zh });
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (typeof child !== 'function') texts(child, `${path}.${key}`, out);
  }
}

const hasLetters = (s: string) => /[A-Za-z]{4,}/.test(s.replace(/`[^`]*`|[A-Z_]{3,}|\b\w+\(\)|\d+/g, ''));

describe('languages', () => {
  const all = lessons.flatMap((lesson) => {
    const found: Array<{ path: string; en: unknown; zh: unknown }> = [];
    texts(lesson, lesson.id, found);
    return found;
  });

  it('finds the lessons and their strings', () => {
    expect(lessons.length).toBeGreaterThan(0);
    expect(all.length).toBeGreaterThan(lessons.length * 10);
  });

  it('every lesson string has non-empty English and Chinese', () => {
    const missing = all.filter((t) => typeof t.en !== 'string' || typeof t.zh !== 'string' || !t.en.trim() || !t.zh.trim());
    expect(missing.map((m) => m.path)).toEqual([]);
  });

  it('Chinese prose is Chinese, not a copy of the English', () => {
    // Code excerpts are code: one without a comment is the same in both languages, rightly.
    const prose = all.filter((t) => !/\.code\./.test(t.path));
    const copies = prose.filter((t) => t.en === t.zh && hasLetters(String(t.en)));
    expect(copies.map((c) => c.path)).toEqual([]);
    const noHan = prose.filter((t) => hasLetters(String(t.en)) && !/\p{Script=Han}/u.test(String(t.zh)));
    expect(noHan.map((c) => c.path)).toEqual([]);
  });

  it('every interface string is translated', () => {
    for (const [key, text] of Object.entries(ui)) {
      expect(text.en, key).toBeTruthy();
      expect(text.zh, key).toMatch(/\p{Script=Han}|^Go$|^Node$/u);
    }
  });

  it('picks the language from --lang, then the locale, else English', () => {
    expect(detectLang('zh', {})).toBe('zh');
    expect(detectLang(undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(detectLang(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(detectLang(undefined, {})).toBe('en');
  });
});

// A step's action that fails with a LessonActionError is shown in the learner's language: "This step
// failed: …" in plain mode and on the Ink screen's status line, and a check that throws one shows its
// detail in that language too. `message` stays the English, for logs and tests.
import { describe, expect, it } from 'vitest';
import { PuppetStartError } from '../../src/demo/puppet-start-error.js';
import { plainPalette } from '../../src/fdtable/format.js';
import { initialLessonState, lessonReducer } from '../../src/lesson/lesson-state.js';
import { playPlain } from '../../src/lesson/plain.js';
import { errorText } from '../../src/lesson/runner.js';
import { LessonActionError, type Lesson, type Text } from '../../src/lesson/types.js';
import { statusLines } from '../../src/ui/app/lesson-sections.js';
import { collector } from '../helpers/lesson-output.js';

const t = (en: string, zh: string): Text => ({ en, zh });
const failure = t('hot-2 answered fewer than 30 more requests within 15000 ms', 'hot-2 在 15000 毫秒内新回答的请求少于 30 个');
const thrown = t('the probe gave up', '探测放弃了');

const lesson: Lesson = {
  id: 'action-error',
  number: 97,
  chapter: t('c', '章'),
  title: t('t', '题'),
  summary: t('s', '摘要'),
  recap: [],
  steps: [
    {
      id: 'fails',
      title: t('Fails', '失败'),
      text: t('This action fails.', '这个动作会失败。'),
      run: async () => {
        throw new LessonActionError(failure);
      },
    },
    {
      id: 'check-throws',
      title: t('Check throws', '检验抛错'),
      text: t('This check throws.', '这项检验会抛错。'),
      expect: [{ text: t('holds', '成立'), check: () => { throw new LessonActionError(thrown); } }],
    },
    {
      id: 'program-output',
      title: t('Program output', '程序输出'),
      text: t("A program's own words.", '程序自己的话。'),
      run: async () => {
        throw new LessonActionError('cc: error: no such file');
      },
    },
    {
      id: 'no-puppet',
      title: t('No puppet', '没有演示进程'),
      text: t('Waits for a puppet that never comes.', '等一个永远不来的演示进程。'),
      run: async (ctx) => {
        await ctx.waitFor('nobody', 50);
      },
    },
  ],
};

describe('a failed step in the learner language', () => {
  it('keeps the English as message and both languages as text; a string is the same in both', () => {
    const error = new LessonActionError(failure);
    expect(error.message).toBe(failure.en);
    expect(error.text).toEqual(failure);
    expect(errorText(new LessonActionError('stderr line'))).toEqual({ en: 'stderr line', zh: 'stderr line' });
    expect(errorText(new Error('first\nsecond'))).toEqual({ en: 'first', zh: 'first' });
    const late = new PuppetStartError('nobody', { timeoutMs: 50 }, 'refused');
    expect(late.message).toBe('puppet nobody did not check in within 50 ms (refused)');
    expect(late.text.zh).toBe('演示进程 nobody 在 50 毫秒内没有报到（refused）');
    expect(new PuppetStartError('p', { code: 1 }, 'boom').message).toBe('puppet p exited with code 1 before it was ready: boom');
  });

  for (const lang of ['en', 'zh'] as const) {
    const other = lang === 'en' ? 'zh' : 'en';
    it(`plain mode prints it in ${lang} only`, async () => {
      const out = collector();
      const result = await playPlain(lesson, { lang, out: out.stream, width: 200 });
      const text = out.text();
      expect(result.failedSteps).toBe(3);
      const prefix = lang === 'en' ? 'This step failed: ' : '这一步失败了：';
      expect(text).toContain(`${prefix}${failure[lang]}`);
      expect(text).toContain(`${prefix}cc: error: no such file`);
      expect(text).toContain(`(${thrown[lang]})`);
      expect(text).toContain(`${prefix}${new PuppetStartError('nobody', { timeoutMs: 50 }).text[lang]}`);
      expect(text).not.toContain(failure[other]);
      expect(text).not.toContain(thrown[other]);
    }, 30_000);

    it(`the Ink status line shows it in ${lang}`, () => {
      let state = initialLessonState(lesson, lang);
      state = lessonReducer(state, { type: 'run-failed', index: 0, error: failure });
      const lines = statusLines(state, 200, plainPalette).join('\n');
      expect(lines).toContain(failure[lang]);
      expect(lines).not.toContain(failure[other]);
    });
  }
});

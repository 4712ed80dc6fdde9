// Exercises in the table of contents: after the lessons of their lesson's chapter, with their mark.
import { describe, expect, it } from 'vitest';
import { emptyProgress } from '../../src/progress/model.js';
import { buildToc, tocLines } from '../../src/ui/app/toc.js';
import { loadLessons } from '../../src/commands/tutor.js';

describe('the table of contents', () => {
  it('lists each exercise after its chapter, marked from the progress file', async () => {
    const lessons = await loadLessons();
    const progress = { ...emptyProgress(), exercises: { 'close-dup': { status: 'passed' as const, attempts: 1, last: { at: '', passed: true, code: 'node' as const, failed: [], fault: null, verifierVersion: '0.1.0', durationMs: 1 }, passedAt: '', hintsShown: 0, solutionShown: false } } };
    const lines = tocLines(buildToc(lessons, progress), 'en');
    const lesson7 = lines.findIndex((line) => /^ {2}7 /.test(line));
    expect(lines[lesson7 + 1]).toMatch(/^ex1 {2}✔ passed +Close the dup$/);
    expect(lines.indexOf('Chapter 2 · Handing over the listener')).toBeGreaterThan(lesson7 + 1);
    expect(tocLines(buildToc(lessons, progress), 'zh').some((line) => /练习1 {2}✔ 已通过 +关掉 dup 出来的 fd/.test(line))).toBe(true);
    expect(lessons.find((lesson) => lesson.id === 'dup-leak')?.exercises?.map((exercise) => exercise.number)).toEqual([1]);
  });
});

// Every lesson ends with what to remember: 3 to 5 key points, each in English and Chinese.
import { describe, expect, it } from 'vitest';
import { lessons } from '../../lessons/index.js';

describe('lesson recaps', () => {
  it.each(lessons.map((lesson) => [lesson.number, lesson] as const))('lesson %i has 3 to 5 points in both languages', (_, lesson) => {
    expect(lesson.recap.length).toBeGreaterThanOrEqual(3);
    expect(lesson.recap.length).toBeLessThanOrEqual(5);
    for (const point of lesson.recap) {
      expect(point.en.trim()).not.toBe('');
      expect(point.zh).toMatch(/\p{Script=Han}/u);
    }
  });
});

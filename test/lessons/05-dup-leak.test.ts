// Lesson 5 end to end in plain mode: every expectation must hold on this kernel, and afterwards no
// demo process (sleep holding the leaked listener included) may be left.
import { describe, expect, it } from 'vitest';
import { isAlive } from '../helpers/process.js';
import { lesson } from '../../lessons/05-dup-leak.js';
import { playChecked, startedPids } from '../helpers/lesson-output.js';

describe('lesson 5: dup leak', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { text } = await playChecked(lesson, lang, 8);
      expect(text).toMatch(/recv\(\d+, .*\) = -1 ECONNRESET/);
      // The queue of three hanging clients was on screen.
      expect(text).toMatch(/3\/511 +127\.0\.0\.1:\d+ \(LISTEN\)/);
      // Every process the lesson started is gone: the server, the client and the helper holding the leak.
      const pids = startedPids(text);
      expect(pids.length).toBe(3);
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

// Lesson 5 end to end in plain mode: every expectation must hold on this kernel, and afterwards no
// demo process (sleep holding the leaked listener included) may be left.
import { describe, expect, it } from 'vitest';
import { isAlive } from '../helpers/process.js';
import { lesson } from '../../lessons/05-dup-leak.js';
import { playChecked, startedPids } from '../helpers/lesson-output.js';

describe('lesson 5: dup leak', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { text } = await playChecked(lesson, lang, 9);
      expect(text).toMatch(/recv\(\d+, .*\) = -1 ECONNRESET/);
      // The queue of three hanging clients (backlog 2 + 1) was on screen, and the fourth waited in SYN_SENT, not refused.
      expect(text).toMatch(/3\/2 +127\.0\.0\.1:\d+ \(LISTEN\)/);
      expect(text).toMatch(/connect\(\d+, 127\.0\.0\.1:\d+\) = -1 EINPROGRESS/);
      // Every process the lesson started is gone: the server, the client and the helper holding the leak.
      const pids = startedPids(text);
      expect(pids.length).toBe(3);
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

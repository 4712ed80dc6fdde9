// Lesson 5 end to end in plain mode: every expectation must hold on this kernel, and afterwards no
// demo process (sleep holding the leaked listener included) may be left.
import { describe, expect, it } from 'vitest';
import { isAlive } from '../helpers/process.js';
import { lesson } from '../../lessons/05-dup-leak.js';
import { playPlain } from '../../src/lesson/plain.js';
import { collector, startedPids } from '../helpers/lesson-output.js';


describe('lesson 5: dup leak', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const out = collector();
      const result = await playPlain(lesson, { lang, out: out.stream, width: 120 });
      expect(out.text()).not.toContain('✘');
      expect(result.failedSteps).toBe(0);
      expect(result.held).toBe(result.checks);
      expect(result.checks).toBeGreaterThanOrEqual(8);
      expect(out.text()).toMatch(/recv\(\d+, .*\) = -1 ECONNRESET/);
      // The queue of three hanging clients was on screen.
      expect(out.text()).toMatch(/3\/511 +127\.0\.0\.1:\d+ \(LISTEN\)/);
      // Every process the lesson started is gone: the server, the client and the helper holding the leak.
      const pids = startedPids(out.text());
      expect(pids.length).toBe(3);
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

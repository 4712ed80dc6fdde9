// Lesson 1 end to end in plain mode: the naive restart must lose requests on this kernel (refused while
// no socket listens), the steady state before it must lose none, and no demo process may be left.
import { describe, expect, it } from 'vitest';
import { isAlive } from '../helpers/process.js';
import { lesson } from '../../lessons/01-what-is-hot-restart.js';
import { playChecked, startedPids } from '../helpers/lesson-output.js';

describe('lesson 1: what hot restart is', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { text } = await playChecked(lesson, lang, 10);

      // The counters were logged live, and the restart's final line shows refusals, the steady one none.
      expect(text.match(/· load: ok \d+ · refused \d+ · reset \d+ · timeout \d+/g)?.length).toBeGreaterThanOrEqual(3);
      const steady = /ok (\d+) · refused (\d+) · reset (\d+) · timeout (\d+)/.exec(text.split('\n').find((l) => /steady load in total|稳定负载合计/.test(l))!)!;
      expect(Number(steady[1])).toBeGreaterThan(0);
      expect(steady.slice(2).map(Number)).toEqual([0, 0, 0]);
      const restart = /ok (\d+) · refused (\d+)/.exec(text.split('\n').find((l) => /restart load in total|本轮负载合计/.test(l))!)!;
      expect(Number(restart[2])).toBeGreaterThan(0);

      // The new server bound the very port the old one had.
      const binds = [...text.matchAll(/bind\(\d+, 127\.0\.0\.1:(\d+)\) = 0/g)].map((m) => m[1]);
      const v1Port = /listener\(s\) on 127\.0\.0\.1:(\d+); v1/.exec(text)?.[1];
      expect(binds).toEqual(['0', v1Port]);
      expect(text).toMatch(/bind\(127\.0\.0\.1:\d+\) = -1 EADDRINUSE/);

      const pids = startedPids(text);
      expect(pids.length).toBe(2);
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

// Lesson 5 end to end in plain mode: every expectation must hold on this kernel, and afterwards no
// demo process (sleep holding the leaked listener included) may be left.
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { isAlive } from '../helpers/process.js';
import { lesson } from '../../lessons/05-dup-leak.js';
import { playPlain } from '../../src/lesson/plain.js';

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

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
      const pids = [...out.text().matchAll(/started \w+ \(pid (\d+)\)|fork\(\) = (\d+)/g)].map((m) => Number(m[1] ?? m[2]));
      expect(pids.length).toBe(3);
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

// Lesson 7 end to end in plain mode: every expectation must hold on this kernel. Then the printed tables
// are read back: the queues of the two listeners add up to the connections made and neither is starved;
// net.ipv4.tcp_migrate_req is what it was before the lesson; no process of the lesson is left.
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/07-reuseport-pitfalls.js';
import { readSysctl } from '../../src/lesson/sysctl.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, startedPids, stepText } from '../helpers/lesson-output.js';

/** Accept queue per listener row of a step's table: { a: 103, b: 97 }. */
function queues(step: string): Record<string, number> {
  return Object.fromEntries([...step.matchAll(/^ {2}[> ] +\d+ +(\w+) +\d+ +TCP .* (\d+)\/1024 +127\.0\.0\.1:\d+ \(LISTEN\)$/gm)].map((m) => [m[1], Number(m[2])]));
}

describe('lesson 7: SO_REUSEPORT pitfalls', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const migrateBefore = readSysctl('net.ipv4.tcp_migrate_req');
      const { result, text } = await playChecked(lesson, lang, 1);
      expect(result.checks).toBe(11);

      // Two listeners on one port, 200 connections, nobody accepting: the kernel split them between both.
      const split = queues(stepText(text, 2));
      expect(Object.keys(split).sort()).toEqual(['a', 'b']);
      expect(split.a + split.b).toBe(200);
      expect(Math.min(split.a, split.b)).toBeGreaterThan(50);
      // b's close: the clients counted exactly b's queue as ECONNRESET.
      const closed = stepText(text, 4);
      expect(closed).toMatch(new RegExp(`${queues(stepText(text, 3)).b} ECONNRESET`));

      expect(readSysctl('net.ipv4.tcp_migrate_req')).toBe(migrateBefore);
      const pids = startedPids(text);
      expect(pids.length).toBe(4); // a, b, intruder, client
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

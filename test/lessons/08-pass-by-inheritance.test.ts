// Lesson 8 end to end in plain mode: every expectation must hold on this kernel. Then the log and tables
// are read back: the two parents' listeners had different numbers, yet libuv dup2'd each parent's pair to
// 3 and 4; the child's fd 3 carries its parent's DESC letter; every HTTP answer named the child's pid;
// and no process of the lesson is left.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/08-pass-by-inheritance.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, startedPids, stepText } from '../helpers/lesson-output.js';

/** DESC letter of one row of a printed table: `> 1234  alpha-child   3  TCP   T ...`. */
function letter(step: string, command: string, fd: number): string | undefined {
  return new RegExp(`^ {2}[> ] +\\d+ +${command} +${fd} +\\w+ +(\\w+) `, 'm').exec(step)?.[1];
}

describe('lesson 8: passing listeners by inheritance', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { text } = await playChecked(lesson, lang, 12);

      // Each parent's two listeners went to 3 and 4, from numbers that differ between the parents.
      const placed = (parent: string) => [...text.matchAll(new RegExp(`${parent}: \\[pid \\d+\\] dup2\\((\\d+), (\\d)\\)`, 'g'))].map((m) => [Number(m[1]), Number(m[2])]);
      const [alpha, beta] = [placed('alpha'), placed('beta')];
      expect(alpha.map(([, to]) => to)).toEqual([3, 4]);
      expect(beta.map(([, to]) => to)).toEqual([3, 4]);
      expect(alpha[0][0]).not.toBe(beta[0][0]);

      // The kernel's view as printed: the child's fd 3 is its parent's description.
      const listed = stepText(text, 2);
      expect(letter(listed, 'alpha-child', 3)).toBe(letter(listed, 'alpha', alpha[0][0]));
      expect(letter(listed, 'beta-child', 3)).toBe(letter(listed, 'beta', beta[0][0]));
      expect(letter(listed, 'alpha-child', 3)).not.toBe(letter(listed, 'beta-child', 3));

      // Every answer came from the child, before and after the parents let go: four bursts of 20.
      for (const child of ['alpha-child', 'beta-child']) {
        const pid = new RegExp(`${child} (?:is up|已就绪) ?[(（]pid (\\d+)`).exec(text)?.[1];
        expect(pid).toBeDefined();
        expect(text.match(new RegExp(`X-Puppet(?:: |：)${child} \\(pid ${pid}\\) ×20$`, 'gm'))?.length).toBe(2);
      }
      // listen(2) again on a listening socket only raised the limit: 0/128 became 0/min(511, somaxconn) on fd 3.
      const limit = Math.min(511, Number(readFileSync('/proc/sys/net/core/somaxconn', 'latin1')));
      expect(stepText(text, 3)).toMatch(new RegExp(`alpha-child +3 +TCP .* 0/${limit} +127\\.0\\.0\\.1:\\d+ \\(LISTEN\\)`));

      const pids = startedPids(text);
      expect(pids.length).toBe(4); // alpha, beta and their children
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

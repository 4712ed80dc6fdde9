// Lesson 6 end to end in plain mode: every expectation must hold on this kernel. Then the output is read
// as the learner sees it: the server's row loses "nonblock" although only the worker called fcntl, libuv's
// fcntl(0, ...) in the stdin child is logged, the blocked accept4 resumes only after the client came; and
// no process of the lesson is left (a puppet whose helper thread still slept in accept would be).
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/06-nonblock-on-description.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, startedPids, stepText } from '../helpers/lesson-output.js';

/** FILE FLAGS of the server's listener rows in a step's tables. */
function serverFileFlags(step: string): string[] {
  return [...step.matchAll(/^ {2}[> ] +\d+ +server +\d+ +TCP +\S+ +\S+ +(\S+) /gm)].map((m) => m[1]);
}

describe('lesson 6: O_NONBLOCK lives on the description', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { result, text } = await playChecked(lesson, lang, 1);
      expect(result.checks).toBe(16);

      // Only the worker called fcntl, yet the server's row went from rw,nonblock to rw and back.
      expect(serverFileFlags(stepText(text, 1))).toEqual(['rw,nonblock']);
      expect(stepText(text, 2)).not.toMatch(/server: fcntl/);
      expect(serverFileFlags(stepText(text, 2))).toEqual(['rw']);
      expect(serverFileFlags(stepText(text, 3))).toEqual(['rw,nonblock']);
      // The stdin child: libuv's fcntl in the child, and the server's listener blocking after it exited.
      expect(stepText(text, 4)).toMatch(/\[pid \d+\] fcntl\(0, F_SETFL, O_RDWR\) = 0/);
      expect(serverFileFlags(stepText(text, 5))).toEqual(['rw']);
      // The accept4 began before the close and returned only after the client connected.
      const hang = stepText(text, 7);
      expect(hang.indexOf('<unfinished ...>')).toBeGreaterThan(-1);
      expect(hang.indexOf('<unfinished ...>')).toBeLessThan(hang.search(/gosrv: close\(\d+\) = 0/));
      expect(hang).not.toContain('accept4 resumed');
      expect(stepText(text, 8)).toMatch(/<\.\.\. accept4 resumed>\{127\.0\.0\.1:\d+\}, SOCK_CLOEXEC\) = \d+/);
      expect(stepText(text, 8)).toMatch(/connect\(\d+, 127\.0\.0\.1:\d+\) = -1 ECONNREFUSED/);

      const pids = startedPids(text);
      expect(pids.length).toBe(5); // server, worker, helper, gosrv, client
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

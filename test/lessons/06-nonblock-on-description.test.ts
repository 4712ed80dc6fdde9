// Lesson 6 end to end in plain mode: every expectation must hold on this kernel. Then the output is read
// as the learner sees it: the server's row loses "nonblock" although only the worker called fcntl, libuv's
// fcntl(0, ...) in the stdin child is logged, the blocked accept4 resumes only after the client came; and
// no process of the lesson is left (a puppet whose helper thread still slept in accept would be).
import { describe, expect, it } from 'vitest';
import { hasGo, sayIfNoGo } from '../helpers/go.js';
import { lesson } from '../../lessons/06-nonblock-on-description.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, startedPids, stepText } from '../helpers/lesson-output.js';

/** FILE FLAGS of one process's TCP rows in a step's tables. */
function serverFileFlagsOf(step: string, command: string): string[] {
  return [...step.matchAll(new RegExp(`^ {2}[> ] +\\d+ +${command} +\\d+ +TCP +\\S+ +\\S+ +(\\S+) `, 'gm'))].map((m) => m[1]);
}
const serverFileFlags = (step: string) => serverFileFlagsOf(step, 'server');

/** Steps 9 and 10 run real Go (6 checks) where go is installed; elsewhere they are skipped, saying so. */
sayIfNoGo('lesson 6 plays the real Go steps (9, 10) without their checks');

describe('lesson 6: O_NONBLOCK lives on the description', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { result, text } = await playChecked(lesson, lang, 1);
      expect(result.checks).toBe(hasGo ? 22 : 16);

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

      if (hasGo) {
        // Real Go: the dup is close-on-exec and non-blocking until cmd.Start; then blocking for all three rows.
        expect(serverFileFlagsOf(stepText(text, 9), 'goparent')).toEqual(['rw', 'rw']);
        expect(stepText(text, 9)).toMatch(/gochild +3 +TCP +\S+ +- +rw /);
        expect(stepText(text, 10)).toMatch(/parent: close returned after \d+ ms/);
        expect(stepText(text, 10)).toMatch(/parent: accept returned a connection/);
        expect(serverFileFlagsOf(stepText(text, 10), 'goparent')).toEqual(['rw,nonblock']);
      } else {
        expect(stepText(text, 9)).toContain('apt-get install golang-go');
      }

      const pids = startedPids(text);
      const gochild = Number(/child pid (\d+)/.exec(text)?.[1] ?? 0);
      expect(pids.length).toBe(hasGo ? 6 : 5); // server, worker, helper, gosrv, client (and goparent)
      expect([...pids, ...(gochild ? [gochild] : [])].filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

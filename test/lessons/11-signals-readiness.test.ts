// Lesson 11 end to end in plain mode: every expectation must hold on this kernel. Then the printed output is
// read back for what the lesson is about: the kernel refused a SIGKILL handler; a stopped server's clients
// waited in its accept queue; the successor's fd 3 is the very socket gen1 bound; the readiness pipe's two
// ends were in the two generations; endless's order lost requests and the module's none. Afterwards no
// process of the lesson is left, successors the module started included.
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/11-signals-readiness.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, startedPids, stepText } from '../helpers/lesson-output.js';

/** Pids the lesson started itself, and the successors the module reported ("started generation N as pid P"). */
function everyPid(text: string): number[] {
  return [...startedPids(text), ...[...text.matchAll(/as pid (\d+)/g)].map((m) => Number(m[1]))];
}

describe('lesson 11: signals and readiness', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { result, text } = await playChecked(lesson, lang, 33);
      // The PID-namespace check is skipped where no namespace can be made (not root, no unshare), the vfork
      // checks where there is no cc.
      expect(result.checks + result.skipped).toBe(34);

      expect(stepText(text, 1)).toMatch(/rt_sigaction\(SIGKILL, .*\) = -1 EINVAL/);
      // The stopped server's listener, with every client of the load waiting in its queue.
      const queued = Number(/ (\d+)\/511 +127\.0\.0\.1:\d+ \(LISTEN\)/.exec(stepText(text, 4))?.[1]);
      expect(queued).toBe(6);

      // SIGTSTP: the job in its own group stopped, sleeper in the puppet's orphaned group did not.
      expect(stepText(text, 2)).toMatch(/State: job T \(stopped\) · sleeper S \(sleeping\)/);
      // The vfork parent in D kept a handled SIGTERM pending, and went at once on SIGKILL.
      const d = stepText(text, 3);
      if (!/no C compiler/.test(d)) expect(d).toMatch(/State: D \(disk sleep\), ShdPnd: SIGTERM[\s\S]*kill\(\d+, SIGKILL\) = 0/);

      // gen1's listener inode, as logged, is the inode of gen2's fd 3 in the table.
      const trigger = stepText(text, 6);
      const inode = /inode (\d+)/.exec(trigger)?.[1];
      expect(trigger).toMatch(new RegExp(`gen2 +3 +TCP .* ${inode} +0/511 +127\\.0\\.0\\.1:\\d+ \\(LISTEN\\)`));

      // One pipe: the write end at gen3's fd 4, the read end in gen2.
      const pipe = stepText(text, 7);
      const pipeInode = /gen3 +4 +FIFO .* w +- +(\d+)/.exec(pipe)?.[1];
      expect(pipe).toMatch(new RegExp(`gen2 +\\d+ +FIFO .* r,nonblock +- +${pipeInode} .*\\(read end\\)`));

      // The two orders under the same load: timeouts with endless's, none with the module's.
      const order = stepText(text, 10);
      const timeouts = [...order.matchAll(/✔ .*timeout (\d+)/g)].map((m) => Number(m[1]));
      expect(timeouts[0]).toBeGreaterThan(0);
      expect(timeouts[1]).toBe(0);

      const pids = everyPid(text);
      expect(pids.length).toBeGreaterThanOrEqual(8); // stubborn, shell, sleeper, job, vparent, gen1 to gen5, broken
      expect(pids.filter(isAlive)).toEqual([]);
    }, 90_000);
  }
});

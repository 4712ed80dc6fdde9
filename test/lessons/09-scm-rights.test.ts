// Lesson 9 end to end in plain mode: every expectation must hold on this kernel. Then the log and tables
// are read back: the fd number changed on the way and the DESC letter did not; a plain recv took the
// bytes and no fd; the unlinked name gave ENOENT; child.send delivered the same description to a worker;
// and no process of the lesson (the worker included) is left.
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/09-scm-rights.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, startedPids, stepText } from '../helpers/lesson-output.js';

function letter(step: string, command: string, fd: number): string | undefined {
  return new RegExp(`^ {2}[> ] +\\d+ +${command} +${fd} +\\w+ +(\\w+) `, 'm').exec(step)?.[1];
}

describe('lesson 9: SCM_RIGHTS', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { text } = await playChecked(lesson, lang, 17);

      // One number on the way out, another on the way in; one description.
      const sent = Number(/old: sendmsg\(\d+, \{"fd", SCM_RIGHTS=\[(\d+)\]\}/.exec(text)?.[1]);
      const received = Number(/new: recvmsg\(\d+, \{"fd", SCM_RIGHTS=\[(\d+)\]\}/.exec(text)?.[1]);
      expect(received).not.toBe(sent);
      const passed = stepText(text, 3);
      expect(letter(passed, 'new', received)).toBeDefined();
      expect(letter(passed, 'new', received)).toBe(letter(passed, 'old', sent));

      // The second message, read with recv: two bytes, and the table of new gains no listener row.
      expect(text).toMatch(/new: recv\(\d+, "fd", 4096, MSG_DONTWAIT\) = 2/);
      expect(stepText(text, 4).match(/\(LISTEN\)$/gm)?.length).toBe(1);

      expect(text).toMatch(/late: connect\(\d+, "handover-\d+\.sock"\) = -1 ENOENT/);
      expect(text).toMatch(/recvmsg\(3, \{.*NODE_HANDLE.*SCM_RIGHTS=\[\d+\]\}, MSG_CMSG_CLOEXEC\)/);

      const pids = startedPids(text);
      expect(pids.length).toBe(4); // old, new, late, and the worker new forked
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

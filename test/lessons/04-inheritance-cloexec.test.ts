// Lesson 4 end to end in plain mode: every expectation must hold on this kernel. Then the log and the
// tables are read back as the learner sees them: the fd without FD_CLOEXEC reached sleep at its own
// number, listed fds were dup2'd to 3 and 4 in order, the wrapper's sleep carries its own pid in
// LISTEN_PID; and no process of the lesson (four sleeps included) is left.
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/04-inheritance-cloexec.js';
import { isAlive } from '../helpers/process.js';
import { playChecked } from '../helpers/lesson-output.js';

/** Every table row: pid, command, fd, FD FLAGS. */
function tableRows(text: string) {
  return [...text.matchAll(/^ {2}[> ] +(\d+) +([\w-]+) +(\d+) +\S+ +\S+ +(cloexec|-) /gm)].map((m) => ({
    pid: Number(m[1]),
    command: m[2],
    fd: Number(m[3]),
    cloexec: m[4] === 'cloexec',
  }));
}

describe('lesson 4: inheritance and close-on-exec', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { text } = await playChecked(lesson, lang, 17);

      const rows = tableRows(text);
      // The dup (no FD_CLOEXEC) reached sleep at its own number; the listener it was made from did not.
      const [, listener, leaked] = text.match(/parent: dup\((\d+)\) = (\d+)/)!.map(Number);
      const sleeper = rows.filter((r) => r.command === 'sleeper');
      expect(sleeper.map((r) => r.fd)).toContain(leaked);
      expect(sleeper.map((r) => r.fd)).not.toContain(listener);
      // Listed fds: dup2'd into 3 and 4 in the order given, and close-on-exec again in the Node child.
      expect(text).toMatch(new RegExp(`dup2\\(${listener}, 3\\) = 3 \\(by libuv\\)\\n.*dup2\\(\\d+, 4\\) = 4`));
      const inherited = rows.filter((r) => r.command === 'heir' && (r.fd === 3 || r.fd === 4));
      expect(inherited.length).toBeGreaterThanOrEqual(2);
      expect(inherited.every((r) => r.cloexec)).toBe(true);
      expect(rows.some((r) => r.command === 'grandchild')).toBe(false);
      // The forwarded environment reached the helper; LISTEN_PID matched only the wrapper's own pid.
      expect(text).toMatch(/helper: getenv\("LISTEN_FDS"\) = "2"/);
      const activated = rows.find((r) => r.command === 'activated')!.pid;
      const sidecar = rows.find((r) => r.command === 'sidecar')!.pid;
      expect(text).toContain(`pid ${activated}: HOT_RESTART=(unset) LISTEN_FDS=1 LISTEN_PID=${activated}`);
      expect(text).toContain(`pid ${sidecar}: HOT_RESTART=(unset) LISTEN_FDS=1 LISTEN_PID=${activated}`);

      // parent, sleeper, heir, grandchild, helper, activated, sidecar (the grandchild shows in the log only)
      const forked = [...text.matchAll(/fork\(\) = (\d+)/g)].map((m) => Number(m[1]));
      const pids = [...new Set([...rows.map((r) => r.pid), ...forked])];
      expect(pids.length).toBe(7);
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

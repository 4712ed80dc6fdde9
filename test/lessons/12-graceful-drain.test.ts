// Lesson 12 end to end in plain mode: every expectation must hold on this kernel. Then the printed output is
// read back for the lesson's claims: shutdown() took the listener away from the process that never called
// it while close() did not; closing idle keep-alive connections lost requests and handing them over lost
// none; the handed-over connection's server end is the same socket in the next generation; the request
// slower than the deadline was cut. Afterwards no process of the lesson is left.
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/12-graceful-drain.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, startedPids, stepText } from '../helpers/lesson-output.js';

function everyPid(text: string): number[] {
  return [...startedPids(text), ...[...text.matchAll(/as pid (\d+)/g)].map((m) => Number(m[1]))];
}

describe('lesson 12: graceful drain', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { result, text } = await playChecked(lesson, lang, 26);
      // The real Go step's 4 checks are skipped where go is not installed.
      expect(result.checks + result.skipped).toBe(26);
      // shutdown(SHUT_RD) sent nothing: the client's send succeeded and the bytes were still read.
      expect(stepText(text, 9)).toMatch(/shutdown\(\d+, SHUT_RD\) = 0[\s\S]*send\(\d+, "GET /);

      const stop = stepText(text, 1);
      expect(stop).toMatch(/new +3 +TCP .*\(LISTEN\)/);
      expect(stop).not.toMatch(/new +4 +TCP .*\(LISTEN\)/);
      expect(stop).toMatch(/shutdown\(\d+, SHUT_RD\) = 0/);

      // Closing idle connections: resets counted. Handing them over: none, and the same socket moved on.
      expect(Number(/✔ .*reset (\d+)/.exec(stepText(text, 2))?.[1])).toBeGreaterThan(0);
      const handover = stepText(text, 3);
      expect(Number(/✔ .*reset (\d+)/.exec(handover)?.[1])).toBe(0);
      const [, before, after] = /gen2 (\d+) → gen3 fd \d+ (\d+)/.exec(handover) ?? [];
      expect(before).toBeDefined();
      expect(after).toBe(before);

      expect(stepText(text, 6)).toMatch(/1 cut off at the deadline/);

      // The real Go server (where go is installed): Serve returned ErrServerClosed before the slow answer,
      // which said Connection: close.
      const go = stepText(text, 7);
      if (!/go is not on PATH/.test(go)) {
        expect(go).toMatch(/Serve returned: http: Server closed \(errors\.Is ErrServerClosed: true\)[\s\S]*GET \/slow\?ms=\d+ → 200, Connection: close[\s\S]*Shutdown returned/);
      }
      // GOAWAY named the slow stream, the one answered last.
      const goAway = stepText(text, 10);
      const last = /GOAWAY \(error code 0, last stream (\d+)\)/.exec(goAway)?.[1];
      expect(goAway).toMatch(new RegExp(`GET /slow\\?ms=\\d+ → stream ${last}: 200`));

      const pids = everyPid(text);
      expect(pids.length).toBeGreaterThanOrEqual(9); // old, new, shell, client, gen1 to gen5, launcher
      expect(pids.filter(isAlive)).toEqual([]);
    }, 90_000);
  }
});

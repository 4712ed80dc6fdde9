// Lesson 18 end to end in plain mode, in each language: every expectation must hold on this kernel. Then
// what the learner saw is read back: in step 2's table gen2's fd 3 and gen1's http listener share a DESC
// letter and an inode while gen2's admin listener has a letter of its own; the load lines of the four
// upgrade attempts counted no failure; the two refusals say why (state format, EADDRINUSE); the module
// logged closing the unclaimed admin listener, and the idle admin connection was answered by gen2 rather
// than handed to gen3; and no process of any version is left.
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/18-version-skew.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, startedPids, stepText } from '../helpers/lesson-output.js';

interface Row {
  pid: number;
  name: string;
  fd: number;
  desc: string;
  inode: number;
  address: string;
}

/** The LISTEN rows of a printed table. */
function listenRows(step: string): Row[] {
  return [...step.matchAll(/^ {2}>? *(\d+) +(\S+) +(\d+) +TCP +(\w+) +\S+ +\S+ +\S+ +(\d+) +\d+\/\d+ +(127\.0\.0\.1:\d+) \(LISTEN\)$/gm)].map((m) => ({
    pid: Number(m[1]),
    name: m[2],
    fd: Number(m[3]),
    desc: m[4],
    inode: Number(m[5]),
    address: m[6],
  }));
}

describe('lesson 18: version skew', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { text } = await playChecked(lesson, lang, 27);

      // Step 2: one description for http in gen1 and gen2, a new one for admin in gen2 only.
      const held = listenRows(stepText(text, 2));
      const gen1 = held.filter((row) => row.name === 'gen1');
      const gen2 = held.filter((row) => row.name === 'gen2');
      expect(gen1).toHaveLength(1);
      expect(gen2).toHaveLength(2);
      const http2 = gen2.find((row) => row.fd === 3)!;
      const admin2 = gen2.find((row) => row.fd !== 3)!;
      expect(http2).toMatchObject({ desc: gen1[0].desc, inode: gen1[0].inode, address: gen1[0].address });
      expect(admin2.desc).not.toBe(gen1[0].desc);
      expect(admin2.address).not.toBe(gen1[0].address);

      // Step 6: gen3 alone, on the first socket, without the admin port.
      const after = listenRows(stepText(text, 6));
      expect(after.map((row) => [row.name, row.fd, row.inode])).toEqual([['gen3', 3, gen1[0].inode]]);

      // Step 7's table: gen4 (v2 again) on the first socket, and admin on a socket of its own.
      const rolledBack = listenRows(stepText(text, 7));
      expect(rolledBack.map((row) => row.name)).toEqual(['gen4', 'gen4']);
      expect(rolledBack.find((row) => row.fd === 3)?.inode).toBe(gen1[0].inode);
      expect(rolledBack.find((row) => row.fd !== 3)).toMatchObject({ address: admin2.address });
      expect(rolledBack.find((row) => row.fd !== 3)?.inode).not.toBe(admin2.inode);

      // The five attempts' final load lines (with their per-version tallies): nothing failed.
      const finals = [...text.matchAll(/ok (\d+) · refused (\d+) · reset (\d+) · timeout (\d+) · \d+ (?:req\/s|请求\/秒) — (.+)$/gm)];
      expect(finals.map((m) => m[5])).toEqual([
        expect.stringMatching(/^v1: \d+, v2: \d+$/),
        expect.stringMatching(/^v2: \d+$/),
        expect.stringMatching(/v3: \d+/),
        expect.stringMatching(/v3: \d+, v2: \d+|v2: \d+, v3: \d+/),
        expect.stringMatching(/^v2: \d+$/),
      ]);
      for (const m of finals) expect(m.slice(2, 5).map(Number)).toEqual([0, 0, 0]);

      expect(text).toContain('state format 2 is unknown to v1');
      expect(text).toMatch(/cannot listen as web: EADDRINUSE/);
      expect(text).toContain('closing inherited listener admin (fd 4): nothing listened on it');
      // The idle admin connection stayed with gen2 (the module's LISTENERS line), which answered and closed it.
      expect(text).toMatch(/the successor does not listen on admin: its connections are closed here, not handed over/);
      expect(text).toMatch(/\(same connection\) → v2 admin \d+, Connection: close/);
      expect(text).not.toContain('connections handed over for admin are ended here');
      expect(text).toMatch(/upgrade failed: successor pid \d+ exited with code 1 before it was ready/);

      // The shell puppet, and every generation it or the module started: all gone.
      const pids = [...startedPids(text), ...[...held, ...after, ...rolledBack].map((row) => row.pid)];
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});

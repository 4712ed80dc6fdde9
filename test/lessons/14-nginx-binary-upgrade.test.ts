// Lesson 14 end to end in plain mode, on the real nginx: every expectation must hold. Then the printed
// tables are read back: in every step one DESC letter and one inode at fd 3 of every nginx process (six
// after USR2, the old master alone with the new ones after WINCH), the PID files as logged, the load
// lines without a failure, and afterwards no nginx process of the lesson left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/14-nginx-binary-upgrade.js';
import { findNginx, NGINX_CHOICE_ENV } from '../../src/lesson/nginx.js';
import { listenRows } from '../helpers/listen-rows.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, stepText } from '../helpers/lesson-output.js';

/** The load's closing lines: failures counted, and who answered. */
function loadLines(step: string): Array<{ failed: number; who: string }> {
  return [...step.matchAll(/load: ok (\d+) · refused (\d+) · reset (\d+) · timeout (\d+).* — (.*)$/gm)].map((m) => ({ failed: Number(m[2]) + Number(m[3]) + Number(m[4]), who: m[5] }));
}

/** Plays the lesson in `lang` and reads back what it printed (see the top of this file). */
async function playAndRead(lang: 'en' | 'zh'): Promise<string> {
  const { text } = await playChecked(lesson, lang, 15);
  const tables = [1, 2, 3, 4, 5].map((n) => listenRows(stepText(text, n)));
  // One socket from the first step to the last: every row at fd 3, one letter, one inode.
  const all = tables.flat();
  expect(all.every((row) => row.fd === 3)).toBe(true);
  expect(new Set(all.map((row) => row.desc)).size).toBe(1);
  expect(new Set(all.map((row) => row.inode)).size).toBe(1);
  expect(tables.map((rows) => rows.map((row) => row.name))).toEqual([
    ['master1', 'worker1.1', 'worker1.2'],
    ['master1', 'worker1.1', 'worker1.2', 'master2', 'worker2.1', 'worker2.2'],
    ['master1', 'master2', 'worker2.1', 'worker2.2'],
    ['master2', 'worker2.1', 'worker2.2'],
    ['master2', 'worker2.3', 'worker2.4'],
  ]);
  const pid = (name: string) => all.find((row) => row.name === name)!.pid;
  // The PID files as logged after USR2 and after the rollback.
  expect(stepText(text, 2)).toContain(`nginx.pid: ${pid('master2')} · nginx.pid.oldbin: ${pid('master1')}`);
  expect(stepText(text, 5)).toContain(`nginx.pid: ${pid('master2')} · nginx.pid.oldbin: —`);
  // The loads: nothing failed; both generations answered during USR2 and during the rollback.
  const loads = [2, 3, 4, 5].map((n) => loadLines(stepText(text, n)));
  expect(loads.flat().map((l) => l.failed)).toEqual([0, 0, 0, 0]);
  expect(loads[0][0].who).toMatch(/worker1\.\d: \d+.*worker2\.\d: \d+/);
  expect(loads[3][0].who).toMatch(/worker3\.\d: \d+.*worker2\.[34]: \d+/);
  // Nothing of it is left: every nginx process of the lesson has ended.
  expect([...new Set(all.map((row) => row.pid))].filter(isAlive)).toEqual([]);
  return text;
}

const nginx = findNginx();
const standIn = findNginx({ [NGINX_CHOICE_ENV]: 'stand-in' });

describe.skipIf(nginx?.kind !== 'nginx')("lesson 14: nginx's binary upgrade, on nginx", () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      expect(stepText(await playAndRead(lang), 1)).toContain(lang === 'en' ? 'This runs the real nginx' : '这里运行的是真正的 nginx');
    }, 60_000);
  }
});

// The same lesson on the stand-in (lessons/servers/mini-nginx.ts), once: each of its processes starts a
// Node with tsx, so it takes several times as long as nginx.
describe.skipIf(standIn === undefined)("lesson 14: nginx's binary upgrade, on the stand-in", () => {
  const before = process.env[NGINX_CHOICE_ENV];
  beforeAll(() => void (process.env[NGINX_CHOICE_ENV] = 'stand-in'));
  afterAll(() => {
    if (before === undefined) delete process.env[NGINX_CHOICE_ENV];
    else process.env[NGINX_CHOICE_ENV] = before;
  });
  it('plays in en with every expectation holding, labelled as the stand-in', async () => {
    expect(stepText(await playAndRead('en'), 1)).toContain("this runs mini-nginx, the project's own stand-in");
  }, 120_000);
});

if (nginx?.kind !== 'nginx') console.log('lesson 14: nginx is not installed, the test on nginx is skipped (apt-get install nginx-light)');
if (standIn === undefined) console.log('lesson 14: the stand-in (lessons/servers/mini-nginx.ts) is not there, the test on it is skipped');

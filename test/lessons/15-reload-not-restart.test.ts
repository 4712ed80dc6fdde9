// Lesson 15 end to end in plain mode: every expectation must hold (nginx's parts are skipped without
// nginx, the Go part without go). Then the printed tables are read back: after HUP the master and the new
// workers share the socket of before (one DESC letter, one inode); the Go and Node servers keep their fd 3
// through their reloads; SIGUSR1 gave the Node server a second listening socket on the Debugger line's
// port; and afterwards none of the lesson's processes is left.
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/15-reload-not-restart.js';
import { hasGo, sayIfNoGo } from '../helpers/go.js';
import { findNginx } from '../../src/lesson/nginx.js';
import { listenRows } from '../helpers/listen-rows.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, stepText } from '../helpers/lesson-output.js';

const hasNginx = findNginx()?.kind === 'nginx';
if (!hasNginx) console.log('lesson 15: nginx is not installed, its nginx step is checked as skipped (apt-get install nginx-light)');
sayIfNoGo('lesson 15 checks its Go step as skipped');

describe('lesson 15: reload is not restart', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { result, text } = await playChecked(lesson, lang, 4);
      expect(result.checks + result.skipped).toBe(10);
      const pids: number[] = [];

      if (hasNginx) {
        expect(result.skipped).toBe(hasGo ? 0 : 2);
        const rows = listenRows(stepText(text, 1));
        // The master of before HUP and two new workers (numbers 3 and 4), one socket: the one of before HUP.
        expect(rows.map((row) => row.name)).toEqual(['master1', 'worker1.3', 'worker1.4']);
        expect(new Set(rows.map((row) => `${row.fd} ${row.desc} ${row.inode}`)).size).toBe(1);
        expect(stepText(text, 1)).toContain(`(${lang === 'en' ? 'before HUP' : 'HUP 之前'}: ${rows[0].inode})`);
        expect(stepText(text, 1)).toMatch(/"config v2" x-pid worker1\.[34]/);
        pids.push(...rows.map((row) => row.pid));
      }

      if (hasGo) {
        const go = listenRows(stepText(text, 2));
        expect(go.map((row) => row.fd)).toEqual([3, 4]);
        expect(new Set(go.map((row) => `${row.desc} ${row.inode}`)).size).toBe(1);
        expect(stepText(text, 2)).toContain('GET / → "go v2"');
        pids.push(go[0].pid);
      }

      const before = listenRows(stepText(text, 3));
      const after = listenRows(stepText(text, 4));
      expect(before).toHaveLength(1);
      // SIGUSR1: fd 3 as it was, plus the inspector on the port its stderr announced.
      expect(after[0]).toEqual(before[0]);
      const inspectorPort = Number(/Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stepText(text, 4))?.[1]);
      expect(after.slice(1).map((row) => row.port)).toEqual([inspectorPort]);
      pids.push(before[0].pid);

      expect(pids.filter(isAlive)).toEqual([]);
    }, 90_000);
  }
});

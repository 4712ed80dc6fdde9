// Every lesson, every step, in a real 80×24 terminal (tmux): the rows the step points at are on the
// screen (marked `>`), and the columns its checks speak of are in the table's header — the size most
// terminals open with must show each step's evidence (issue 9). Lessons run three at a time.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lessons } from '../../lessons/index.js';
import { COLUMN_TITLES } from '../../src/fdtable/format.js';
import { stepColumns } from '../../src/lesson/focus.js';
import { observationAt } from '../../src/lesson/observation.js';
import { cliPath, root } from '../cli/helpers.js';
import { waitFor } from '../helpers/wait.js';

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasTmux) console.log('every-step.test.ts: skipped, tmux is not installed (it provides the 80×24 terminal)');

const socket = `hrt-steps-${randomBytes(4).toString('hex')}`;
const home = mkdtempSync(join(tmpdir(), 'hrt-steps-'));
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
  rmSync(home, { recursive: true, force: true });
});

/** Three lessons at a time: they mostly wait on real servers and timers, and the machine has few cores. */
let running = 0;
const queue: Array<() => void> = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 3) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    queue.shift()?.();
  }
}

function screenOf(session: string): string {
  return tmux('capture-pane', '-p', '-t', session);
}

describe.skipIf(!hasTmux).concurrent('every step at 80×24', () => {
  for (const lesson of lessons) {
    it(`lesson ${lesson.number}: focused rows and the step's columns are on screen`, async () => {
      await slot(async () => {
        const session = `l${lesson.number}`;
        // CI is set where CI runs, and a tutor that sees it plays plain text: this test is about the app.
        const command = `cd '${root}' && env -u CI HOTRESTART_TUTOR_HOME='${home}' LANG=C.UTF-8 '${process.execPath}' --import tsx '${cliPath}' lesson ${lesson.number}`;
        tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', command);
        const problems: string[] = [];
        try {
          for (let index = 0; index < lesson.steps.length; index++) {
            const title = `Step ${index + 1}/${lesson.steps.length}`;
            // Ran and checked: the header's `running…` is gone, and no check is still open (○) unless skipped.
            const settled = (screen: string) =>
              screen.includes(title) && !/^Lesson .*running…$/m.test(screen) && !screen.includes('(checking)') &&
              // A step that failed on a loaded machine (a load too slow) is over too: this test is about the screen.
              (screen.includes('This step failed') || !screen.split('\n').some((line) => line.startsWith('○ ') && !line.includes('skipped')));
            const show = observationAt(lesson, index);
            const hasTable = (screen: string) => !lesson.steps[index].show || /^ *PID /m.test(screen) || screen.includes('(none of these processes is running)');
            // A step without a table of its own keeps the previous one in view, as context only. A step that
            // could not run here (its checks all ○ skipped: a tool is missing) started nothing to point at.
            const ranNothing = (screen: string) => screen.includes('(none of these processes is running)') && /^○ .*skipped/m.test(screen) && !/^[✔✘] /m.test(screen);
            const wantsFocus = !!lesson.steps[index].show?.focus;
            let screen = '';
            await waitFor(() => {
              screen = screenOf(session);
              return settled(screen) && hasTable(screen) && (!wantsFocus || ranNothing(screen) || /^>/m.test(screen));
            }, { timeout: 30_000, interval: 100, message: `lesson ${lesson.number} ${title}` }).catch(() => undefined);
            if (!settled(screen)) {
              problems.push(`${title}: did not finish\n${screen}`);
              break;
            }
            if (wantsFocus && !ranNothing(screen) && !/^>/m.test(screen)) problems.push(`${title}: no focused row on screen\n${screen}`);
            const header = screen.split('\n').find((line) => /^ *PID /.test(line)) ?? '';
            const missing = show ? stepColumns(lesson, index).filter((column) => !header.includes(COLUMN_TITLES[column])) : [];
            if (header && missing.length > 0) problems.push(`${title}: columns ${missing.join(', ')} not shown\n${screen}`);
            // A key typed while the step's action still ran is refused (as for a person): type it again.
            const next = index + 1 < lesson.steps.length ? `Step ${index + 2}/${lesson.steps.length}` : 'Lesson complete';
            let typedAt = 0;
            await waitFor(() => {
              if (screenOf(session).includes(next)) return true;
              if (Date.now() - typedAt > 2500) [typedAt] = [Date.now(), tmux('send-keys', '-t', session, 'n')];
              return false;
            }, { timeout: 12_000, interval: 150, message: next }).catch(() => undefined);
          }
        } finally {
          tmux('kill-session', '-t', session);
        }
        expect(problems).toEqual([]);
      });
    }, 600_000);
  }
});

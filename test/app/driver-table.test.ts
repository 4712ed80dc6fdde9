// The lesson table after ← and →: it shows exactly the current step's processes at once (not the
// previous step's rows under the new caption), marks nothing `+` that was there all along, and keeps a
// fd the step closed on screen, struck through, while the step is shown (issue 9, lesson 9 steps 3-5).
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/demo/supervisor.js';
import { LessonDriver } from '../../src/lesson/driver.js';
import type { Lesson, Text } from '../../src/lesson/types.js';
import { waitFor } from '../helpers/wait.js';

const t = (en: string): Text => ({ en, zh: en });

const twoProcesses: Lesson<{ listenFd: number; dupFd: number }> = {
  id: 'two-processes', number: 99, chapter: t('test'), title: t('old and new'), summary: t('test'), recap: [],
  steps: [
    {
      id: 'old', title: t('old'), text: t('old listens and dups'),
      async run(ctx) {
        await ctx.start('old');
        ctx.vars.listenFd = (await ctx.call('old', { op: 'listen-node' })).result.fd;
        ctx.vars.dupFd = (await ctx.call('old', { op: 'dup', fd: ctx.vars.listenFd })).result.fd;
      },
      show: { processes: ['old'] },
    },
    {
      id: 'new', title: t('new'), text: t('new listens'),
      async run(ctx) {
        await ctx.start('new');
        await ctx.call('new', { op: 'listen-node' });
      },
      show: { processes: ['new'] },
    },
    {
      id: 'close', title: t('old closes'), text: t('old closes its dup'),
      async run(ctx) {
        await ctx.call('old', { op: 'close', fd: ctx.vars.dupFd });
      },
      show: { processes: ['old', 'new'] },
    },
  ],
};

let driver: LessonDriver | undefined;
afterEach(async () => {
  await driver?.dispose();
  driver = undefined;
});

describe('the lesson table follows the step', () => {
  it('shows the current step\'s processes after ← and →, no false +, and the closed fd struck through', async () => {
    driver = new LessonDriver({ lesson: twoProcesses, lang: 'en', startSupervisor: () => Supervisor.start(), intervalMs: 40, holdMs: 200 });
    const d = driver;
    const state = () => d.store.get();
    const pidsShown = () => new Set(state().table.watch.snapshot?.rows.map((row) => row.command));
    d.start();
    await waitFor(() => state().player.steps[0].status === 'done' && pidsShown().has('old'), { timeout: 15_000, message: 'step 1' });
    d.dispatch({ type: 'next' });
    await waitFor(() => state().player.steps[1].status === 'done' && pidsShown().has('new'), { timeout: 15_000, message: 'step 2' });
    d.dispatch({ type: 'back' });
    // At once: the table is old's, or empty until the next refresh; never new's rows under old's caption.
    expect([...pidsShown()].filter((name) => name !== 'old')).toEqual([]);
    await waitFor(() => pidsShown().has('old'), { timeout: 5000, message: 'old again' });
    d.dispatch({ type: 'next' });
    expect([...pidsShown()].filter((name) => name !== 'new')).toEqual([]);
    await waitFor(() => pidsShown().has('new'), { timeout: 5000, message: 'new again' });

    d.dispatch({ type: 'next' });
    await waitFor(() => state().player.steps[2].status === 'done', { timeout: 15_000, message: 'step 3' });
    // Long after the hold time, the closed dup is still shown, as closed; nothing old is marked new.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const changes = [...state().table.watch.changes, ...state().table.closed];
    expect(changes.filter((c) => c.change === 'appeared')).toEqual([]);
    expect(changes.filter((c) => c.change === 'vanished').map((c) => c.fd)).toEqual([expect.any(Number)]);
  }, 60_000);
});

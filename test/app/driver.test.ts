// The lesson driver on real processes (lesson 5): steps run in order, the table follows the kernel,
// a re-run replays from scratch with new processes, and a stop ends every one of them.
import { afterEach, describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/05-dup-leak.js';
import { Supervisor } from '../../src/demo/supervisor.js';
import { LessonDriver } from '../../src/lesson/driver.js';
import { isAlive } from '../helpers/process.js';
import { startedPids } from '../helpers/lesson-output.js';
import { waitFor } from '../helpers/wait.js';

let driver: LessonDriver | undefined;
afterEach(async () => {
  await driver?.dispose();
  driver = undefined;
});

describe('LessonDriver', () => {
  it('runs, re-runs from scratch and stops a demo of real processes', async () => {
    driver = new LessonDriver({ lesson, lang: 'en', startSupervisor: () => Supervisor.start(), intervalMs: 50 });
    const d = driver;
    const state = () => d.store.get();
    const logText = () => state().log.map((e) => `${e.source === 'tutor' ? '' : `${e.source}: `}${e.text}`).join('\n');
    const listening = () => state().table.watch.snapshot?.rows.some((row) => row.socket?.state === 'LISTEN');
    d.start();

    await waitFor(() => state().player.steps[0].status === 'done' && listening(), { timeout: 15_000, message: 'step 1 and a LISTEN row' });
    expect(state().player.steps[0].expectations).toEqual([expect.objectContaining({ ok: true })]);
    const [firstServer] = startedPids(logText());
    expect(state().table.focus.size).toBe(1); // the listener is pointed at

    d.dispatch({ type: 'next' });
    await waitFor(() => state().player.steps[1].status === 'done', { timeout: 10_000, message: 'step 2' });
    expect(state().ranThrough).toBe(2);
    d.dispatch({ type: 'back' });
    expect(state().player.index).toBe(0);

    // r at step 1: a new demo, step 1 again, and step 2 waits to run again when visited.
    await d.rerun();
    await waitFor(() => state().player.steps[0].status === 'done', { timeout: 15_000, message: 'step 1 re-run' });
    expect(state().player.steps[1].status).toBe('pending');
    const [secondServer] = startedPids(logText());
    expect(secondServer).not.toBe(firstServer);
    expect(isAlive(firstServer)).toBe(false);

    d.dispatch({ type: 'next' });
    await waitFor(() => state().player.steps[1].status === 'done', { timeout: 10_000, message: 'step 2 again' });
    expect(state().player.steps[1].expectations.every((e) => e.ok)).toBe(true);

    await d.stopDemo();
    expect(state().demo).toBe('stopped');
    expect(isAlive(secondServer)).toBe(false);
    expect(state().table.watch.snapshot).toBeNull();
    d.dispatch({ type: 'next' });
    expect(state().player.steps[2].status).toBe('pending'); // nothing runs on a stopped demo
    expect(d.active).toBe(false);
  }, 40_000);

  it('re-run after a stop, at a later step, runs every step up to it again on fresh processes', async () => {
    driver = new LessonDriver({ lesson, lang: 'en', startSupervisor: () => Supervisor.start(), intervalMs: 50 });
    const d = driver;
    const state = () => d.store.get();
    d.start();
    await waitFor(() => state().player.steps[0].status === 'done', { timeout: 15_000, message: 'step 1' });
    d.dispatch({ type: 'next' });
    d.dispatch({ type: 'next' }); // ignored while step 2 runs, as the player says
    await waitFor(() => state().player.steps[1].status === 'done', { timeout: 10_000, message: 'step 2' });
    d.dispatch({ type: 'next' });
    await waitFor(() => state().player.steps[2].status === 'done', { timeout: 10_000, message: 'step 3' });
    await d.stopDemo();
    await d.rerun();
    await waitFor(() => state().player.steps[2].status === 'done', { timeout: 15_000, message: 'steps 1-3 again' });
    expect(state().player.steps.slice(0, 3).flatMap((s) => s.expectations).every((e) => e.ok)).toBe(true);
    expect(state().ranThrough).toBe(3);
  }, 40_000);
});

// Keys typed faster than React renders: each reaches the screen it was typed for, and that screen's
// state as the key before left it. Ink subscribes a screen's input handler in an effect that runs
// after the frame shows (hundreds of ms later on a loaded machine), and a handler of an older render
// acts on stale state; both failed on the lesson screen before useLatestInput.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { plainPalette } from '../../src/fdtable/format.js';
import { recordRun, type Progress } from '../../src/progress/model.js';
import { App } from '../../src/ui/app/App.js';
import type { Lesson } from '../../src/lesson/types.js';
import { quietLesson, secondLesson, someProgress, withExercise } from './fixtures.js';
import { fakeSupervisor, frameWith, press, renderAt } from './screen.js';

afterEach(() => cleanup());

function appAt(lessons: Lesson[] = [quietLesson, secondLesson]) {
  let progress: Progress = someProgress();
  const record = vi.fn((run) => (progress = recordRun(progress, run, new Date(0))));
  return renderAt(
    <App
      lessons={lessons} lang="en" palette={plainPalette} progress={progress} store={{ path: '/nowhere/progress.json', record }}
      startSupervisor={async () => fakeSupervisor()} intervalMs={20}
    />,
    80, 24,
  );
}

/** Lesson 5 open, its first step run. */
async function lessonFive() {
  const view = appAt();
  await frameWith(view, 'A quiet lesson');
  await press(view, '5');
  await frameWith(view, '✔ the port is in LISTEN');
  return view;
}

describe('keys typed fast', () => {
  it('the first key after Enter opens a lesson reaches the lesson', async () => {
    const view = appAt();
    await frameWith(view, 'A quiet lesson');
    // The cursor is on lesson 6; Enter opens it, and ? asks for its help as soon as its screen shows,
    // before that screen's passive effects ran (typed in the same read as Enter, ? may still reach the
    // menu: a person cannot see the screen change that fast, and the test must not depend on render speed).
    await press(view, '\r');
    await frameWith(view, /Step 1\//);
    await press(view, '?');
    const help = await frameWith(view, 'Keys (? or Esc closes this)');
    expect(help).toMatch(/^ +Enter +next step, like →/m);
  });

  it('the first key after Enter opens an exercise reaches the exercise', async () => {
    const view = appAt([withExercise, secondLesson]);
    await frameWith(view, 'A quiet lesson');
    await press(view, '\x1b[B', '\r');
    await frameWith(view, 'No workspace yet at');
    await press(view, '?');
    await frameWith(view, 'verify the workspace now');
  });

  it('z then q in one read: q closes the zoom z opened, and does not leave the lesson', async () => {
    const view = await lessonFive();
    // ? after them: its help shows once both were handled, the lesson's help if q did not leave.
    await press(view, 'zq?');
    const help = await frameWith(view, 'Keys (? or Esc closes this)');
    expect(help).toMatch(/^ +Enter +next step, like →/m);
    await press(view, '\x1b');
    const step = await frameWith(view, 'Step 1/3');
    expect(step).toContain('✔ the port is in LISTEN');
  });

  it('n n n typed at once walk three steps: each n meets the step the one before opened', async () => {
    const view = await lessonFive();
    await press(view, 'nnn');
    await frameWith(view, 'Lesson complete');
  });
});

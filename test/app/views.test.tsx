// The app in a fake 80×24 terminal: the menu with its marks, opening a lesson, the quiz, the help
// overlay, the summary and the progress it saves, Ctrl-C, and the sentence for a terminal too small.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { plainPalette } from '../../src/fdtable/format.js';
import { recordRun, type Progress } from '../../src/progress/model.js';
import { App, type AppProps } from '../../src/ui/app/App.js';
import { layoutLesson } from '../../src/ui/app/lesson-layout.js';
import { LessonView } from '../../src/ui/app/views.js';
import { play, quietLesson, ranFirstStep, secondLesson, someProgress } from './fixtures.js';
import { fakeSupervisor, frameWith, masked, plain, press, renderAt, waitFor } from './screen.js';

afterEach(() => cleanup());

function appAt(columns: number, rows: number, props: Partial<AppProps> = {}) {
  let progress: Progress = props.progress ?? someProgress();
  const record = vi.fn((run) => (progress = recordRun(progress, run, new Date(0))));
  const supervisor = fakeSupervisor();
  const view = renderAt(
    <App
      lessons={[quietLesson, secondLesson]} lang="en" palette={plainPalette} progress={progress} store={{ path: '/nowhere/progress.json', record }}
      startSupervisor={async () => supervisor} intervalMs={20} {...props}
    />,
    columns, rows,
  );
  return { view, record, supervisor };
}

const lineCount = (frame: string) => frame.split('\n').length;

describe('menu', () => {
  it('lists the lessons by chapter with their marks and fits 80×24', async () => {
    const { view } = appAt(80, 24);
    const frame = await frameWith(view, 'A quiet lesson');
    expect(frame).toContain('Chapter 1 · Foundations');
    // The cursor starts on the first lesson not done yet.
    expect(frame).toMatch(/^ {3}5 {2}✔ done {8}A quiet lesson$/m);
    expect(frame).toMatch(/^▶ {2}6 {2}◐ started 1\/1 Another lesson$/m);
    expect(frame).toContain('  Nothing runs; everything is shown.');
    expect(frame).toMatch(/↑↓ choose · enter open · 1-6 lesson · l 中文 · \? help · q quit$/);
    expect(lineCount(frame)).toBeLessThanOrEqual(23);
  });

  it('moves with the arrows, switches to Chinese, shows and hides the help', async () => {
    const { view } = appAt(80, 24);
    await frameWith(view, 'A quiet lesson');
    await press(view, '\x1b[B');
    await frameWith(view, /^▶ {2}5/m, 'the first lesson selected (the menu wraps around)');
    await press(view, 'l');
    await frameWith(view, '另一节课');
    await press(view, '?');
    const help = await frameWith(view, '按键（按 ? 或 Esc 关闭）');
    expect(help).toContain('打开第 N 课');
    await press(view, '?');
    await frameWith(view, '第一章 · 基础');
  });

  it('asks for a larger terminal in one sentence, and recovers when resized', async () => {
    const { view } = appAt(70, 20);
    expect(await frameWith(view, 'Please make')).toBe('Please make the terminal at least 80×24 (it is 70×20 now); q quits.');
    view.resize(80, 24);
    await frameWith(view, 'A quiet lesson');
  });
});

describe('a lesson', () => {
  it('runs the steps, takes a quiz answer, and records the lesson done at the end', async () => {
    const { view, record } = appAt(80, 24, { progress: { schema: 'hotrestart-tutor/progress', version: 1, lessons: {} } });
    await frameWith(view, 'A quiet lesson');
    await press(view, '5');
    const first = await frameWith(view, '✔ the port is in LISTEN');
    expect(first).toMatch(/^Lesson 5 · Step 1\/3 · Listen/);
    expect(first).toContain('── fd table · server ──');
    expect(first).toContain('(none of these processes is running)');
    expect(lineCount(first)).toBeLessThanOrEqual(23);
    // Only keys that act now: no ← on step 1, the quiz keys while it is unanswered, h as there is a hint.
    expect(first.split('\n').at(-1)).toMatch(/^→ next · 1-3 answer · h hint · /);
    expect(first.split('\n').at(-1)).not.toContain('← back');
    await press(view, '1');
    const answered = await frameWith(view, '✔ Correct. Answer: 1) One');
    expect(answered.split('\n').at(-1)).not.toContain('answer');
    await press(view, 'n');
    const second = await frameWith(view, '✘ fails');
    expect(second).toContain('✔ holds');
    await press(view, 'n', 'n');
    const summary = await frameWith(view, 'Lesson complete');
    expect(summary).toContain('Lesson complete: 2 of 3 checks held.');
    expect(summary).toContain('Quiz: 1 of 1 right.');
    expect(summary).toContain('Not marked done yet');
    expect(record).toHaveBeenLastCalledWith(expect.objectContaining({ lessonId: 'quiet', complete: false, reached: 3, checks: 3, held: 2, correct: 1 }));
    await press(view, 'q');
    await frameWith(view, /◐ started 3\/3 A quiet lesson/, 'the menu with the new mark');
  });

  it('from the summary: r starts again at step 1 with the quiz unanswered, → opens the next lesson', async () => {
    const { view } = appAt(80, 24, { progress: { schema: 'hotrestart-tutor/progress', version: 1, lessons: {} } });
    await frameWith(view, 'A quiet lesson');
    await press(view, '5');
    await frameWith(view, '✔ the port is in LISTEN');
    await press(view, '2');
    await frameWith(view, '✘ Not quite');
    await press(view, 'n');
    await frameWith(view, '✘ fails');
    await press(view, 'n', 'n');
    await frameWith(view, 'Lesson complete');
    await press(view, 'r');
    const again = await frameWith(view, /Step 1\/3[\s\S]*\(press 1-3\)/, 'step 1 with the quiz open');
    expect(again).not.toContain('Not quite');
    await press(view, 'n', 'n', 'n');
    await frameWith(view, 'Lesson complete');
    await press(view, '\x1b[C');
    await frameWith(view, /^Lesson 6 · Step 1\/1/m, 'the next lesson');
  });

  it('z shows the table alone, Esc brings the step back before it leaves the lesson', async () => {
    const { view } = appAt(80, 24);
    await frameWith(view, 'A quiet lesson');
    await press(view, '5');
    await frameWith(view, '✔ the port is in LISTEN');
    await press(view, 'z');
    const zoomed = await frameWith(view, 'z back');
    expect(zoomed).not.toContain('✔ the port is in LISTEN');
    await press(view, '\x1b');
    await frameWith(view, '✔ the port is in LISTEN');
    await press(view, '\x1b');
    await frameWith(view, 'Chapter 1 · Foundations');
  });

  it('opens lesson 13 from the menu with two digits', async () => {
    const thirteen = { ...secondLesson, id: 'thirteen', number: 13, title: { en: 'Lesson thirteen', zh: '第十三课' } };
    const one = { ...secondLesson, id: 'one', number: 1, title: { en: 'Lesson one', zh: '第一课' } };
    const { view } = appAt(80, 24, { lessons: [one, quietLesson, thirteen] });
    await frameWith(view, 'Lesson thirteen');
    await press(view, '1', '3');
    await frameWith(view, /^Lesson 13 · Step 1\/1/m, 'lesson 13 open');
  });

  it('keeps teaching when progress cannot be saved, and says so in the menu', async () => {
    const record = vi.fn(() => {
      throw new Error('ENOSPC: no space left on device');
    });
    const { view } = appAt(80, 24, { store: { path: '/full/progress.json', record } });
    await frameWith(view, 'A quiet lesson');
    await press(view, '5');
    await frameWith(view, '✔ the port is in LISTEN');
    await press(view, 'q');
    await frameWith(view, /Progress could not be saved in \/full\/progress\.json: ENOSPC: no space left on\s+device/);
  });

  it('shows the help over the lesson and closes it with Esc', async () => {
    const { view } = appAt(80, 24);
    await frameWith(view, 'A quiet lesson');
    await press(view, '5');
    await frameWith(view, '✔ the port is in LISTEN'); // the step ran: the screen's keys are listening
    await press(view, '?');
    const help = await frameWith(view, 'Keys (? or Esc closes this)');
    expect(help).toMatch(/Ctrl-C +stop the running demo; a second Ctrl-C quits/);
    expect(help).toMatch(/^ +Enter +next step, like →/m);
    for (const key of ['Tab', 'z', 'e', '←  b', 'h', '1-9', 'l', 'q  Esc']) expect(help).toMatch(new RegExp(`^  ${key.replace(/[?]/g, '\\?')} `, 'm'));
    await press(view, '\x1b');
    await frameWith(view, 'Step 1/3');
  });

  it('stops the demo at the first Ctrl-C and quits at the second', async () => {
    const onQuit = vi.fn();
    const { view, supervisor } = appAt(80, 24, { onQuit });
    await frameWith(view, 'A quiet lesson');
    await press(view, '5');
    await frameWith(view, '✔ the port is in LISTEN');
    await press(view, '\x03');
    await frameWith(view, 'Demo stopped: its processes have ended.');
    expect(supervisor.stop).toHaveBeenCalled();
    expect(onQuit).not.toHaveBeenCalled();
    await press(view, '\x03');
    await waitFor(() => onQuit.mock.calls.length === 1, 'quit');
  });

  it('keeps the demo when the terminal shrinks, and shows the lesson again when it grows', async () => {
    const { view, supervisor } = appAt(80, 24);
    await frameWith(view, 'A quiet lesson');
    await press(view, '5');
    await frameWith(view, '✔ the port is in LISTEN');
    view.resize(60, 24);
    await frameWith(view, 'Please make the terminal at least 80×24 (it is 60×24 now)');
    view.resize(120, 30);
    const wide = await frameWith(view, 'Step 1/3');
    expect(supervisor.stop).not.toHaveBeenCalled();
    expect(lineCount(wide)).toBeLessThanOrEqual(29);
  });
});

describe('LessonView', () => {
  it('shows a wrong answer with the right one and its explanation, and the fd table with pids masked', () => {
    const state = play(ranFirstStep(), { type: 'answer', choice: 1 });
    const view = renderAt(<LessonView screen={layoutLesson(quietLesson, state, 80, 23, plainPalette)} />, 80, 24);
    const frame = masked(view.lastFrame());
    expect(frame).toContain('✘ Not quite. Answer: 9) One');
    expect(frame).toContain('dup copies the fd, not the socket.');
    expect(frame).toMatch(/^> +9999 +99 +TCP +Z +cloexec +rw,nonblock +9\/999 +999\.9\.9\.9:99999 \(LISTEN\)$/m);
    expect(frame).toContain("── fd table · server · 99 of Node's own fds hidden ──");
    expect(lineCount(plain(view.lastFrame()))).toBeLessThanOrEqual(23);
  });
});


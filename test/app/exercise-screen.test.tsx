// The exercise screen in the app at 80×24: the menu's cursor reaches the exercises, Enter opens one
// (its README in English and Chinese), Esc goes back; v runs the real verifier on exercise 1's starter
// (real processes: a starter must fail) and Esc stops a verify with every process it started ended.
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { plainPalette } from '../../src/fdtable/format.js';
import { loadExercises } from '../../src/exercise/registry.js';
import { findGo } from '../../src/exercise/build.js';
import { createWorkspace, readWorkspaceMeta, WORKSPACE_META } from '../../src/exercise/workspace.js';
import { recordRun, type Progress } from '../../src/progress/model.js';
import { App, type AppProps } from '../../src/ui/app/App.js';
import { secondLesson, someProgress, withExercise } from './fixtures.js';
import { fakeSupervisor, frameWith, plain, press, renderAt, waitFor, type Screen } from './screen.js';
import { cellWidth } from '../../src/text/wrap.js';

afterEach(() => cleanup());

const root = mkdtempSync(join(tmpdir(), 'hrt-app-exercise-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function appAt(props: Partial<AppProps> = {}) {
  let progress: Progress = someProgress();
  const record = vi.fn((run) => (progress = recordRun(progress, run, new Date(0))));
  const change = vi.fn((fn: (p: Progress) => Progress) => (progress = fn(progress)));
  const view = renderAt(
    <App
      lessons={[withExercise, secondLesson]} lang="en" palette={plainPalette} progress={progress} store={{ path: '/nowhere/progress.json', record, change }}
      startSupervisor={async () => fakeSupervisor()} intervalMs={20} exerciseRoot={root} {...props}
    />,
    80, 24,
  );
  return { view, change, progress: () => progress };
}

const lineCount = (frame: string) => frame.split('\n').length;

/** Waits longer than frameWith: a verify runs real processes. */
const frameWithin = (view: Screen, text: string | RegExp, ms: number) =>
  waitFor(() => {
    const frame = plain(view.lastFrame());
    return (typeof text === 'string' ? frame.includes(text) : text.test(frame)) && frame;
  }, String(text), ms);

/** Pids of the processes whose working directory is `dir` (the learner's program runs in its workspace). */
function processesIn(dir: string): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === dir;
    } catch {
      return false;
    }
  });
}

async function openExercise(view: Screen): Promise<void> {
  await frameWith(view, 'A quiet lesson');
  // Lessons 5 and 6 share the chapter; its exercise comes after them. The cursor starts on lesson 6.
  await press(view, '\x1b[B');
  await frameWith(view, /^▶ex1 {2}· not yet {5}Close the dup$/m, 'the exercise chosen by the cursor');
  await press(view, '\r');
}

describe('exercise screen', () => {
  it('is reached by the cursor, shows the README in English and Chinese at 80×24, and Esc returns', async () => {
    const { view } = appAt();
    await frameWith(view, 'A quiet lesson');
    const menu = await frameWith(view, 'ex1');
    expect(menu).toMatch(/^ ex1 {2}· not yet/m);
    await openExercise(view);
    // The README's own first paragraph: the exercise and its task are loaded.
    const en = await frameWithin(view, 'Builds on lesson 5', 10_000);
    expect(en.split('\n')[0]).toBe('Exercise 1 · Close the dup');
    expect(en).toContain('hotrestart-tutor exercise start 1 [--code node|go]');
    expect(en).toContain('Languages: Node, Go');
    expect(en).toContain('Not verified yet');
    expect(en).toMatch(/v verify · h hint · l 中文 · \? help · q back$/);
    expect(lineCount(en)).toBeLessThanOrEqual(23);
    for (const line of en.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    await press(view, 'l');
    const zh = await frameWith(view, '基于第 5 课');
    expect(zh.split('\n')[0]).toBe('练习 1 · 关掉 dup 出来的 fd');
    expect(zh).toContain('语言：Node、Go');
    expect(lineCount(zh)).toBeLessThanOrEqual(23);
    await press(view, 'l', 'h');
    await frameWith(view, 'Hint 1 of');
    await press(view, 'h');
    await frameWith(view, 'Hint 2 of');
    await press(view, '?');
    await frameWith(view, 'verify the workspace now');
    await press(view, '?', '\x1b');
    await frameWith(view, /^▶ex1/m, 'back in the menu on the exercise');
  });

  it('v verifies the starter of exercise 1 with the real verifier: ✘, recorded, shown in the menu', async () => {
    const exercise = (await loadExercises()).find((candidate) => candidate.id === 'close-dup')!;
    const workspace = join(root, exercise.folder);
    await createWorkspace(exercise, 'node', 'starter', workspace);
    const { view, change, progress } = appAt();
    await openExercise(view);
    await frameWith(view, `Workspace (node): ${workspace}`);
    await press(view, 'v');
    const done = await frameWithin(view, /^✘ not yet: \d of 5 checks failed/m, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}; the screen:\n${plain(view.lastFrame())}`);
    });
    expect(done).toMatch(/^✔ the server answers GET \/ on its 127.0.0.1 listener$/m);
    expect(done).toMatch(/^✘ once the helper runs, exactly one fd refers to the listening socket$/m);
    expect(lineCount(done)).toBeLessThanOrEqual(23);
    expect(change).toHaveBeenCalled();
    expect(progress().exercises?.['close-dup']).toMatchObject({ status: 'attempted', attempts: 1, last: { passed: false } });
    expect(processesIn(workspace)).toEqual([]);
    await press(view, 'q');
    await frameWith(view, /^▶ex1 {2}◐ attempted/m, 'the menu marks the exercise attempted');
    // Back in the screen, the last verify comes from the progress, ✘ per failed check.
    await press(view, '\r');
    const last = await frameWith(view, /^✘ once the helper runs/m, 'the stored ✘ of the failed check');
    expect(last).toMatch(/^Last verify \d{4}-\d\d-\d\d \d\d:\d\d \(node\): ✘ \d of 5 checks failed$/m);
    expect(last).toMatch(/^✔ the server answers GET \//m);
  }, 60_000);

  it('Esc stops a running verify: every process it started ends, nothing is recorded', async () => {
    const exercise = (await loadExercises()).find((candidate) => candidate.id === 'close-dup')!;
    const workspace = join(root, exercise.folder);
    const { view, change } = appAt();
    await openExercise(view);
    await frameWith(view, `Workspace (node): ${workspace}`);
    await press(view, 'v');
    await frameWithin(view, 'Verifying', 5_000).catch((error: Error) => {
      throw new Error(`${error.message}; the screen:\n${plain(view.lastFrame())}`);
    });
    // Wait until the learner's program really runs, then stop it.
    await waitFor(() => processesIn(workspace).length > 0, 'the program to start', 10_000);
    await press(view, '\x1b');
    await frameWithin(view, 'Verify stopped', 10_000);
    for (const pid of processesIn(workspace)) console.log('LEFT', pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), readFileSync(`/proc/${pid}/stat`, 'utf8'));
    expect(processesIn(workspace)).toEqual([]);
    expect(change).not.toHaveBeenCalled();
    // Esc again, with nothing running, leaves.
    await press(view, '\x1b');
    await frameWith(view, /^▶ex1/m, 'back in the menu');
    // q during a verify leaves at once; the verify is stopped behind the screen and its processes end.
    await press(view, '\r');
    await frameWith(view, `Workspace (node): ${workspace}`);
    await press(view, 'v');
    await waitFor(() => processesIn(workspace).length > 0, 'the program to start again', 10_000);
    await press(view, 'q');
    await frameWith(view, /^▶ex1/m, 'back in the menu during the verify');
    await waitFor(() => processesIn(workspace).length === 0, 'every process of the stopped verify to end', 10_000);
    expect(change).not.toHaveBeenCalled();
  }, 30_000);
});

/** A frame's text with its wrapped lines joined, as one reads a sentence that wraps. */
const joined = (frame: string, lang: 'en' | 'zh' = 'en') => frame.split('\n').join(lang === 'en' ? ' ' : '').replace(/ +/g, ' ');

function expectFits(frame: string): void {
  expect(lineCount(frame)).toBeLessThanOrEqual(23);
  for (const line of frame.split('\n')) expect(cellWidth(line)).toBeLessThanOrEqual(80);
}

describe('starting a workspace from the exercise screen', () => {
  // Each test its own folder of workspaces, removed at its end.
  const roots: string[] = [];
  const freshRoot = () => roots[roots.push(mkdtempSync(join(tmpdir(), 'hrt-app-start-'))) - 1];
  afterEach(() => {
    for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('s creates the Node workspace exercise start would, says what to do next, and never writes over it again', async () => {
    const exercise = (await loadExercises()).find((candidate) => candidate.id === 'close-dup')!;
    const startRoot = freshRoot();
    const dir = join(startRoot, exercise.folder);
    const { view } = appAt({ exerciseRoot: startRoot });
    await openExercise(view);
    const before = await frameWithin(view, 'No workspace yet', 10_000);
    expect(joined(before)).toContain(`No workspace yet at ${dir}: s creates it (Node), S in Go.`);
    expect(before).toMatch(/s start · v verify · h hint · l 中文 · \? help · q back$/);
    await press(view, 's');
    const created = await frameWith(view, `Workspace (node): ${dir}`);
    expectFits(created);
    // The files `hotrestart-tutor exercise start 1` writes, byte for byte (but the creation time).
    const reference = join(startRoot, 'reference');
    await createWorkspace(exercise, 'node', 'starter', reference);
    expect(readdirSync(dir).sort()).toEqual(readdirSync(reference).sort());
    for (const file of readdirSync(reference).filter((name) => name !== WORKSPACE_META)) {
      expect(readFileSync(join(dir, file), 'utf8'), file).toBe(readFileSync(join(reference, file), 'utf8'));
    }
    expect(readWorkspaceMeta(dir)).toMatchObject({ exercise: exercise.folder, code: 'node' });
    const said = joined(created);
    for (const file of readdirSync(reference).filter((name) => !name.startsWith('.'))) expect(said).toContain(file);
    expect(said).toMatch(/Created with .*\. Next: do the TODO there \(README\.md says what\), then press v to verify\./);
    expect(created).toMatch(/↑↓ scroll · v verify · h hint/);
    expect(created).toContain('Not verified yet: v verifies the workspace.');
    await press(view, '?');
    const help = await frameWith(view, /^ {2}s {2}S +create the workspace, as hotrestart-tutor exercise start does/m, 'the help on s and S');
    expectFits(help);
    await press(view, '?');
    await press(view, 'l');
    const zh = await frameWith(view, '已创建');
    expectFits(zh);
    expect(joined(zh, 'zh')).toContain('然后按 v 验证');
    await press(view, 'l');
    await frameWith(view, 'Created with');
    // The learner's work is never overwritten: a second s says so in one line.
    writeFileSync(join(dir, 'server.mjs'), '// mine\n');
    await press(view, 's');
    const exists = await frameWith(view, /^That folder already exists: it is left as it is\.$/m, 'the one line saying it exists');
    expectFits(exists);
    expect(readFileSync(join(dir, 'server.mjs'), 'utf8')).toBe('// mine\n');
  }, 20_000);

  it('S creates a Go workspace when go is on PATH; without go it says what to install and creates nothing', async () => {
    const exercise = (await loadExercises()).find((candidate) => candidate.id === 'close-dup')!;
    const startRoot = freshRoot();
    const dir = join(startRoot, exercise.folder);
    const noGo = appAt({ exerciseRoot: startRoot, env: { ...process.env, PATH: startRoot } });
    await openExercise(noGo.view);
    await frameWithin(noGo.view, 'No workspace yet', 10_000);
    await press(noGo.view, 'S');
    const said = await frameWith(noGo.view, 'Go exercises need the Go toolchain');
    expectFits(said);
    expect(existsSync(dir)).toBe(false);
    cleanup();
    if (!findGo(process.env)) return void console.log('skipped: S making a Go workspace (no go command on PATH)');
    const { view } = appAt({ exerciseRoot: startRoot });
    await openExercise(view);
    await frameWithin(view, 'No workspace yet', 10_000);
    await press(view, 'S');
    expectFits(await frameWith(view, `Workspace (go): ${dir}`));
    expect(readWorkspaceMeta(dir)).toMatchObject({ exercise: exercise.folder, code: 'go' });
    expect(readdirSync(dir)).toContain('go.mod');
    expect(readdirSync(dir).some((name) => name.endsWith('.go'))).toBe(true);
  }, 20_000);
});

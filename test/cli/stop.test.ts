// A plain lesson stopped by a signal: one line says so and nothing else is printed; whatever the moment,
// nothing of the run is left (processes, listeners, run directory).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, cliPath, lineReader, root } from './helpers.js';
import { hasGo, sayIfNoGo } from '../helpers/go.js';
import { countLeftovers, isClean, pidsNaming, takeBaseline, taggedPids, type Leftovers } from '../helpers/leftovers.js';
import { waitFor } from '../helpers/wait.js';

const TAG = 'HRT_TEST_TAG';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts `lesson N --plain` with a private TMPDIR and a tag every process of the run inherits. */
function startLesson(lesson: number, extraEnv: Record<string, string> = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'hrt-stop-'));
  dirs.push(tmp);
  const tag = randomBytes(6).toString('hex');
  const child = execa(process.execPath, ['--import', 'tsx', cliPath, 'lesson', String(lesson), '--plain'], {
    reject: false, stdin: 'ignore', cwd: root, extendEnv: false, timeout: 120_000,
    env: cleanEnv({ TMPDIR: tmp, [TAG]: tag, ...extraEnv }),
  });
  return { child, tmp, tag };
}

async function expectNothingLeft(baseline: ReturnType<typeof takeBaseline>, tag: string, tmp: string): Promise<void> {
  let last: Leftovers | undefined;
  const clean = await waitFor(() => isClean((last = countLeftovers(baseline, TAG, tag, tmp))), { timeout: 2000, interval: 50 }).catch(() => false);
  expect(clean ? null : last).toBeNull();
}

describe('a plain lesson stopped by a signal', () => {
  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('after %s prints one line saying so, and nothing after it', async (signal, code) => {
    const baseline = takeBaseline();
    const { child, tmp, tag } = startLesson(5);
    const next = lineReader(child.stdout!);
    while (!(await next()).startsWith('── Step 2/')) { /* read on */ }
    child.kill(signal);
    const result = await child;
    expect(result.exitCode).toBe(code);
    const after = result.stdout.slice(result.stdout.indexOf('── Step 2/'));
    const lines = after.split('\n').filter((line) => line.trim() !== '');
    expect(lines.at(-1)).toBe(`Lesson 5 was stopped (${signal}); its processes were ended.`);
    expect(after).not.toMatch(/This step failed|expectations held|Every expectation held|did not hold/);
    await expectNothingLeft(baseline, tag, tmp);
  }, 120_000);
});

describe('a signal just after the run directory is created', () => {
  it.each(['SIGKILL', 'SIGTERM', 'SIGINT'] as const)('%s leaves no directory, process or listener behind', async (signal) => {
    const baseline = takeBaseline();
    const { child, tmp, tag } = startLesson(3, { HOTRESTART_TUTOR_FAULT: `run-dir:${signal}` });
    const result = await child;
    expect(result.signal ?? result.exitCode).toBe(signal === 'SIGKILL' ? 'SIGKILL' : signal === 'SIGTERM' ? 143 : 130);
    await expectNothingLeft(baseline, tag, tmp);
  }, 60_000);
});

// The run is ended by the signal's cleanup while the lesson's loop is still running: the steps after the
// one that was stopped must not start anything. A go build runs with an environment of its own (no tag):
// it is seen by its GOCACHE, which is under the run's TMPDIR. Seen in CI: a go started 40 ms after
// SIGINT, once the warden had swept, writing into the cache for a second after the tutor was gone.
sayIfNoGo('the test that a stopped lesson starts no go build is skipped');
describe.skipIf(!hasGo)('a lesson stopped before its Go step', () => {
  it('starts no go build after the signal (lesson 6, SIGINT at step 2)', async () => {
    const baseline = takeBaseline();
    const { child, tmp, tag } = startLesson(6);
    const next = lineReader(child.stdout!);
    while (!(await next()).startsWith('── Step 2/')) { /* read on */ }
    child.kill('SIGINT');
    const untagged = new Set<string>();
    const until = { done: false };
    void child.finally(() => setTimeout(() => (until.done = true), 1000));
    while (!until.done) {
      const tagged = new Set(taggedPids(TAG, tag));
      for (const pid of pidsNaming(tmp)) if (!tagged.has(pid)) untagged.add(describe_(pid));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await child).exitCode).toBe(130);
    expect([...untagged]).toEqual([]);
    await expectNothingLeft(baseline, tag, tmp);
  }, 120_000);
});

/** `go (1234)`: a process for the failure message. */
function describe_(pid: number): string {
  try {
    return `${readFileSync(`/proc/${pid}/comm`, 'latin1').trim()} (${pid})`;
  } catch {
    return `(${pid}, gone)`;
  }
}

/** go's work directories in the system's temporary directory (where go made them before it was given one). */
const goWorkDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('go-build'));

describe.skipIf(!hasGo)('a lesson killed while go builds', () => {
  it('leaves no go-build work directory behind (SIGKILL of the tutor mid-build)', async () => {
    const before = new Set(goWorkDirs());
    const baseline = takeBaseline();
    const { child, tmp, tag } = startLesson(6);
    // Its cache is cold (a fresh TMPDIR): the build of lesson 6's Go program runs for a second or so.
    await waitFor(() => pidsNaming(tmp).some((pid) => /^(go|compile|link)\b/.test(describe_(pid))), { timeout: 60_000, interval: 10, message: 'a go build of the run' });
    child.kill('SIGKILL');
    await expectNothingLeft(baseline, tag, tmp);
    expect(goWorkDirs().filter((name) => !before.has(name))).toEqual([]);
  }, 120_000);
});

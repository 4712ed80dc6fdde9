// The tutor in a real pseudo-terminal (util-linux `script`), driven by keystrokes as a person would:
// menu, lesson 5, two steps with a LISTEN row on screen, then out again — by q, by Ctrl-C twice, and by
// SIGKILL. Afterwards no demo process may be left (zombies count as ended) and, when the tutor could
// restore it, the terminal must be back in cooked mode with the cursor shown.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { cleanEnv, cliPath, root } from '../cli/helpers.js';
import { isAlive } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** Pids of live processes whose environment holds every one of `entries`. */
function processesWith(...entries: string[]): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1');
      if (entries.every((entry) => environ.includes(entry))) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** The tutor in an 80×24 terminal. Every process it starts inherits TAG, so the test finds them all;
 *  the demo processes also carry the run marker. After the tutor, the shell prints the terminal's mode. */
function tutorInTerminal(args: string) {
  const tag = `HRT_E2E_TAG=${randomBytes(6).toString('hex')}`;
  const home = mkdtempSync(join(tmpdir(), 'hrt-pty-'));
  homes.push(home);
  const command = `stty cols 80 rows 24; '${process.execPath}' --import tsx '${cliPath}' ${args}; code=$?; stty -a; echo "TUTOR-EXIT=$code"`;
  const env = cleanEnv({ HOTRESTART_TUTOR_HOME: home, LANG: 'C.UTF-8', [tag.split('=')[0]]: tag.split('=')[1] });
  const child = execa('script', ['-qfec', command, '/dev/null'], { cwd: root, reject: false, extendEnv: false, env, stdin: 'pipe', timeout: 40_000 });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Colour codes split what a person reads as one piece of text: look at the text without them.
  const seen = (text: string | RegExp, from = 0) => {
    const rest = output.slice(from).replace(/\x1b\[[0-9;]*m/g, '');
    return typeof text === 'string' ? rest.includes(text) : text.test(rest);
  };
  return {
    child,
    home,
    output: () => output,
    /** Waits until `text` appears (after position `from` of the output) and returns the position after it. */
    async expectScreen(text: string | RegExp, from = 0, timeout = 15_000): Promise<number> {
      await waitFor(() => seen(text, from), { timeout, message: `${String(text)} on the screen` });
      return output.length;
    },
    type: (keys: string) => child.stdin!.write(keys),
    demoPids: () => processesWith(tag, 'HOTRESTART_TUTOR_RUN='),
    taggedPids: () => processesWith(tag).filter((pid) => pid !== child.pid),
      /** The tutor's own node process (not the shell that started it, nor a demo process). */
    tutorPid: () =>
      processesWith(tag).find((pid) => {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
        return argv[0] === process.execPath && argv.includes(cliPath);
      }),
  };
}

type Tutor = ReturnType<typeof tutorInTerminal>;

/** Lesson 5, steps 1 and 2: a LISTEN row in the live table, then its dup on the same description. */
async function twoStepsOfLesson5(tutor: Tutor, from: number): Promise<number[]> {
  let at = await tutor.expectScreen(/Step 1\/6 · A listener[\s\S]*\(LISTEN\)/, from);
  at = await tutor.expectScreen('✔ the port is in LISTEN', from);
  tutor.type('n');
  at = await tutor.expectScreen('✔ both fds share one open file description', at);
  const pids = tutor.demoPids();
  expect(pids.length).toBeGreaterThan(0);
  return pids;
}

async function expectAllEnded(pids: number[], what: string): Promise<void> {
  await waitFor(() => pids.every((pid) => !isAlive(pid)), { timeout: 5000, message: what });
}

function expectTerminalRestored(output: string): void {
  const mode = output.slice(output.lastIndexOf('speed '));
  expect(mode).toMatch(/(^|\s)icanon(\s|$)/m); // cooked again: not "-icanon"
  expect(mode).toMatch(/(^|\s)echo(\s|$)/m);
  expect(output.slice(0, output.lastIndexOf('speed '))).toContain('\x1b[?25h'); // the cursor is shown again
}

describe.skipIf(!hasScript).concurrent('at a real terminal', () => {
  it('menu, lesson 5 for two steps, q back to the menu, q out: no demo process is left', async () => {
    const tutor = tutorInTerminal('');
    const menu = await tutor.expectScreen('↑↓ choose · enter open');
    tutor.type('5');
    const pids = await twoStepsOfLesson5(tutor, menu);
    const left = tutor.output().length;
    tutor.type('q');
    await tutor.expectScreen('↑↓ choose · enter open', left);
    await expectAllEnded(pids, 'the demo to end on leaving the lesson');
    expect(tutor.demoPids()).toEqual([]);
    tutor.type('q');
    await tutor.expectScreen('TUTOR-EXIT=0');
    expectTerminalRestored(tutor.output());
    await waitFor(() => tutor.taggedPids().every((pid) => !isAlive(pid)), { timeout: 5000, message: 'the tutor and its warden to end' });
    expect(JSON.parse(readFileSync(join(tutor.home, 'progress.json'), 'utf8')).lessons['dup-leak']).toMatchObject({ status: 'started', reached: 2 });
    tutor.child.stdin!.end();
    expect((await tutor.child).exitCode).toBe(0);
  }, 40_000);

  it('the first Ctrl-C stops the demo, the second quits', async () => {
    const tutor = tutorInTerminal('lesson 5');
    const pids = await twoStepsOfLesson5(tutor, 0);
    const before = tutor.output().length;
    tutor.type('\x03');
    await tutor.expectScreen('Demo stopped: its processes have ended.', before);
    await expectAllEnded(pids, 'the demo to end at the first Ctrl-C');
    expect(tutor.output()).not.toContain('TUTOR-EXIT');
    tutor.type('\x03');
    await tutor.expectScreen('TUTOR-EXIT=0');
    expectTerminalRestored(tutor.output());
    tutor.child.stdin!.end();
    await tutor.child;
  }, 40_000);

  it('SIGKILL of the tutor mid-lesson leaves no demo process behind', async () => {
    const tutor = tutorInTerminal('lesson 5');
    const pids = await twoStepsOfLesson5(tutor, 0);
    const tutorPid = tutor.tutorPid();
    expect(tutorPid).toBeDefined();
    process.kill(tutorPid!, 'SIGKILL');
    await tutor.expectScreen('TUTOR-EXIT=137');
    // The warden sees its pipe close and ends the run: every process with the marker.
    await expectAllEnded(pids, 'the warden to end the demo');
    await waitFor(() => tutor.demoPids().length === 0 && tutor.taggedPids().every((pid) => !isAlive(pid)), { timeout: 5000, message: 'nothing tagged alive' });
    tutor.child.stdin!.end();
    await tutor.child;
  }, 40_000);
});

// The README's first command, `npm start`, in a real terminal (tmux), killed the ways a user or a
// process manager kills it: nothing of the tutor may survive npm, and the shell gets its terminal back
// undisturbed. npm cannot forward SIGKILL, and its SIGTERM used to stop at its `sh -c` (FACTS 20).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { root } from './helpers.js';
import { countLeftovers, isClean, takeBaseline, taggedPids, type Leftovers } from '../helpers/leftovers.js';
import { waitFor } from '../helpers/wait.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.log('skipped: npm start killed in a terminal (tmux is not installed)');

const TAG = 'HRT_TEST_TAG';
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return '';
  }
};

describe.skipIf(!hasTmux)('npm start, then npm is killed', () => {
  it.each(['SIGTERM', 'SIGKILL'] as const)('%s: tutor, warden, demo processes, listeners and run directory all end within 2 s', async (signal) => {
    const tmp = mkdtempSync(join(tmpdir(), 'hrt-npm-'));
    const tag = randomBytes(6).toString('hex');
    const socket = join(tmp, 'tmux.sock');
    const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
    cleanups.push(() => {
      spawnSync('tmux', ['-S', socket, 'kill-server']);
      for (const pid of taggedPids(TAG, tag)) process.kill(pid, 'SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    });
    const baseline = takeBaseline();
    const command = `cd ${root} && env ${TAG}=${tag} TMPDIR=${tmp} CI= npm start -- lesson 5; echo SHELL-BACK; sleep 120`;
    tmux('new-session', '-d', '-x', '100', '-y', '30', command);
    // Running: npm, the tutor, its warden and the lesson's puppets (they carry the run marker).
    const npm = await waitFor(() => {
      const pids = taggedPids(TAG, tag);
      const marked = pids.filter((pid) => readFileSync(`/proc/${pid}/environ`, 'latin1').includes('HOTRESTART_TUTOR_RUN='));
      return marked.length >= 1 && pids.length >= 4 ? pids.find((pid) => comm(pid) === 'npm' || comm(pid).startsWith('npm ')) : undefined;
    }, { timeout: 60_000, interval: 100, message: 'npm start to run lesson 5' });
    process.kill(npm, signal);
    let left: Leftovers | undefined;
    const clean = await waitFor(() => isClean((left = countLeftovers(baseline, TAG, tag, tmp))), { timeout: 2000, interval: 50 }).catch(() => false);
    expect(clean ? null : left).toBeNull();
    // The shell has the terminal back and nothing draws over it any more.
    const screen = await waitFor(() => {
      const text = tmux('capture-pane', '-p');
      return text.includes('SHELL-BACK') ? text : undefined;
    }, { timeout: 2000, message: 'the shell to print SHELL-BACK' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(tmux('capture-pane', '-p')).toBe(screen);
  }, 90_000);
});

// Lesson 16's real-pm2 step. Where pm2 7 is cached on this machine (the restart lab's install,
// `npm run bench:restart -- --with-pm2`), the step runs on it: every check holds, the table shows the
// successor alone holding the listener after `pm2 kill`, nothing the step started is left but what the
// lesson itself ends, and the learner's ~/.pm2 is not touched; the tutor killed with SIGKILL mid-step
// leaves no pm2 daemon, app, listener or directory. Everywhere: without pm2 (or with another major) the
// step says why in one line and its five checks are ○.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/16-supervisors.js';
import { realPm2 } from '../../lessons/16-supervisors.realpm2.kit.js';
import { playPlain } from '../../src/lesson/plain.js';
import { PM2_CHOICE_ENV } from '../../src/lesson/pm2.js';
import type { Lesson } from '../../src/lesson/types.js';
import { cleanEnv, root } from '../cli/helpers.js';
import { countLeftovers, isClean, pidsOfRun, takeBaseline } from '../helpers/leftovers.js';
import { collector, failureLines } from '../helpers/lesson-output.js';
import { listenRows } from '../helpers/listen-rows.js';
import { isAlive } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

const CACHED = join(tmpdir(), `hotrestart-lab-pm2-${process.getuid?.() ?? 'user'}`, 'node_modules', '.bin', 'pm2');
const cached = existsSync(CACHED) ? realPm2({ [PM2_CHOICE_ENV]: CACHED }) : undefined;
const hasPm2 = !!cached && !('skipped' in cached);
if (!hasPm2) console.log(`skipped: lesson 16's real-pm2 step on pm2 itself (no pm2 7 at ${CACHED}; npm run bench:restart -- --with-pm2 installs it there)`);

const stepAlone = { ...lesson, steps: lesson.steps.filter((step) => step.id === 'real-pm2') } as unknown as Lesson;
const fixture = fileURLToPath(new URL('./fixtures/play-real-pm2.ts', import.meta.url));

/** Plays the step alone with HOTRESTART_TUTOR_PM2 set to `choice`. */
async function playStep(choice: string, lang: 'en' | 'zh') {
  const before = process.env[PM2_CHOICE_ENV];
  process.env[PM2_CHOICE_ENV] = choice;
  try {
    const out = collector();
    const result = await playPlain(stepAlone, { lang, out: out.stream });
    return { result, text: out.text() };
  } finally {
    if (before === undefined) delete process.env[PM2_CHOICE_ENV];
    else process.env[PM2_CHOICE_ENV] = before;
  }
}

describe('lesson 16, the real pm2: finding it', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('names what it found, or says in one line why the step is skipped', () => {
    expect(realPm2({ [PM2_CHOICE_ENV]: 'none' })).toMatchObject({ reason: { en: `${PM2_CHOICE_ENV}=none` } });
    expect(realPm2({ [PM2_CHOICE_ENV]: '/nonexistent/pm2' })).toMatchObject({ reason: { en: `${PM2_CHOICE_ENV} names no executable` } });
    expect(realPm2({ PATH: '/nonexistent' })).toMatchObject({ reason: { en: 'pm2 is not installed' } });
    // A pm2 6, laid out as npm installs it: node_modules/.bin/pm2 -> ../pm2/bin/pm2, beside its package.json.
    const dir = mkdtempSync(join(tmpdir(), 'hrt-pm2-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'pm2', 'bin'), { recursive: true });
    mkdirSync(join(dir, '.bin'));
    writeFileSync(join(dir, 'pm2', 'package.json'), JSON.stringify({ name: 'pm2', version: '6.0.8' }));
    writeFileSync(join(dir, 'pm2', 'bin', 'pm2'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(dir, 'pm2', 'bin', 'pm2'), 0o755);
    symlinkSync('../pm2/bin/pm2', join(dir, '.bin', 'pm2'));
    const six = realPm2({ [PM2_CHOICE_ENV]: join(dir, '.bin', 'pm2') });
    expect(six).toMatchObject({ reason: { en: 'pm2 6.0.8 found, not 7' } });
    expect('skipped' in six && six.skipped.en).toMatch(/^found pm2 6\.0\.8 \(.*\), but this step was written against pm2 7/);
  });

  it('without pm2 the step says how to get it, and its five checks are ○', async () => {
    const { result, text } = await playStep('none', 'zh');
    expect(result).toMatchObject({ checks: 0, held: 0, skipped: 5, failedSteps: 0 });
    expect(text).toContain(`跳过：${PM2_CHOICE_ENV}=none：不运行真正的 pm2。`);
    expect(text).not.toContain('✘');
  }, 30_000);
});

describe.skipIf(!hasPm2)('lesson 16, the real pm2 7 (cached install)', () => {
  it('runs on pm2 itself: every check holds, the successor outlives pm2 kill, ~/.pm2 untouched', async () => {
    const learnersPm2 = existsSync(join(homedir(), '.pm2'));
    const { result, text } = await playStep(CACHED, 'en');
    expect(failureLines(text)).toEqual([]);
    expect(result).toMatchObject({ checks: 5, held: 5, skipped: 0, failedSteps: 0 });
    expect(text).toMatch(/This runs the real pm2 7\.\d+\.\d+ \(\/.*\/pm2\)\./);
    expect(text).toMatch(/PM2_HOME=\/.*\/hotrestart-tutor-[0-9a-f]{12}\/pm2-\w+\/home/);
    // pm2's own words: the copies' restarts and their exit code, the failed bind, jlist.
    expect(text).toMatch(/pm2\.log: \d\d:\d\d:\d\d App \[app:0\] exited with code \[0\]/);
    expect(text).toContain('app-error.log: SysError: EADDRINUSE');
    expect(text).toMatch(/pm2 jlist: status online, pid \d+, restart_time [2-9], unstable_restarts 0/);
    // After pm2 kill: app-2 alone holds the listener, and it answered.
    const rows = listenRows(text);
    expect(rows.map((row) => row.name)).toEqual(['app-2']);
    expect(text).toContain(`after pm2 kill: GET / answered by pid ${rows[0].pid}`);
    // The lesson ended it, and everything pm2 started: every pid the step named is gone.
    const pids = [...text.matchAll(/\bpid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThan(3);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(join(homedir(), '.pm2'))).toBe(learnersPm2);
  }, 60_000);

  it('killed with SIGKILL while pm2 restarts the app, leaves nothing behind within 2 s', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hrt-pm2-fault-'));
    const tag = randomBytes(6).toString('hex');
    const baseline = takeBaseline();
    try {
      const child = execa(process.execPath, ['--import', 'tsx', fixture], {
        reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', cwd: root, extendEnv: false, timeout: 60_000,
        env: cleanEnv({ TMPDIR: tmp, HRT_FAULT_TAG: tag, [PM2_CHOICE_ENV]: CACHED }),
      });
      // Mid-step: pm2's daemon has restarted the app at least once after the handover.
      const daemonLog = () => {
        const run = readdirSync(tmp).find((name) => name.startsWith('hotrestart-tutor-'));
        const home = run && readdirSync(join(tmp, run)).find((name) => name.startsWith('pm2-'));
        return home ? readFileSync(join(tmp, run, home, 'home', 'pm2.log'), 'utf8') : '';
      };
      await waitFor(() => (daemonLog().match(/starting in -fork mode-/g) ?? []).length >= 2, { timeout: 30_000, interval: 50, message: 'a restart by pm2' });
      const daemons = pidsOfRun('HRT_FAULT_TAG', tag, tmp).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('PM2 v'));
      expect(daemons).toHaveLength(1);
      // The run's marker, by which the warden finds it (its cwd in the run's directory is the second net).
      expect(readFileSync(`/proc/${daemons[0]}/environ`, 'latin1').split('\0').some((entry) => entry.startsWith('HOTRESTART_TUTOR_RUN='))).toBe(true);
      child.kill('SIGKILL');
      const sentAt = Date.now();
      let left = countLeftovers(baseline, 'HRT_FAULT_TAG', tag, tmp);
      while (!isClean(left) && Date.now() - sentAt < 2000) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        left = countLeftovers(baseline, 'HRT_FAULT_TAG', tag, tmp);
      }
      if (!isClean(left)) for (const pid of pidsOfRun('HRT_FAULT_TAG', tag, tmp)) process.kill(pid, 'SIGKILL');
      await child;
      expect(left).toEqual({ processes: [], listeners: [], runDirs: [], sysctls: [] });
      expect(isAlive(daemons[0])).toBe(false);
    } finally {
      rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    }
  }, 60_000);
});

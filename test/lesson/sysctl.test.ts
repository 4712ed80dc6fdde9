// The sysctl lesson 7 changes (net.ipv4.tcp_migrate_req): one lock for every tutor of the machine that
// no other user can plant, the true reason when it is busy, and the value put back even when the tutor
// is killed outright (by its warden).
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { lockPathOf } from '../../src/demo/sysctl-guard.js';
import { readSysctl, withSysctl } from '../../src/lesson/sysctl.js';
import { cleanEnv, cliPath, lineReader, root } from '../cli/helpers.js';
import { waitFor } from '../helpers/wait.js';

const NAME = 'net.ipv4.tcp_migrate_req';
const initial = readSysctl(NAME);
const why = process.getuid?.() !== 0 ? 'changing a sysctl needs root'
  : initial === undefined ? `this kernel has no ${NAME}`
  : initial !== '0' ? `${NAME} is ${initial} here, and these tests change it from 0`
  : '';
if (why) console.log(`skipped: the sysctl lock and restore tests (${why})`);

const dirs: string[] = [];
const savedTmp = process.env.TMPDIR;
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hrt-sysctl-'));
  dirs.push(dir);
  return dir;
};

describe.skipIf(why !== '')('the sysctl lock', () => {
  it('ignores a lock file another user planted in the temporary directory', async () => {
    const tmp = tempDir();
    const planted = join(tmp, `hotrestart-tutor-sysctl-${NAME}.lock`);
    writeFileSync(planted, '1 1\n');
    chownSync(planted, 65534, 65534);
    process.env.TMPDIR = tmp;
    const run = await withSysctl(NAME, '1', async (state) => ({ state, during: readSysctl(NAME) }));
    expect(run.result.state).toEqual({ inForce: '1', before: '0' });
    expect(run.result.during).toBe('1');
    expect(readSysctl(NAME)).toBe('0');
    expect(existsSync(lockPathOf(NAME))).toBe(false);
  });

  it('is seen by tutors with different TMPDIRs, and a busy one names the tutor holding it', async () => {
    const script = `
      import { withSysctl } from './src/lesson/sysctl.ts';
      await withSysctl('${NAME}', '1', async (state) => {
        process.stdout.write(JSON.stringify(state) + '\\n');
        await new Promise((resolve) => process.stdin.once('end', resolve).resume());
      });
      process.stdout.write('restored\\n');`;
    const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root, env: { ...process.env, TMPDIR: tempDir() }, stdio: ['pipe', 'pipe', 'inherit'],
    });
    const next = lineReader(holder.stdout);
    try {
      expect(JSON.parse(await next())).toEqual({ inForce: '1', before: '0' });
      process.env.TMPDIR = tempDir();
      const run = await withSysctl(NAME, '1', async (state) => state, { waitMs: 200 });
      expect(run).toMatchObject({ refused: 'busy', holder: holder.pid, inForce: '1', before: '1' });
    } finally {
      holder.stdin.end();
    }
    expect(await next()).toBe('restored');
    expect(readSysctl(NAME)).toBe('0');
  }, 30_000);
});

describe.skipIf(why !== '')('lesson 7 killed while its sysctl change is in force', () => {
  it('has the value put back by the warden within 2 s', async () => {
    const tutor = execa(process.execPath, ['--import', 'tsx', cliPath, 'lesson', '7', '--plain'], {
      reject: false, stdin: 'ignore', cwd: root, extendEnv: false, timeout: 120_000,
      env: cleanEnv({ TMPDIR: tempDir(), HOTRESTART_TUTOR_FAULT: 'sysctl-set:SIGKILL' }),
    });
    const result = await tutor;
    expect(result.signal).toBe('SIGKILL');
    // The fault point fires only after the value was written: it was killed with the change in force.
    expect(result.stdout).not.toContain('(restored)');
    await waitFor(() => readSysctl(NAME) === '0' && !existsSync(lockPathOf(NAME)), { timeout: 2000, message: `${NAME} back to 0 and its lock removed` });
  }, 120_000);
});

// pm2 where one is installed, for lesson 16 and the restart lab (bench/lib/pm2.ts, which may also install
// one into a cache of its own): finding it, reading its version, and running it in a home of its own.
// pm2 is not a dependency of the project and nothing here installs it. Every command runs with PM2_HOME
// set by the caller to a private directory: a learner's own pm2 (~/.pm2, or their PM2_HOME) is never
// reached, and stopping ends only the daemon of that home.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isExecutable, onPath } from './executable.js';
import { LessonActionError } from './types.js';

/** A path to the pm2 to run; `none` runs none, as on a machine without pm2. */
export const PM2_CHOICE_ENV = 'HOTRESTART_TUTOR_PM2';

/** The pm2 binary: $HOTRESTART_TUTOR_PM2, else node_modules/.bin/pm2 of the working directory (the
 *  project's, when run from it), else pm2 on PATH; undefined when there is none. */
export function findPm2(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env[PM2_CHOICE_ENV];
  if (chosen === 'none') return undefined;
  if (chosen) return isExecutable(chosen) ? chosen : undefined;
  return [join(process.cwd(), 'node_modules', '.bin', 'pm2'), ...onPath('pm2', env)].find(isExecutable);
}

/** pm2's version, from the package.json next to its bin/pm2 (running `pm2 --version` would need a home);
 *  '?' when it cannot be read. */
export function pm2Version(pm2: string): string {
  try {
    return (JSON.parse(readFileSync(join(dirname(realpathSync(pm2)), '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** The environment of every pm2 command: its own home, no banner, no version check over the network. */
export function pm2Env(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, PM2_HOME: home, PM2_DISCRETE_MODE: 'true', PM2_DISABLE_VERSION_CHECK: 'true' };
}

export interface Pm2RunOptions {
  /** The working directory: the daemon a first command starts keeps it (default: this process's). */
  cwd?: string;
  signal?: AbortSignal;
}

/** Runs one pm2 command without blocking the event loop (a load generator may share it); its stdout. */
export function pm2Run(pm2: string, home: string, args: string[], extra: Record<string, string> = {}, options: Pm2RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(pm2, args, { env: pm2Env(home, extra), timeout: 30_000, maxBuffer: 16 << 20, ...options }, (error, stdout, stderr) => {
      if (!error) return resolve(String(stdout));
      const why = String(stderr).trim().split('\n').pop() || error.message;
      reject(new LessonActionError({ en: `pm2 ${args[0]} failed: ${why}`, zh: `pm2 ${args[0]} 失败了：${why}` }));
    });
  });
}

/** Ends the daemon of `home` and everything it started, then removes `home`. Synchronous: it runs on exit paths. */
export function stopPm2(pm2: string, home: string): void {
  const group = daemonGroup(home);
  try {
    execFileSync(pm2, ['kill'], { env: pm2Env(home), stdio: 'ignore', timeout: 15_000 });
  } catch {
    // The group kill below ends it anyway.
  }
  killGroup(group);
  rmSync(home, { recursive: true, force: true });
}

/** `pm2 kill` for the daemon of `home` without blocking the event loop, then SIGKILL to the daemon's
 *  process group; `home` stays (its logs may still be read). */
export async function killPm2(pm2: string, home: string, extra: Record<string, string> = {}, options: Pm2RunOptions = {}): Promise<void> {
  const group = daemonGroup(home);
  try {
    await pm2Run(pm2, home, ['kill'], extra, options);
  } catch {
    // The group kill below ends it anyway.
  }
  killGroup(group);
}

/** The pid of the daemon of `home` (PM2_HOME/pm2.pid), 0 when there is none. */
export function pm2Daemon(home: string): number {
  const pid = Number(readFileOr(join(home, 'pm2.pid')));
  return Number.isInteger(pid) && pid > 0 ? pid : 0;
}

/** The daemon's process group (it is a session leader, its cluster workers are in it), looked at before
 *  `pm2 kill`, while the daemon is alive: the group to end if anything survives; 0 when there is none. */
function daemonGroup(home: string): number {
  const daemon = pm2Daemon(home);
  return daemon > 0 && groupOf(daemon) === daemon ? daemon : 0;
}

function killGroup(group: number): void {
  if (!group) return;
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // Already gone, as it should be after `pm2 kill`.
  }
}

/** The process group of `pid` (field 5 of /proc/PID/stat), or 0 if it is gone. */
function groupOf(pid: number): number {
  const stat = readFileOr(`/proc/${pid}/stat`);
  return stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) : 0;
}

function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

// pm2 for the restart lab, without making it a dependency of the project: an installed pm2
// (node_modules/.bin or PATH) is used as it is; with --with-pm2 and none installed, pm2@7 is installed
// once into a per-user 0700 cache under os.tmpdir() (npm's ordinary client, --no-save) and reused.
// Every daemon the lab starts lives in a PM2_HOME of its own, inside the run's private directory, and is
// ended by stopPm2: `pm2 kill`, then SIGKILL to the daemon's process group (its cluster workers are in
// it) in case the daemon outlived that.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The pm2 the lab installs: one major, so a new major cannot change the figures unnoticed. */
export const PM2_SPEC = 'pm2@7';
const CACHE = join(tmpdir(), `hotrestart-lab-pm2-${process.getuid?.() ?? 'user'}`);

/** The pm2 binary, or the one-line reason the pm2 column is skipped. */
export function findPm2(install: boolean): string | { skipped: string } {
  for (const candidate of [join(process.cwd(), 'node_modules', '.bin', 'pm2'), ...(process.env.PATH ?? '').split(':').filter(Boolean).map((dir) => join(dir, 'pm2'))]) {
    if (existsSync(candidate)) return candidate;
  }
  if (!install) return { skipped: `pm2 is not installed; --with-pm2 installs ${PM2_SPEC} into ${CACHE}, outside the project` };
  return installPm2();
}

function installPm2(): string | { skipped: string } {
  const binary = join(CACHE, 'node_modules', '.bin', 'pm2');
  try {
    mkdirSync(CACHE, { recursive: true, mode: 0o700 });
    // os.tmpdir() is shared: use the cache only if it is our own private directory, not a symlink or
    // a directory someone else prepared (their pm2 would run as us).
    const stat = lstatSync(CACHE);
    if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0) {
      return { skipped: `${CACHE} is not a private directory of this user (0700); remove it and try again` };
    }
    if (!existsSync(binary) || installedMajor() !== PM2_SPEC.split('@')[1]) {
      console.log(`installing ${PM2_SPEC} into ${CACHE} (once) ...`);
      execFileSync('npm', ['install', '--prefix', CACHE, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', PM2_SPEC], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    return binary;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim().split('\n').pop();
    return { skipped: `npm could not install ${PM2_SPEC} into ${CACHE}: ${stderr || (error as Error).message}` };
  }
}

function installedMajor(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(CACHE, 'node_modules', 'pm2', 'package.json'), 'utf8')) as { version: string }).version.split('.')[0];
  } catch {
    return undefined;
  }
}

/** pm2's version, for the header line: from the package.json next to its bin/pm2 (running it would need a home). */
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

/** Runs one pm2 command without blocking the event loop (the load generator shares it). */
export function pm2Run(pm2: string, home: string, args: string[], extra: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(pm2, args, { env: pm2Env(home, extra), timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`pm2 ${args[0]} failed: ${String(stderr).trim().split('\n').pop() || error.message}`));
      else resolve();
    });
  });
}

/** Ends the daemon of `home` and everything it started, then removes `home`. Synchronous: it runs on exit paths. */
export function stopPm2(pm2: string, home: string): void {
  // Looked at before `pm2 kill`, while the daemon is alive: its group is the one to end if anything survives.
  const daemon = Number(readFileOr(join(home, 'pm2.pid')));
  const group = daemon > 0 && groupOf(daemon) === daemon ? daemon : 0;
  try {
    execFileSync(pm2, ['kill'], { env: pm2Env(home), stdio: 'ignore', timeout: 15_000 });
  } catch {
    // The group kill below ends it anyway.
  }
  if (group) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Already gone, as it should be after `pm2 kill`.
    }
  }
  rmSync(home, { recursive: true, force: true });
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

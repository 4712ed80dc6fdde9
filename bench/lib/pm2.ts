// pm2 for the restart lab, without making it a dependency of the project: an installed pm2 (found as
// lesson 16 finds it, src/lesson/pm2.ts) is used as it is; with --with-pm2 and none installed, pm2@7 is
// installed once into a per-user 0700 cache under os.tmpdir() (npm's ordinary client, --no-save) and reused.
// Every daemon the lab starts lives in a PM2_HOME of its own, inside the run's private directory, and is
// ended by stopPm2: `pm2 kill`, then SIGKILL to the daemon's process group (its cluster workers are in
// it) in case the daemon outlived that.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPm2 as findInstalledPm2 } from '../../src/lesson/pm2.js';

// Finding, running and stopping pm2 are shared with lesson 16.
export { pm2Run, pm2Version, stopPm2 } from '../../src/lesson/pm2.js';

/** The pm2 the lab installs: one major, so a new major cannot change the figures unnoticed. */
export const PM2_SPEC = 'pm2@7';
const CACHE = join(tmpdir(), `hotrestart-lab-pm2-${process.getuid?.() ?? 'user'}`);

/** The pm2 binary, or the one-line reason the pm2 column is skipped. */
export function findPm2(install: boolean): string | { skipped: string } {
  const installed = findInstalledPm2();
  if (installed) return installed;
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

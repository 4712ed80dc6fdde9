// The published artifact: `npm pack`, then run the tarball with npx in an empty directory, as a user
// would after downloading it. Slow (a build and an install from the npm cache), so one test does it all.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { cleanEnv, root } from './helpers.js';
import { fdsDocumentProblems } from './fds-schema.js';

describe('npm pack', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('makes a tarball that npx runs in an empty directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrestart-tutor-pack-'));
    // prepack builds dist/ first.
    await execa('npm', ['pack', '--pack-destination', dir], { cwd: root, stdin: 'ignore' });
    const tarball = (await readdir(dir)).find((name) => /^hotrestart-tutor-.*\.tgz$/.test(name));
    expect(tarball).toBeDefined();

    const listing = (await execa('tar', ['-tzf', join(dir, tarball!)])).stdout.split('\n');
    expect(listing).toContain('package/dist/src/cli.js');
    expect(listing.some((path) => path.startsWith('package/test/') || path.startsWith('package/src/'))).toBe(false);

    const empty = join(dir, 'empty');
    await mkdir(empty);
    // Without the repository's 'hotrestart-source' condition (.npmrc node-options): a user's shell has none.
    const npx = (...args: string[]) =>
      execa('npx', ['--yes', '--prefer-offline', `../${tarball}`, ...args], {
        cwd: empty, stdin: 'ignore', extendEnv: false, env: { ...cleanEnv({ CI: 'true' }), NODE_OPTIONS: '', npm_config_node_options: '' }, timeout: 60_000,
      });
    const help = await npx('--help');
    expect(help.stdout).toContain('Usage: hotrestart-tutor <command>');

    // fds loads the fd-table engine and koffi from the installed package.
    const fds = await npx('fds', '--json', String(process.pid));
    const doc = JSON.parse(fds.stdout) as unknown;
    expect(fdsDocumentProblems(doc)).toEqual([]);
    expect((doc as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
  }, 90_000);
});

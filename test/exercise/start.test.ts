// Starting a workspace (exercise start, the app's s and S): a creation that fails half-way leaves no
// folder behind, so the next try is not refused as "already exists".
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExercises } from '../../src/exercise/registry.js';
import { startWorkspace } from '../../src/exercise/start.js';

const scratch = mkdtempSync(join(tmpdir(), 'hrt-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('startWorkspace', () => {
  it('removes the folder it began when writing a file fails, then creates it once the cause is gone', async () => {
    const real = (await loadExercises()).find((candidate) => candidate.id === 'close-dup')!;
    // The task's README.zh-CN.md is a directory here: copying it fails after README.md was written.
    const assetDir = join(scratch, 'assets');
    cpSync(real.assetDir, assetDir, { recursive: true });
    rmSync(join(assetDir, 'README.zh-CN.md'));
    mkdirSync(join(assetDir, 'README.zh-CN.md'));
    const broken = { ...real, assetDir };
    const root = join(scratch, 'root');
    await expect(startWorkspace(broken, 'node', root, process.env)).rejects.toThrow();
    expect(existsSync(join(root, real.folder))).toBe(false);
    const outcome = await startWorkspace(real, 'node', root, process.env);
    expect(outcome).toMatchObject({ kind: 'created', dir: join(root, real.folder), code: 'node' });
    expect(await startWorkspace(real, 'node', root, process.env)).toEqual({ kind: 'exists', dir: join(root, real.folder) });
    expect(await startWorkspace(real, 'go', root, { PATH: scratch })).toEqual({ kind: 'no-go' });
  });
});

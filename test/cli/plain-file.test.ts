// Output to a file is never cut (README): a lesson played with stdout redirected to a file prints its
// fd tables whole, every NAME included, and no "hidden to fit" note.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { cleanEnv, cliPath, root } from './helpers.js';
import { cutTableLines } from '../helpers/lesson-output.js';

const dir = mkdtempSync(join(tmpdir(), 'hrt-plain-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plain lesson output to a file', () => {
  it('lesson 13 (many client connections) is written with no cut NAME', async () => {
    const path = join(dir, 'lesson13.txt');
    await execa(process.execPath, ['--import', 'tsx', cliPath, 'lesson', '13'], {
      cwd: root, reject: false, extendEnv: false, env: cleanEnv({ HOTRESTART_TUTOR_HOME: dir, COLUMNS: '80' }), stdin: 'ignore', stdout: { file: path }, timeout: 90_000,
    });
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/ESTABLISHED/);
    expect(cutTableLines(text)).toEqual([]);
    expect(text).not.toContain('hidden to fit the width');
  }, 120_000);
});

// The CLI at a real (pseudo-)terminal, through util-linux `script`: colour on by default and off for
// NO_COLOR, --no-color and TERM=dumb; the live view draws, quits on q and gives the terminal back.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { cleanEnv, cliPath, root } from './helpers.js';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs the CLI in a 100×30 pseudo-terminal. */
function inTerminal(args: string[], env: Record<string, string> = {}) {
  const command = `stty cols 100 rows 30; exec '${process.execPath}' --import tsx '${cliPath}' ${args.join(' ')}`;
  return execa('script', ['-qec', command, '/dev/null'], {
    cwd: root, reject: false, extendEnv: false, env: cleanEnv(env), timeout: 30_000, stdin: 'pipe',
  });
}

describe.skipIf(!hasScript)('at a terminal', () => {
  it('draws the table in colour', async () => {
    const result = await inTerminal(['fds', String(process.pid)]);
    expect(result.exitCode).toBe(0);
    // The PID column is as wide as the longest pid, right-aligned: no space before the title for a 3-digit pid.
    expect(result.stdout).toMatch(/\x1b\[1m *PID /);
  });

  it.each([
    [['fds', '--no-color'], {}],
    [['fds'], { NO_COLOR: '1' }],
    [['fds'], { TERM: 'dumb' }],
  ])('draws no colour for %o %o', async (args, env) => {
    const result = await inTerminal([...args, String(process.pid)], env);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ *PID /m);
    expect(result.stdout).not.toContain('\x1b[');
  });

  it('runs the live view until q, then restores the cursor', async () => {
    const watch = inTerminal(['fds', '--watch=100', String(process.pid)]);
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      watch.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('q quit')) resolve();
      });
      watch.catch(reject);
    });
    watch.stdin!.write('q');
    const result = await watch;
    expect(result.exitCode).toBe(0);
    expect(seen).toMatch(/fds \d+ · every 100 ms/);
    expect(result.stdout.endsWith('\x1b[?25h')).toBe(true); // cursor shown again
  });
});

import { describe, expect, it } from 'vitest';
import { applyColorDecision, colorOffReason } from '../../src/ui/color-mode.js';

const tty = { argv: [] as string[], env: {} as NodeJS.ProcessEnv, stdoutIsTTY: true };

describe('colour decision', () => {
  it('is on at a plain terminal', () => {
    expect(colorOffReason(tty)).toBeNull();
  });

  it.each([
    [{ argv: ['fds', '--no-color', '1'] }, '--no-color'],
    [{ argv: ['fds', '--json', '1'] }, '--json'],
    [{ env: { NO_COLOR: '1' } }, 'NO_COLOR'],
    [{ env: { TERM: 'dumb' } }, 'TERM=dumb'],
    [{ env: { CI: 'true' } }, 'CI'],
    [{ stdoutIsTTY: false }, 'stdout is not a terminal'],
  ])('is off for %o', (change, reason) => {
    expect(colorOffReason({ ...tty, ...change })).toBe(reason);
  });

  it('ignores an empty NO_COLOR, CI=false and flags after --', () => {
    expect(colorOffReason({ ...tty, env: { NO_COLOR: '', CI: 'false' } })).toBeNull();
    expect(colorOffReason({ ...tty, argv: ['x', '--', '--no-color'] })).toBeNull();
  });

  it('pins FORCE_COLOR=0 for chalk when off', () => {
    const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
    expect(applyColorDecision({ ...tty, env })).toBe(false);
    expect(env.FORCE_COLOR).toBe('0');
  });
});

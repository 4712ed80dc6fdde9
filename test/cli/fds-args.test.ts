import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCH_MS, parseFdsArgs } from '../../src/commands/fds-args.js';
import { UserError } from '../../src/commands/errors.js';

function failure(args: string[]): UserError {
  try {
    parseFdsArgs(args);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`no error for ${args.join(' ')}`);
}

describe('parseFdsArgs', () => {
  it('reads pids, dropping repeats', () => {
    expect(parseFdsArgs(['12', '34', '12'])).toEqual({ pids: [12, 34], watchMs: null, json: false, width: null });
  });

  it('takes --watch with an attached interval, or the default', () => {
    expect(parseFdsArgs(['--watch', '500']).watchMs).toBe(DEFAULT_WATCH_MS);
    expect(parseFdsArgs(['--watch', '500']).pids).toEqual([500]);
    expect(parseFdsArgs(['--watch=100', '7']).watchMs).toBe(100);
    expect(parseFdsArgs(['--json', '--width=80', '7'])).toMatchObject({ json: true, width: 80 });
  });

  it.each([
    [['abc'], 'Invalid pid "abc": a pid is a whole number greater than 0.'],
    [['0'], 'Invalid pid "0": a pid is a whole number greater than 0.'],
    [['-5'], 'Invalid pid -5: a pid is a whole number greater than 0.'],
    [['1.5'], 'Invalid pid "1.5": a pid is a whole number greater than 0.'],
    [['99999999999'], 'Invalid pid "99999999999": a pid is a whole number greater than 0.'],
    [['--watch=fast', '1'], 'Invalid --watch interval "fast": give milliseconds from 20, e.g. --watch=500.'],
    [['--width=5', '1'], 'Invalid --width "5": give a number of columns from 20.'],
    [['--frobnicate', '1'], 'Unknown option --frobnicate; see hotrestart-tutor fds --help.'],
    // The same sentence every other command gives for a language that does not exist.
    [['1', '--lang', 'xx'], 'Unknown language "xx": use --lang en or --lang zh.'],
  ])('rejects %o in one sentence', (args, message) => {
    const error = failure(args);
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
  });

  it('accepts --lang en and zh, like every command', () => {
    expect(parseFdsArgs(['1', '--lang', 'zh']).pids).toEqual([1]);
    expect(parseFdsArgs(['--lang=en', '1']).pids).toEqual([1]);
  });

  it('asks for a pid when none is given', () => {
    expect(failure([]).message).toMatch(/^fds needs at least one pid/);
    expect(failure(['--json']).exitCode).toBe(2);
  });
});

// An unsupported platform gets one sentence and exit code 3. process.platform is swapped for the
// duration of the call, so this runs main() in-process with collecting streams.
import { afterEach, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli.js';

const realPlatform = process.platform;
afterEach(() => {
  Object.defineProperty(process, 'platform', { value: realPlatform });
});

function collectingIo(): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stream = (append: (text: string) => void) =>
    ({ isTTY: false, columns: 80, write: (text: string) => (append(text), true) }) as unknown as NodeJS.WriteStream;
  return {
    stdout: stream((text) => { out += text; }),
    stderr: stream((text) => { err += text; }),
    stdin: { isTTY: false } as NodeJS.ReadStream,
    env: {},
    out: () => out,
    err: () => err,
  };
}

describe('an unsupported platform', () => {
  it('exits 3 with one sentence', async () => {
    Object.defineProperty(process, 'platform', { value: 'win32' });
    const io = collectingIo();
    expect(await main(['fds', String(process.pid)], io)).toBe(3);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('fds reads fd tables on Linux and on macOS (through lsof); win32 is not supported.\n');
  });

  it('still validates the arguments first (exit 2)', async () => {
    Object.defineProperty(process, 'platform', { value: 'freebsd' });
    const io = collectingIo();
    expect(await main(['fds', 'x'], io)).toBe(2);
  });
});

describe('main in-process', () => {
  it('prints a table of this very process', async () => {
    const io = collectingIo();
    expect(await main(['fds', String(process.pid)], io)).toBe(0);
    expect(io.out()).toMatch(/^ *PID +CMD +FD/);
    expect(io.env.FORCE_COLOR).toBe('0'); // not a terminal: colour pinned off before ink could load
  });
});

// Mounts the live fd view on the real terminal and resolves with the exit code once it is closed.
// ink restores the terminal (raw mode, cursor) on unmount; signals unmount too, so a kill from another
// shell leaves the terminal as usable as q does.
import { render } from 'ink';
import { FdWatch, type FdWatchProps } from './FdWatch.js';
import { EXIT_OK } from '../commands/errors.js';

export interface RunFdWatchOptions extends FdWatchProps {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

export async function runFdWatch({ stdout, stdin, stderr, ...props }: RunFdWatchOptions): Promise<number> {
  const instance = render(<FdWatch {...props} />, { stdout, stdin, stderr, exitOnCtrlC: false, patchConsole: false });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const unmount = () => instance.unmount();
  for (const signal of signals) process.once(signal, unmount);
  try {
    await instance.waitUntilExit();
  } finally {
    for (const signal of signals) process.off(signal, unmount);
  }
  return EXIT_OK;
}

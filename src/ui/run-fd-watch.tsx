// Mounts the live fd view on the real terminal and resolves with the exit code once it is closed.
import { FdWatch, type FdWatchProps } from './FdWatch.js';
import { mountUntilExit, type TerminalStreams } from './mount.js';
import { EXIT_OK } from '../commands/errors.js';

export interface RunFdWatchOptions extends FdWatchProps, TerminalStreams {}

export async function runFdWatch({ stdout, stdin, stderr, ...props }: RunFdWatchOptions): Promise<number> {
  await mountUntilExit(<FdWatch {...props} />, { stdout, stdin, stderr });
  return EXIT_OK;
}

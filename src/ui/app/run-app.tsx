// Mounts the tutor app on the real terminal.
import { mountUntilExit, type TerminalStreams } from '../mount.js';
import { App, type AppProps } from './App.js';

export type { TerminalStreams } from '../mount.js';

export function runApp({ stdout, stdin, stderr, ...props }: AppProps & TerminalStreams): Promise<void> {
  return mountUntilExit(<App {...props} />, { stdout, stdin, stderr });
}

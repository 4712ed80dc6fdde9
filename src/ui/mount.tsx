// Mounts an Ink view on the real terminal and resolves once it has closed. Ink restores the terminal
// (raw mode, cursor) on unmount; a signal from elsewhere unmounts it too, so a kill from another shell
// leaves the terminal as usable as q does, before the CLI's exit handlers end any demo processes.
import type { ReactNode } from 'react';
import { render } from 'ink';

export interface TerminalStreams {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

export async function mountUntilExit(node: ReactNode, { stdout, stdin, stderr }: TerminalStreams): Promise<void> {
  // Ctrl-C is the views' own key (exitOnCtrlC off): the tutor's first one stops a demo, not the app.
  const instance = render(node, { stdout, stdin, stderr, exitOnCtrlC: false, patchConsole: false });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const unmount = () => instance.unmount();
  for (const signal of signals) process.once(signal, unmount);
  try {
    await instance.waitUntilExit();
  } finally {
    for (const signal of signals) process.off(signal, unmount);
  }
}

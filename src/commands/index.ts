// The subcommands. Each is a module loaded only when it runs; this file stays free of heavy imports.
import type { CommandEntry } from './context.js';

export const commands: readonly CommandEntry[] = [
  {
    name: 'fds',
    summary: 'show the fd tables of running processes, lsof-style (--watch for a live view, --json for scripts)',
    load: async () => (await import('./fds.js')).fdsCommand,
  },
];

export function findCommand(name: string): CommandEntry | undefined {
  return commands.find((command) => command.name === name);
}

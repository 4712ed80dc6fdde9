// The top-level help: what `hotrestart-tutor`, `--help` and `help` print.
import { commands } from './index.js';

export function mainHelp(version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `hotrestart-tutor ${version}: learn zero-downtime server restarts by watching real processes' fd tables.

Usage: hotrestart-tutor <command> [options]

Commands:
${list}

Options:
  -h, --help       show this help (or: hotrestart-tutor <command> --help)
  -V, --version    print the version
  --no-color       no colour (also: NO_COLOR=1, TERM=dumb; output is plain when not a terminal or CI is set)

The interactive tutor (lessons, playground) will open here when run without a command.
`;
}

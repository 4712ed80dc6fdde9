// The top-level help: what `hotrestart-tutor`, `--help` and `help` print.
import { commands } from './index.js';

export function mainHelp(version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `hotrestart-tutor ${version}: learn zero-downtime server restarts by watching real processes' fd tables.

Usage: hotrestart-tutor <command> [options]
       hotrestart-tutor [--lang en|zh]    the tutor: the app at a terminal, the list of lessons elsewhere

Commands:
${list}

Options:
  -h, --help       show this help (or: hotrestart-tutor <command> --help)
  -V, --version    print the version
  --no-color       no colour (also: NO_COLOR=1, TERM=dumb; output is plain when not a terminal or CI is set)
  --lang en|zh     language of the lessons and messages (default: from LC_ALL/LC_MESSAGES/LANG, else English)

Run without a command at a terminal to open the tutor; in it, ? shows the keys.
`;
}

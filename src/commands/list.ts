// `hotrestart-tutor list`: the lessons by chapter with the learner's marks (✔ done, ◐ started, · not yet).
import type { Command, CommandContext } from './context.js';
import { UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { chooseLang, LANG_OPTION, LANG_USAGE, printLessonList } from './tutor.js';

const usage = `Usage: hotrestart-tutor list [--lang en|zh]

Lists the lessons by chapter, each with its mark: ✔ done, ◐ started (with the furthest step), · not yet.

Options:
${LANG_USAGE}
`;

async function run(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, LANG_OPTION, 'hotrestart-tutor list');
  if (positionals.length > 0) throw new UserError(`list takes no arguments, not "${positionals[0]}"; see hotrestart-tutor list --help.`);
  return printLessonList(context, chooseLang(values.lang, context.env));
}

export const listCommand: Command = { usage, run };

// `hotrestart-tutor solution [N|ID] [--code node|go] [--yes]`: prints the reference solution of an
// exercise. After a pass at once; before one only after a y/N confirmation (or --yes without a terminal).
import { basename } from 'node:path';
import type { Command, CommandContext } from './context.js';
import { EXIT_OK, UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { chooseLang, LANG_OPTION, LANG_USAGE, openProgress } from './tutor.js';
import { confirm } from './reset.js';
import { DIR_USAGE, exerciseNamed, findTarget, say } from './exercise-common.js';
import { saveExerciseProgress, updateExercise } from '../exercise/progress.js';
import { variantFiles } from '../exercise/workspace.js';
import type { Code } from '../exercise/types.js';
import type { Lang } from '../lesson/types.js';

const usage = `Usage: hotrestart-tutor solution [N|ID] [--code node|go] [--dir DIR] [--yes] [--lang en|zh]

Prints the reference solution of an exercise, in the language of its workspace (or --code).
Once you have passed the exercise it is shown at once; before that, only after you confirm (y/N),
or with --yes when there is no terminal to ask at.

Options:
  --code node|go  which solution (default: the workspace's language, else node)
${DIR_USAGE}
  --yes         show it without asking
${LANG_USAGE}
`;

async function run(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...LANG_OPTION, dir: { type: 'string' }, code: { type: 'string' }, yes: { type: 'boolean', short: 'y' } }, 'hotrestart-tutor solution');
  const lang = chooseLang(values.lang, context.env);
  if (positionals.length > 1) throw new UserError('solution takes at most one exercise; see hotrestart-tutor solution --help.');
  const exercise = positionals[0] !== undefined ? await exerciseNamed(positionals[0], lang) : (await findTarget(undefined, values.dir, process.cwd(), lang)).exercise;
  if (values.code !== undefined && values.code !== 'node' && values.code !== 'go') throw new UserError(say('badCode', lang, { code: values.code }));
  const code: Code = (values.code as Code | undefined) ?? (await workspaceCode(exercise.folder, values.dir, lang)) ?? 'node';
  const { store, loaded } = openProgress(context.env);
  const passed = loaded.progress.exercises?.[exercise.id]?.status === 'passed';
  const n = { n: exercise.number };
  if (!passed && !values.yes) {
    if (!context.interactive) throw new UserError(say('solutionNeedsYes', lang, n));
    if (!(await confirm(say('solutionAsk', lang, n), context))) {
      context.stdout.write(`${say('solutionKept', lang)}\n`);
      return EXIT_OK;
    }
  }
  for (const [name, text] of variantFiles(exercise, code, 'solution')) {
    context.stdout.write(`===== ${basename(name)} (${code}) =====\n${text}\n`);
  }
  try {
    saveExerciseProgress(store, (progress) => updateExercise(progress, exercise.id, (entry) => ({ ...entry, solutionShown: true })));
  } catch {
    // Shown either way.
  }
  return EXIT_OK;
}

/** The language of the exercise's workspace, when there is one. */
async function workspaceCode(folder: string, dir: string | undefined, lang: Lang): Promise<Code | undefined> {
  try {
    return (await findTarget(folder, dir, process.cwd(), lang)).meta.code;
  } catch {
    return undefined;
  }
}

export const solutionCommand: Command = { usage, run };

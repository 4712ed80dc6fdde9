// `hotrestart-tutor hint [N|ID]`: the next general hint of an exercise, one at a time (the count is kept
// in the progress file). The hint of a failed check is printed by verify under its ✘.
import type { Command, CommandContext } from './context.js';
import { EXIT_OK, UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { chooseLang, LANG_OPTION, LANG_USAGE, openProgress } from './tutor.js';
import { DIR_USAGE, exerciseNamed, findTarget, say } from './exercise-common.js';
import { pick } from '../lesson/i18n.js';
import { saveExerciseProgress } from '../exercise/progress.js';
import { nextHintIndex, recordHint } from '../exercise/hints.js';

const usage = `Usage: hotrestart-tutor hint [N|ID] [--dir DIR] [--lang en|zh]

Prints the next hint of an exercise (one more each time; after the last, the last again). Without N,
the exercise of the workspace in --dir or in the current directory.

Options:
${DIR_USAGE}
${LANG_USAGE}
`;

async function run(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...LANG_OPTION, dir: { type: 'string' } }, 'hotrestart-tutor hint');
  const lang = chooseLang(values.lang, context.env);
  if (positionals.length > 1) throw new UserError('hint takes at most one exercise; see hotrestart-tutor hint --help.');
  const exercise = positionals[0] !== undefined ? await exerciseNamed(positionals[0], lang) : (await findTarget(undefined, values.dir, process.cwd(), lang)).exercise;
  const { store, loaded } = openProgress(context.env);
  const index = nextHintIndex(loaded.progress, exercise.id, exercise.hints.length);
  const lines = [say('hintOf', lang, { i: index + 1, total: exercise.hints.length, n: exercise.number }), `  ${pick(exercise.hints[index], lang)}`];
  if (index === exercise.hints.length - 1) lines.push(say('hintsAllShown', lang));
  context.stdout.write(`${lines.join('\n')}\n`);
  try {
    saveExerciseProgress(store, (progress) => recordHint(progress, exercise.id, index));
  } catch {
    // A hint shown but not counted is no loss.
  }
  return EXIT_OK;
}

export const hintCommand: Command = { usage, run };

// `hotrestart-tutor reset [lesson] [--yes]`: erases recorded progress (one lesson's, or all), after a
// y/N question at a terminal. Without a terminal to ask at, --yes is required: a script must say so.
import { createInterface } from 'node:readline/promises';
import type { Command, CommandContext } from './context.js';
import { EXIT_FAILURE, EXIT_OK, UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { chooseLang, findLesson, LANG_OPTION, LANG_USAGE, loadLessons, openProgress } from './tutor.js';
import { pick, tr } from '../lesson/i18n.js';
import type { Lang } from '../lesson/types.js';

const usage = `Usage: hotrestart-tutor reset [lesson] [--yes] [--lang en|zh]

Erases the recorded progress of one lesson (by number or id), or of every lesson. Asks first (y/N);
when not at a terminal, --yes is required instead.

Options:
  --yes         erase without asking
${LANG_USAGE}
`;

async function run(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...LANG_OPTION, yes: { type: 'boolean', short: 'y' } }, 'hotrestart-tutor reset');
  const lang = chooseLang(values.lang, context.env);
  if (positionals.length > 1) throw new UserError('reset takes at most one lesson; see hotrestart-tutor reset --help.');
  let lessonId: string | undefined;
  let what = tr('resetAll', lang);
  if (positionals.length === 1) {
    const lessons = await loadLessons();
    const lesson = lessons[findLesson(lessons, positionals[0], lang)];
    lessonId = lesson.id;
    what = `${tr('lesson', lang, { n: lesson.number })} (${pick(lesson.title, lang)})`;
  }
  if (!values.yes) {
    if (!context.interactive) throw new UserError(tr('resetNeedsYes', lang));
    if (!(await confirm(tr('resetAsk', lang, { what }), context))) {
      context.stdout.write(`${tr('resetKept', lang)}\n`);
      return EXIT_OK;
    }
  }
  const { store } = openProgress(context.env);
  let erased: boolean;
  try {
    erased = store.erase(lessonId);
  } catch (error) {
    throw new UserError(tr('resetFailed', lang, { path: store.path, reason: failureReason(error, lang) }), EXIT_FAILURE);
  }
  context.stdout.write(`${tr(erased ? 'resetDone' : 'resetNothing', lang)}\n`);
  return EXIT_OK;
}

/** The errno code (EISDIR, ENOTDIR, EACCES) the store or the file system gave, in a few words. */
function failureReason(error: unknown, lang: Lang): string {
  const { reason, code, message } = error as { reason?: string; code?: string; message?: string };
  if (reason === 'newer') return tr('newerReason', lang);
  return reason ?? code ?? String(message ?? error).split('\n')[0];
}

/** y or yes (any case) confirms; anything else, an empty line or end of input keeps the progress. */
export async function confirm(question: string, context: CommandContext): Promise<boolean> {
  const prompt = createInterface({ input: context.stdin, output: context.stdout, terminal: false });
  try {
    const answer = await Promise.race([prompt.question(question), new Promise<string>((resolve) => prompt.once('close', () => resolve('')))]);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    prompt.close();
  }
}

export const resetCommand: Command = { usage, run };

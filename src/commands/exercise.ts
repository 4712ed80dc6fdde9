// `hotrestart-tutor exercise list|start|reset` (alias `ex`): the exercises by chapter with marks; a new
// workspace with the task and the starter (never over an existing one); the starter put back.
import type { Command, CommandContext } from './context.js';
import { EXIT_OK, UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { confirm } from './reset.js';
import { chooseLang, LANG_OPTION, LANG_USAGE, loadLessons, openProgress } from './tutor.js';
import { DIR_USAGE, exerciseNamed, findTarget, say, workspaceRoot } from './exercise-common.js';
import { pick } from '../lesson/i18n.js';
import type { Lang } from '../lesson/types.js';
import { noGoText } from '../exercise/build.js';
import { eraseExercise, exerciseMark, markSymbol, saveExerciseProgress } from '../exercise/progress.js';
import { loadExercises } from '../exercise/registry.js';
import type { Code } from '../exercise/types.js';
import { startWorkspace } from '../exercise/start.js';
import { writeProgramFiles } from '../exercise/workspace.js';

const usage = `Usage: hotrestart-tutor exercise list
       hotrestart-tutor exercise start N|ID [--dir DIR] [--code node|go]
       hotrestart-tutor exercise reset N|ID [--dir DIR] [--yes]
       (alias: hotrestart-tutor ex ...)

list   the exercises by chapter, each with the lesson it builds on and your mark (✔ passed,
       ◐ attempted, · not yet)
start  creates DIR/NN-id (default ./hotrestart-exercises/NN-id) with the task (README.md,
       README.zh-CN.md) and the starter files; an existing folder is never touched (exit 2)
reset  puts the starter files back (your changes to them are lost) and erases the exercise's
       record; asks first, or needs --yes when there is no terminal

Options:
${DIR_USAGE}
  --code node|go  the language of the workspace (default node; go needs a go toolchain on PATH)
  --yes         reset without asking
${LANG_USAGE}
`;

const options = { ...LANG_OPTION, dir: { type: 'string' }, code: { type: 'string' }, yes: { type: 'boolean', short: 'y' } } as const;

async function run(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, options, 'hotrestart-tutor exercise');
  const lang = chooseLang(values.lang, context.env);
  const [action = 'list', name, ...extra] = positionals;
  if (extra.length > 0) throw new UserError(`Unexpected argument "${extra[0]}"; see hotrestart-tutor exercise --help.`);
  if (action === 'list') return list(context, lang);
  if (action !== 'start' && action !== 'reset') throw new UserError(`Unknown action "${action}": use list, start or reset; see hotrestart-tutor exercise --help.`);
  if (name === undefined) throw new UserError(say('nameOne', lang));
  if (action === 'start') return start(name, values.dir, values.code, lang, context);
  return reset(name, values.dir, values.yes === true, lang, context);
}

async function list(context: CommandContext, lang: Lang): Promise<number> {
  const [exercises, lessons] = await Promise.all([loadExercises(), loadLessons()]);
  const { loaded } = openProgress(context.env);
  const lines = [say('listHeader', lang)];
  let chapter = '';
  for (const exercise of exercises) {
    const lesson = lessons.find((candidate) => candidate.id === exercise.lesson);
    const title = lesson ? pick(lesson.chapter, lang) : '';
    if (title !== chapter) {
      chapter = title;
      lines.push('', title);
    }
    const mark = markSymbol(exerciseMark(loaded.progress, exercise.id));
    const after = lesson ? ` (${say('afterLesson', lang, { n: lesson.number })})` : '';
    lines.push(`  ${mark} ${String(exercise.number).padStart(2)}  ${pick(exercise.title, lang)}${after}`, `        ${pick(exercise.summary, lang)}`);
  }
  lines.push('', say('listFooter', lang));
  context.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

function parseCode(value: string | undefined, lang: Lang): Code {
  if (value === undefined || value === 'node') return 'node';
  if (value === 'go') return 'go';
  throw new UserError(say('badCode', lang, { code: value }));
}

async function start(name: string, dir: string | undefined, codeFlag: string | undefined, lang: Lang, context: CommandContext): Promise<number> {
  const exercise = await exerciseNamed(name, lang);
  const code = parseCode(codeFlag, lang);
  const root = workspaceRoot(dir, process.cwd());
  const outcome = await startWorkspace(exercise, code, root, context.env);
  if (outcome.kind === 'no-go') throw new UserError(noGoText[lang]);
  if (outcome.kind === 'exists') throw new UserError(say('exists', lang, { dir: outcome.dir, n: exercise.number }));
  const lines = [say('created', lang, { dir: outcome.dir, code }), ...outcome.files.map((file) => `  ${file}`), say('nextSteps', lang, { n: exercise.number, root })];
  context.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

async function reset(name: string, dir: string | undefined, yes: boolean, lang: Lang, context: CommandContext): Promise<number> {
  const target = await findTarget(name, dir, process.cwd(), lang);
  const values = { n: target.exercise.number, dir: target.workspace };
  if (!yes) {
    if (!context.interactive) throw new UserError(say('resetNeedsYes', lang, values));
    if (!(await confirm(say('resetAsk', lang, values), context))) {
      context.stdout.write(`${say('resetKept', lang)}\n`);
      return EXIT_OK;
    }
  }
  await writeProgramFiles(target.exercise, target.meta.code, 'starter', target.workspace);
  const { store } = openProgress(context.env);
  saveExerciseProgress(store, (progress) => eraseExercise(progress, target.exercise.id));
  context.stdout.write(`${say('resetDone', lang, values)}\n`);
  return EXIT_OK;
}

export const exerciseCommand: Command = { usage, run };

// `hotrestart-tutor` with no command: the interactive tutor at a terminal; elsewhere (a pipe, a file,
// CI) the list of lessons and how to play one, in plain text, without loading Ink or touching raw mode.
// Also the pieces the tutor's commands (list, lesson, progress, reset) share: --lang, finding a
// lesson, opening the progress store, and running with the demo cleanup hooked to every exit path.
import type { Command, CommandContext } from './context.js';
import { EXIT_OK, UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { installExitHandlers, runCleanups, type ExitHandlerOptions } from '../demo/cleanup.js';
import { detectLang, isLang, tr } from '../lesson/i18n.js';
import type { Lang, Lesson } from '../lesson/types.js';
import { progressPath } from '../progress/paths.js';
import { ProgressStore, type LoadedProgress, type ProgressNotice } from '../progress/store.js';
import type { Progress } from '../progress/model.js';
import { saveExerciseProgress } from '../exercise/progress.js';
import { paletteFor } from '../ui/palette.js';
import { buildToc, tocLines } from '../ui/app/toc.js';

/** Options every tutor command takes: the language, and --no-color (already acted on by cli.ts). */
export const LANG_OPTION = { lang: { type: 'string' }, 'no-color': { type: 'boolean' } } as const;
export const LANG_USAGE = '  --lang en|zh  language of the lessons and messages (default: from LC_ALL/LC_MESSAGES/LANG, else English)';

/** --lang wins, then the locale; a value other than en or zh is a usage mistake (exit 2). */
export function chooseLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  if (flag !== undefined && !isLang(flag)) throw new UserError(`Unknown language "${flag}": use --lang en or --lang zh.`);
  return detectLang(flag, env);
}

export async function loadLessons(): Promise<Lesson[]> {
  const lessons = (await import('../../lessons/index.js')).lessons;
  // Each lesson lists the exercises built on it: the table of contents and the summary offer them.
  const { loadExercises } = await import('../exercise/registry.js');
  const exercises = await loadExercises();
  for (const lesson of lessons) {
    lesson.exercises = exercises.filter((exercise) => exercise.lesson === lesson.id).map(({ id, number, title, summary }) => ({ id, number, title, summary }));
  }
  return lessons;
}

/** By number (`5`, `05`), id (`dup-leak`) or file name (`05-dup-leak`); returns the index. */
export function findLesson(lessons: readonly Lesson[], name: string, lang: Lang): number {
  const wanted = name.replace(/\.ts$/, '');
  const index = lessons.findIndex((lesson) => {
    const number = String(lesson.number).padStart(2, '0');
    return (/^\d+$/.test(wanted) && Number(wanted) === lesson.number) || wanted === lesson.id || wanted === `${number}-${lesson.id}`;
  });
  if (index === -1) throw new UserError(tr('unknownLesson', lang, { name }));
  return index;
}

export function openProgress(env: NodeJS.ProcessEnv): { store: ProgressStore; loaded: LoadedProgress } {
  const store = new ProgressStore(progressPath(env));
  return { store, loaded: store.load() };
}

export function noticeText(notice: ProgressNotice | null, lang: Lang): string | null {
  if (!notice) return null;
  if (notice.kind === 'corrupt') return tr('corruptProgress', lang, { path: notice.path, backup: notice.backup });
  if (notice.kind === 'newer') return tr('newerProgress', lang, { path: notice.path });
  if (notice.kind === 'corrupt-kept') return tr('corruptProgressKept', lang, { path: notice.path, reason: notice.reason });
  if (notice.kind === 'dropped') return tr('droppedProgress', lang, { path: notice.path, lessons: notice.lessons.join(', ') });
  return tr('unreadableProgress', lang, { path: notice.path, reason: notice.reason });
}

/** Runs work that starts demo processes: they end however the work ends (return, throw, signal). */
export async function withDemoCleanup<T>(work: () => Promise<T>, options: ExitHandlerOptions = {}): Promise<T> {
  const uninstall = installExitHandlers(options);
  try {
    return await work();
  } finally {
    await runCleanups();
    uninstall();
  }
}

/** An exercise's verify or hint saved from the app, as the exercise commands save it. */
function changeStored(store: ProgressStore, change: (progress: Progress) => Progress): Progress {
  let next: Progress | undefined;
  if (!saveExerciseProgress(store, (progress) => (next = change(progress)))) throw new Error(`${store.path} cannot be written`);
  return next!;
}

/** Opens the app at the terminal (optionally in one lesson) and returns once the learner quits. */
export async function openApp(context: CommandContext, lang: Lang, openLesson?: number): Promise<number> {
  const lessons = await loadLessons();
  const { store, loaded } = openProgress(context.env);
  const { importProductionReact } = await import('../ui/production-react.js');
  const { runApp } = await importProductionReact(() => import('../ui/app/run-app.js'));
  await withDemoCleanup(() =>
    runApp({
      lessons, lang, palette: paletteFor(context.color), progress: loaded.progress, notice: noticeText(loaded.notice, lang), openLesson,
      store: { path: store.path, record: (run) => store.record(run).progress, change: (change) => changeStored(store, change) },
      stdout: context.stdout, stdin: context.stdin, stderr: context.stderr,
    }),
  );
  return EXIT_OK;
}

/** The plain table of contents with marks, and how to play a lesson. */
export async function printLessonList(context: CommandContext, lang: Lang): Promise<number> {
  const lessons = await loadLessons();
  const { loaded } = openProgress(context.env);
  const notice = noticeText(loaded.notice, lang);
  if (notice) context.stderr.write(`${notice}\n`);
  const lines = tocLines(buildToc(lessons, loaded.progress), lang);
  context.stdout.write(`${[...lines, tr('howToPlay', lang)].join('\n')}\n`);
  return EXIT_OK;
}

const usage = `Usage: hotrestart-tutor [--lang en|zh] [--no-color]

At a terminal: opens the interactive tutor (lessons by chapter, live fd tables, quizzes; ? shows the keys).
Elsewhere (not a terminal, or CI set): prints the lessons and how to play one.

Options:
${LANG_USAGE}
`;

async function run(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, LANG_OPTION, 'hotrestart-tutor');
  if (positionals.length > 0) throw new UserError(`Unexpected argument "${positionals[0]}"; see hotrestart-tutor --help.`);
  const lang = chooseLang(values.lang, context.env);
  return context.interactive ? openApp(context, lang) : printLessonList(context, lang);
}

export const tutorCommand: Command = { usage, run };

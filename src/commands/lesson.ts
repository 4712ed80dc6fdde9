// `hotrestart-tutor lesson <number|id> [--plain] [--lang en|zh]`: one lesson, in the app at a terminal,
// in plain text otherwise. A plain run exits 0 when every expectation held on this machine, 1 when one
// did not (or a step failed), and records the result in the progress file either way; a run stopped by a
// signal prints one line saying so and records nothing.
import { Writable } from 'node:stream';
import type { Command, CommandContext } from './context.js';
import { EXIT_FAILURE, EXIT_OK, UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { chooseLang, findLesson, LANG_OPTION, LANG_USAGE, loadLessons, openApp, openProgress, noticeText, withDemoCleanup } from './tutor.js';
import { tr } from '../lesson/i18n.js';
import { playPlain } from '../lesson/plain.js';
import { errorSentence } from '../lesson/runner.js';
import type { Lang, Lesson } from '../lesson/types.js';
import { paletteFor } from '../ui/palette.js';

const usage = `Usage: hotrestart-tutor lesson <number|id> [--plain] [--lang en|zh] [--no-color]

Plays one lesson: e.g. "hotrestart-tutor lesson 5" or "hotrestart-tutor lesson dup-leak".
At a terminal it opens the interactive tutor in that lesson; with --plain, when not at a terminal, or
when CI is set, it prints the lesson as plain text while its demos run.

Options:
  --plain       plain text even at a terminal
${LANG_USAGE}
  --no-color    no colour

Exit codes (plain text): 0 every expectation held on this machine; 1 one did not, or a step failed;
2 a usage mistake, such as an unknown lesson.
`;

async function run(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...LANG_OPTION, plain: { type: 'boolean' } }, 'hotrestart-tutor lesson');
  const lang = chooseLang(values.lang, context.env);
  if (positionals.length !== 1) throw new UserError('Name one lesson, by number or id (hotrestart-tutor lesson 5); hotrestart-tutor list shows them.');
  const lessons = await loadLessons();
  const index = findLesson(lessons, positionals[0], lang);
  if (context.interactive && !values.plain) return openApp(context, lang, index);
  return playAndRecord(lessons[index], lang, context);
}

async function playAndRecord(lesson: Lesson, lang: Lang, context: CommandContext): Promise<number> {
  const { store, loaded } = openProgress(context.env);
  const notice = noticeText(loaded.notice, lang);
  if (notice) context.stderr.write(`${notice}\n`);
  const width = context.stdout.isTTY ? context.stdout.columns || 80 : undefined;
  // Once stopped by a signal, the demo's processes are ended under the running step, which then fails:
  // none of that is the lesson's outcome. One line says it was stopped; the rest is not printed.
  let stopped = false;
  const out = new Writable({
    write(chunk, _encoding, callback) {
      if (!stopped) context.stdout.write(chunk);
      callback();
    },
  });
  const onStop = (signal: NodeJS.Signals) => {
    if (stopped) return;
    stopped = true;
    context.stdout.write(`\n${tr('lessonStopped', lang, { n: lesson.number, signal })}\n`);
  };
  const result = await withDemoCleanup(() => playPlain(lesson, { lang, out, width, palette: paletteFor(context.color) }), { onStop });
  // A stopped run proves nothing about the lesson and records nothing; the exit handler sets the code.
  if (stopped) return EXIT_FAILURE;
  const allHeld = result.failedSteps === 0 && result.held === result.checks;
  try {
    store.record({
      lessonId: lesson.id, complete: allHeld, reached: lesson.steps.length, steps: lesson.steps.length,
      checks: result.checks, held: result.held, quizzes: lesson.steps.filter((step) => step.quiz).length, correct: null, via: 'plain',
    });
  } catch (error) {
    // The lesson's verdict stands; only the record of it is lost.
    context.stderr.write(`${tr('progressNotSaved', lang, { path: store.path, reason: errorSentence(error) })}\n`);
  }
  return allHeld ? EXIT_OK : EXIT_FAILURE;
}

export const lessonCommand: Command = { usage, run };

// `hotrestart-tutor progress`: where progress is stored and what it says, lesson by lesson.
import type { Command, CommandContext } from './context.js';
import { EXIT_OK, UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { chooseLang, LANG_OPTION, LANG_USAGE, loadLessons, noticeText, openProgress } from './tutor.js';
import { tr } from '../lesson/i18n.js';
import { buildToc, tocLine } from '../ui/app/toc.js';

const usage = `Usage: hotrestart-tutor progress [--lang en|zh]

Shows where progress is stored and, for each lesson, whether it is done (every step ran, every check
held and the end was reached), started (how far), or not yet.
The file is $HOTRESTART_TUTOR_HOME/progress.json, else $XDG_STATE_HOME/hotrestart-tutor/progress.json,
else ~/.local/state/hotrestart-tutor/progress.json. hotrestart-tutor reset erases it.

Options:
${LANG_USAGE}
`;

async function run(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, LANG_OPTION, 'hotrestart-tutor progress');
  if (positionals.length > 0) throw new UserError(`progress takes no arguments, not "${positionals[0]}"; see hotrestart-tutor progress --help.`);
  const lang = chooseLang(values.lang, context.env);
  const lessons = await loadLessons();
  const { store, loaded } = openProgress(context.env);
  const notice = noticeText(loaded.notice, lang);
  if (notice) context.stderr.write(`${notice}\n`);
  const entries = buildToc(lessons, loaded.progress).flatMap((chapter) => chapter.entries);
  const recorded = entries.filter((entry) => entry.record);
  const lines = [tr('progressWhere', lang, { path: store.path })];
  if (recorded.length === 0) lines.push(tr('progressNone', lang));
  else {
    lines.push(tr('progressSummary', lang, { done: entries.filter((e) => e.mark === 'done').length, total: entries.length }), '');
    for (const entry of recorded) {
      const r = entry.record!;
      lines.push(`${tocLine(entry, lang)}  (${tr('progressLine', lang, { reached: r.reached, steps: r.steps, held: r.held, checks: r.checks })})`);
    }
  }
  context.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

export const progressCommand: Command = { usage, run };

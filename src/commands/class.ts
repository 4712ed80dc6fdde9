// `hotrestart-tutor class status [HOME...] [--json]`: for an instructor (root, or with read permission),
// a table of learners × exercises from their progress files. A missing or unreadable file is one line
// for that learner; the others are still shown.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command, CommandContext } from './context.js';
import { EXIT_OK, UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { chooseLang, LANG_OPTION, LANG_USAGE } from './tutor.js';
import { say } from './exercise-common.js';
import { progressProblem, type Progress } from '../progress/model.js';
import { markSymbol, exerciseMark } from '../exercise/progress.js';
import { loadExercises } from '../exercise/registry.js';

export const CLASS_SCHEMA = 'hotrestart-tutor/class@1';

const usage = `Usage: hotrestart-tutor class status [HOME...] [--json] [--lang en|zh]

For an instructor: a table of learners × exercises (✔ passed, ◐ attempted, · not yet) read from each
learner's progress file, HOME/.local/state/hotrestart-tutor/progress.json (or HOME/progress.json, or
a progress.json given directly). Without HOME: every directory under /home. Run it as root or with
read permission on those files; one that is missing or unreadable is reported in one line.

Options:
  --json        one document (schema ${CLASS_SCHEMA}) instead of the table
${LANG_USAGE}
`;

interface Learner {
  name: string;
  home: string;
  path: string;
  status: 'ok' | 'missing' | 'unreadable';
  message: string | null;
  progress: Progress | null;
}

function candidates(home: string): string[] {
  if (home.endsWith('.json')) return [home];
  return [join(home, '.local', 'state', 'hotrestart-tutor', 'progress.json'), join(home, 'progress.json')];
}

function readLearner(home: string): Learner {
  const name = basename(home.endsWith('.json') ? join(home, '..') : home);
  const paths = candidates(home);
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      return { name, home, path, status: 'unreadable', message: code ?? String(error), progress: null };
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      const problem = progressProblem(parsed);
      if (problem && problem !== 'newer') return { name, home, path, status: 'unreadable', message: problem, progress: null };
      return { name, home, path, status: 'ok', message: null, progress: parsed as Progress };
    } catch {
      return { name, home, path, status: 'unreadable', message: 'not JSON', progress: null };
    }
  }
  return { name, home, path: paths[0], status: 'missing', message: null, progress: null };
}

function defaultHomes(): string[] {
  try {
    return readdirSync('/home').map((name) => join('/home', name)).filter((path) => statSync(path).isDirectory()).sort();
  } catch {
    return [];
  }
}

async function run(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...LANG_OPTION, json: { type: 'boolean' } }, 'hotrestart-tutor class');
  const lang = chooseLang(values.lang, context.env);
  const [action, ...homesGiven] = positionals;
  if (action !== 'status') throw new UserError('Use hotrestart-tutor class status [HOME...]; see hotrestart-tutor class --help.');
  const homes = homesGiven.length > 0 ? homesGiven : defaultHomes();
  if (homes.length === 0) throw new UserError(say('classNoHomes', lang));
  const exercises = await loadExercises();
  const learners = homes.map(readLearner);
  if (values.json) {
    const document = {
      schema: CLASS_SCHEMA,
      exercises: exercises.map((exercise) => ({ number: exercise.number, id: exercise.id })),
      learners: learners.map((learner) => ({
        name: learner.name, home: learner.home, path: learner.path, status: learner.status, message: learner.message,
        exercises: Object.fromEntries(exercises.map((exercise) => {
          const entry = learner.progress?.exercises?.[exercise.id];
          return [exercise.id, entry ? { status: entry.status, attempts: entry.attempts, lastAt: entry.last.at || null, lastPassed: entry.last.passed, code: entry.last.code } : null];
        })),
      })),
    };
    context.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return EXIT_OK;
  }
  const width = Math.max(8, ...learners.map((learner) => learner.name.length));
  const header = `${say('learner', lang).padEnd(width)}  ${exercises.map((exercise) => String(exercise.number).padStart(2, '0')).join(' ')}   ✔`;
  const lines = [header];
  for (const learner of learners) {
    if (learner.status === 'missing') lines.push(say('classMissing', lang, { who: learner.name, path: learner.path }));
    else if (learner.status === 'unreadable') lines.push(say('classUnreadable', lang, { who: learner.name, path: learner.path, reason: learner.message ?? '' }));
    else {
      const marks = exercises.map((exercise) => exerciseMark(learner.progress!, exercise.id));
      lines.push(`${learner.name.padEnd(width)}  ${marks.map((mark) => ` ${markSymbol(mark)}`).join(' ')}  ${marks.filter((mark) => mark === 'passed').length}`);
    }
  }
  context.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

export const classCommand: Command = { usage, run };

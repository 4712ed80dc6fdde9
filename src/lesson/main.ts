// What `npx tsx lessons/NN-name.ts` runs: the lesson in plain text, exit 0 when every expectation held.
import { fileURLToPath } from 'node:url';
import { installExitHandlers, runCleanups } from '../demo/cleanup.js';
import { detectLang } from './i18n.js';
import { playPlain } from './plain.js';
import type { Lesson } from './types.js';
import { errorSentence } from './runner.js';

/** True when the module at `url` is the program node was asked to run. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(url) === process.argv[1];
}

export async function playLessonMain(lesson: Lesson): Promise<void> {
  const args = process.argv.slice(2);
  const langFlag = args.find((a) => a.startsWith('--lang='))?.slice('--lang='.length) ?? (args.includes('--lang') ? args[args.indexOf('--lang') + 1] : undefined);
  if (langFlag !== undefined && langFlag !== 'en' && langFlag !== 'zh') {
    process.stderr.write(`Unknown language "${langFlag}": use --lang en or --lang zh.\n`);
    process.exit(2);
  }
  installExitHandlers();
  let code = 0;
  try {
    const result = await playPlain(lesson, { lang: detectLang(langFlag), out: process.stdout, width: process.stdout.columns });
    code = result.held === result.checks && result.failedSteps === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`hotrestart-tutor: ${errorSentence(error)}\n`);
    code = 1;
  } finally {
    await runCleanups();
  }
  process.exit(code);
}

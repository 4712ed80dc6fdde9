// `hotrestart-tutor verify [N|ID] [--dir DIR] [--json] [--watch] [--all]`: runs the learner's program
// as real processes, drives it and checks what the kernel shows. Exit 0 all passed, 1 some failed,
// 2 a usage mistake. Results go into the progress file.
import { watch, type FSWatcher } from 'node:fs';
import type { Command, CommandContext } from './context.js';
import { EXIT_FAILURE, EXIT_OK, UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { chooseLang, LANG_OPTION, LANG_USAGE, openProgress, withDemoCleanup } from './tutor.js';
import { allTargets, DIR_USAGE, findTarget, say, type Target } from './exercise-common.js';
import type { Lang } from '../lesson/types.js';
import { findGo, noGoText } from '../exercise/build.js';
import { recordVerify, saveExerciseProgress } from '../exercise/progress.js';
import { formatResult, resultJson, verifierVersion, VERIFY_SCHEMA } from '../exercise/report.js';
import type { VerifyResult } from '../exercise/types.js';
import { runVerify } from '../exercise/run-verify.js';

const usage = `Usage: hotrestart-tutor verify [N|ID] [--dir DIR] [--json] [--watch] [--all] [--lang en|zh]

Starts the program of an exercise workspace as real processes, drives it (signals, clients, a bounded
loopback load, a successor) and checks what the kernel shows. Each check is printed ✔/✘ with its
evidence, and a ✘ with its hint. Without N, the workspace is --dir or the current directory.

Options:
${DIR_USAGE}
  --all         verify every workspace under --dir (one after the other)
  --json        print the verdict as JSON (schema ${VERIFY_SCHEMA}, see the README); with --all one
                document holding every verdict; with --watch one document per line
  --watch       verify again whenever a file of the workspace changes (Enter: now, q: quit)
${LANG_USAGE}

Exit codes: 0 every check passed; 1 a check failed; 2 a usage mistake (unknown exercise, no workspace).
`;

const options = { ...LANG_OPTION, dir: { type: 'string' }, json: { type: 'boolean' }, watch: { type: 'boolean' }, all: { type: 'boolean' } } as const;

async function run(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, options, 'hotrestart-tutor verify');
  const lang = chooseLang(values.lang, context.env);
  if (positionals.length > 1) throw new UserError('verify takes at most one exercise; see hotrestart-tutor verify --help.');
  const cwd = process.cwd();
  if (values.all) {
    if (values.watch) throw new UserError('--all and --watch do not go together; watch one workspace at a time.');
    const targets = await allTargets(values.dir, cwd);
    if (targets.length === 0) throw new UserError(say('noWorkspaces', lang, { dir: values.dir ?? './hotrestart-exercises' }));
    return withDemoCleanup(() => verifyAll(targets, lang, values.json === true, context));
  }
  const target = await findTarget(positionals[0], values.dir, cwd, lang);
  if (target.meta.code === 'go' && !findGo(context.env)) throw new UserError(noGoText[lang]);
  if (values.watch) return withDemoCleanup(() => watchTarget(target, lang, values.json === true, context));
  return withDemoCleanup(async () => {
    const result = await verifyAndRecord(target, lang, context);
    print(result, target, lang, values.json === true, context);
    return result.passed ? EXIT_OK : EXIT_FAILURE;
  });
}

async function verifyAndRecord(target: Target, lang: Lang, context: CommandContext): Promise<VerifyResult> {
  const result = await runVerify(target.exercise, {
    workspace: target.workspace, code: target.meta.code, lang, env: context.env, onWait: () => context.stderr.write(`${say('waitingForSlot', lang)}\n`),
  });
  const { store } = openProgress(context.env);
  let saved = false;
  try {
    saved = saveExerciseProgress(store, (progress) => recordVerify(progress, result, verifierVersion(), new Date()));
  } catch {
    saved = false;
  }
  if (!saved) context.stderr.write(`${say('progressNotSaved', lang, { path: store.path })}\n`);
  return result;
}

function print(result: VerifyResult, target: Target, lang: Lang, json: boolean, context: CommandContext, compact = false): void {
  if (json) context.stdout.write(`${JSON.stringify(resultJson(result, lang), null, compact ? undefined : 2)}\n`);
  else context.stdout.write(`${formatResult(result, target.exercise.title, lang)}\n`);
}

async function verifyAll(targets: Target[], lang: Lang, json: boolean, context: CommandContext): Promise<number> {
  const results: VerifyResult[] = [];
  for (const target of targets) {
    if (target.meta.code === 'go' && !findGo(context.env)) throw new UserError(noGoText[lang]);
    const result = await verifyAndRecord(target, lang, context);
    results.push(result);
    if (!json) context.stdout.write(`${formatResult(result, target.exercise.title, lang)}\n\n`);
  }
  const passed = results.every((result) => result.passed);
  if (json) {
    const document = { schema: VERIFY_SCHEMA, verifierVersion: verifierVersion(), passed, results: results.map((result) => resultJson(result, lang)) };
    context.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  }
  return passed ? EXIT_OK : EXIT_FAILURE;
}

/** Verifies now, then after every change of a workspace file (debounced) or an Enter; q or Ctrl-C ends. */
async function watchTarget(target: Target, lang: Lang, json: boolean, context: CommandContext): Promise<number> {
  let watcher: FSWatcher | undefined;
  let pending = true;
  let last = false;
  let wake: () => void = () => {};
  let quit = false;
  let verifying = false;
  const trigger = () => {
    pending = true;
    wake();
  };
  let debounce: NodeJS.Timeout | undefined;
  try {
    watcher = watch(target.workspace, () => {
      if (verifying) return; // what the program itself writes while it runs is not an edit
      clearTimeout(debounce);
      debounce = setTimeout(trigger, 300);
    });
    if (!json) context.stderr.write(`${say('watching', lang, { dir: target.workspace })}\n`);
  } catch {
    context.stderr.write(`${say('watchKeysOnly', lang)}\n`);
  }
  const stdin = context.stdin;
  const onKey = (chunk: Buffer) => {
    const key = chunk.toString();
    if (key === 'q' || key === '\u0003' || key === '\u001b') {
      quit = true;
      wake();
    } else trigger();
  };
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  stdin.on('data', onKey);
  stdin.once('end', () => {
    if (!watcher) {
      quit = true;
      wake();
    }
  });
  try {
    while (!quit) {
      if (pending) {
        pending = false;
        verifying = true;
        const result = await verifyAndRecord(target, lang, context).finally(() => (verifying = false));
        last = result.passed;
        print(result, target, lang, json, context, true);
      }
      if (!pending && !quit) await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    watcher?.close();
    clearTimeout(debounce);
    stdin.off('data', onKey);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  }
  return last ? EXIT_OK : EXIT_FAILURE;
}

export const verifyCommand: Command = { usage, run };

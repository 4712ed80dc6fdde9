// The exercise screen's side effects: loading the exercise and its README, finding its workspace,
// creating it as `exercise start` does (s, S), and running the same verifier as `hotrestart-tutor
// verify` (slot, real processes, deadline) with its checks reported as they come. Esc/Ctrl-C (stop) or
// leaving the screen aborts the verify; the verifier then ends every process it started before the
// screen says "stopped".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCallback, useEffect, useRef, useState } from 'react';
import { findGo, noGoText } from '../../exercise/build.js';
import { cliText } from '../../exercise/cli-text.js';
import { nextHintIndex, recordHint } from '../../exercise/hints.js';
import { recordVerify } from '../../exercise/progress.js';
import { loadExercises, type Exercise } from '../../exercise/registry.js';
import { verifierVersion } from '../../exercise/report.js';
import { runVerify } from '../../exercise/run-verify.js';
import { startWorkspace } from '../../exercise/start.js';
import type { CheckOutcome, Code } from '../../exercise/types.js';
import { readWorkspaceMeta } from '../../exercise/workspace.js';
import { fill, pick } from '../../lesson/i18n.js';
import type { Lang, Text } from '../../lesson/types.js';
import type { Progress } from '../../progress/model.js';
import type { LiveVerify, StartNotice } from '../app/exercise-layout.js';

export interface ExerciseRunnerOptions {
  id: string;
  lang: Lang;
  /** The folder of workspaces (the CLI's default: ./hotrestart-exercises). */
  root: string;
  progress: Progress;
  /** Saves a change of the progress file; returns why it could not, or null. */
  changeProgress(change: (progress: Progress) => Progress): string | null;
  env?: NodeJS.ProcessEnv;
}

export interface ExerciseRunner {
  exercise: Exercise | null;
  readme: Text | null;
  workspace: { dir: string; code: Code } | null;
  live: LiveVerify | null;
  hint: { index: number; total: number; text: Text } | null;
  /** What the last s or S did; cleared by a verify. */
  started: StartNotice | null;
  running: boolean;
  verify(): void;
  /** Creates the workspace in that language, never over an existing folder. */
  start(code: Code): void;
  /** Stops a running verify; false when none runs. */
  stop(): boolean;
  nextHint(): void;
}

function readText(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

function findWorkspace(exercise: Exercise, root: string): { dir: string; code: Code } | null {
  const dir = join(root, exercise.folder);
  const meta = readWorkspaceMeta(dir);
  return meta?.exercise === exercise.folder ? { dir, code: meta.code } : null;
}

export function useExerciseRunner({ id, lang, root, progress, changeProgress, env = process.env }: ExerciseRunnerOptions): ExerciseRunner {
  const [exercise, setExercise] = useState<Exercise | null>(null);
  const [readme, setReadme] = useState<Text | null>(null);
  const [workspace, setWorkspace] = useState<{ dir: string; code: Code } | null>(null);
  const [live, setLive] = useState<LiveVerify | null>(null);
  const [hint, setHint] = useState<ExerciseRunner['hint']>(null);
  const [started, setStarted] = useState<StartNotice | null>(null);
  const controller = useRef<AbortController | null>(null);
  const starting = useRef(false);

  useEffect(() => {
    let current = true;
    void loadExercises().then((all) => {
      const found = all.find((candidate) => candidate.id === id);
      if (!current || !found) return;
      const en = readText(join(found.assetDir, 'README.md'));
      const zh = readText(join(found.assetDir, 'README.zh-CN.md'));
      setExercise(found);
      setReadme(en || zh ? { en: en ?? zh ?? '', zh: zh ?? en ?? '' } : null);
      setWorkspace(findWorkspace(found, root));
    });
    return () => {
      current = false;
    };
  }, [id, root]);
  // Leaving the screen (q, quitting the app) stops a verify that still runs.
  useEffect(() => () => controller.current?.abort(), []);

  const running = live !== null && ['waiting', 'running', 'stopping'].includes(live.phase);

  const verify = useCallback(() => {
    // Not while s is still writing the workspace: a verify would find it half made.
    if (!exercise || controller.current || starting.current) return;
    const error = (message: string) => setLive({ phase: 'error', checks: [], result: null, message });
    // Looked up again: the learner may have created it in another terminal meanwhile.
    const found = findWorkspace(exercise, root);
    setWorkspace(found);
    setStarted(null);
    if (!found) return error(fill(pick(cliText.noWorkspace, lang), { n: exercise.number, dir: join(root, exercise.folder) }));
    if (found.code === 'go' && !findGo(env)) return error(noGoText[lang]);
    const abort = new AbortController();
    controller.current = abort;
    setLive({ phase: 'running', checks: [], result: null, message: null });
    const onCheck = (outcome: CheckOutcome) =>
      setLive((before) => {
        if (!before || abort.signal.aborted) return before;
        const known = before.checks.some((check) => check.id === outcome.id);
        return { ...before, checks: known ? before.checks.map((check) => (check.id === outcome.id ? outcome : check)) : [...before.checks, outcome] };
      });
    runVerify(exercise, {
      workspace: found.dir, code: found.code, lang, env, signal: abort.signal, onCheck,
      onWait: () => setLive((before) => before && { ...before, phase: 'waiting' }),
      onStart: () => setLive((before) => before && { ...before, phase: 'running' }),
    }).then(
      (result) => {
        if (abort.signal.aborted) return setLive({ phase: 'stopped', checks: [], result: null, message: null });
        // Recorded as the CLI records it: the menu's mark and the "last verify" come from the file.
        const unsaved = changeProgress((before) => recordVerify(before, result, verifierVersion(), new Date()));
        setLive({ phase: 'done', checks: result.checks, result, message: unsaved });
      },
      (failure: unknown) => {
        if (abort.signal.aborted) setLive({ phase: 'stopped', checks: [], result: null, message: null });
        else error(failure instanceof Error ? failure.message.split('\n')[0] : String(failure));
      },
    ).finally(() => {
      if (controller.current === abort) controller.current = null;
    });
  }, [exercise, root, lang, env, changeProgress]);

  const start = useCallback(
    (code: Code) => {
      if (!exercise || controller.current || starting.current) return;
      starting.current = true;
      startWorkspace(exercise, code, root, env)
        .then(
          (outcome) => {
            if (outcome.kind === 'created') setWorkspace({ dir: outcome.dir, code: outcome.code });
            // Made in another terminal meanwhile, perhaps: the screen names what is there now.
            if (outcome.kind === 'exists') setWorkspace(findWorkspace(exercise, root));
            setStarted(outcome);
          },
          (failure: unknown) => setStarted({ kind: 'failed', reason: failure instanceof Error ? failure.message.split('\n')[0] : String(failure) }),
        )
        .finally(() => {
          starting.current = false;
        });
    },
    [exercise, root, env],
  );

  const stop = useCallback(() => {
    if (!controller.current || controller.current.signal.aborted) return controller.current !== null;
    controller.current.abort();
    setLive((before) => before && { ...before, phase: 'stopping' });
    return true;
  }, []);

  const nextHint = useCallback(() => {
    if (!exercise || exercise.hints.length === 0) return;
    const index = nextHintIndex(progress, exercise.id, exercise.hints.length);
    setHint({ index, total: exercise.hints.length, text: exercise.hints[index] });
    changeProgress((before) => recordHint(before, exercise.id, index)); // a hint shown but not counted is no loss
  }, [exercise, progress, changeProgress]);

  return { exercise, readme, workspace, live, hint, started, running, verify, start, stop, nextHint };
}

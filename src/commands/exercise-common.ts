// What the exercise commands (exercise, verify, hint, solution) share: finding the exercise and its
// workspace from the arguments, and the progress store.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from './errors.js';
import { fill, pick } from '../lesson/i18n.js';
import type { Lang } from '../lesson/types.js';
import { cliText } from '../exercise/cli-text.js';
import { findExercise, loadExercises, type Exercise } from '../exercise/registry.js';
import { DEFAULT_ROOT, readWorkspaceMeta, type WorkspaceMeta } from '../exercise/workspace.js';

export const DIR_USAGE = '  --dir DIR     the folder of exercise workspaces (default ./hotrestart-exercises), or one workspace';

export function say(key: keyof typeof cliText, lang: Lang, values: Record<string, string | number> = {}): string {
  return fill(pick(cliText[key], lang), values);
}

export async function exerciseNamed(name: string, lang: Lang): Promise<Exercise> {
  const exercise = findExercise(await loadExercises(), name);
  if (!exercise) throw new UserError(say('unknownExercise', lang, { name }));
  return exercise;
}

export interface Target {
  exercise: Exercise;
  workspace: string;
  meta: WorkspaceMeta;
}

/** The workspace root: --dir, else ./hotrestart-exercises. */
export function workspaceRoot(dir: string | undefined, cwd: string): string {
  return resolve(cwd, dir ?? DEFAULT_ROOT);
}

/** Finds the workspace: --dir or the current directory when it is one, else ROOT/NN-id. */
export async function findTarget(name: string | undefined, dir: string | undefined, cwd: string, lang: Lang): Promise<Target> {
  const exercises = await loadExercises();
  const candidates = [dir ? resolve(cwd, dir) : undefined, cwd].filter((path): path is string => path !== undefined);
  if (name === undefined) {
    for (const path of candidates) {
      const meta = readWorkspaceMeta(path);
      const exercise = meta && findExercise(exercises, meta.exercise);
      if (meta && exercise) return { exercise, workspace: path, meta };
    }
    throw new UserError(say('nameOne', lang));
  }
  const exercise = await exerciseNamed(name, lang);
  for (const path of candidates) {
    const meta = readWorkspaceMeta(path);
    if (meta?.exercise === exercise.folder) return { exercise, workspace: path, meta };
  }
  const workspace = join(workspaceRoot(dir, cwd), exercise.folder);
  const meta = readWorkspaceMeta(workspace);
  if (!meta) throw new UserError(say('noWorkspace', lang, { n: exercise.number, dir: workspace }));
  return { exercise, workspace, meta };
}

/** Every workspace under the root (or the root itself when it is one), by exercise number. */
export async function allTargets(dir: string | undefined, cwd: string): Promise<Target[]> {
  const exercises = await loadExercises();
  const root = workspaceRoot(dir, cwd);
  const paths = readWorkspaceMeta(root) ? [root] : existsSync(root) ? readdirSync(root).map((name) => join(root, name)) : [];
  const targets: Target[] = [];
  for (const path of paths) {
    const meta = readWorkspaceMeta(path);
    const exercise = meta && findExercise(exercises, meta.exercise);
    if (meta && exercise) targets.push({ exercise, workspace: path, meta });
  }
  return targets.sort((a, b) => a.exercise.number - b.exercise.number);
}

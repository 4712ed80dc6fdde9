// Exercises are discovered from folders: exercises/NN-id/ with an exercise module (exercise.ts, or
// exercise.js once compiled into dist/) that default-exports its definition. Adding an exercise is
// adding a folder; nothing shared lists them.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { ExerciseDefinition } from './types.js';

export const FOLDER_PATTERN = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

export interface Exercise extends ExerciseDefinition {
  /** NN-id */
  folder: string;
  /** Absolute path of the folder holding README.md, node/, go/ and wrong/. */
  assetDir: string;
}

const fromSources = import.meta.url.endsWith('.ts');

/** Where the exercise modules are: exercises/ beside src/ (sources), or dist/exercises (compiled). */
function moduleRoot(): string {
  return fileURLToPath(new URL('../../exercises/', import.meta.url));
}

/** Where the task files and starters are: always the exercises/ folder of the package (from dist/src/exercise
 *  that is three levels up, since only the modules are compiled). */
export function assetRoot(): string {
  const near = fileURLToPath(new URL('../../exercises/', import.meta.url));
  if (fromSources) return near;
  const packaged = fileURLToPath(new URL('../../../exercises/', import.meta.url));
  return existsSync(packaged) ? packaged : near;
}

let cache: Promise<Exercise[]> | undefined;

/** Every exercise, by number. A folder whose module is missing or inconsistent is an error naming it. */
export function loadExercises(): Promise<Exercise[]> {
  cache ??= discover();
  return cache;
}

async function discover(): Promise<Exercise[]> {
  const root = moduleRoot();
  const assets = assetRoot();
  const folders = existsSync(root) ? readdirSync(root).filter((name) => FOLDER_PATTERN.test(name)).sort() : [];
  const exercises: Exercise[] = [];
  for (const folder of folders) {
    const file = join(root, folder, fromSources ? 'exercise.ts' : 'exercise.js');
    if (!existsSync(file)) continue; // a folder being written; the maintainer test requires the module
    const definition = ((await import(pathToFileURL(file).href)) as { default: ExerciseDefinition }).default;
    const [, number, id] = FOLDER_PATTERN.exec(folder)!;
    if (definition?.id !== id || definition.number !== Number(number)) {
      throw new Error(`exercises/${folder}/exercise: id and number must match the folder (${id}, ${Number(number)})`);
    }
    exercises.push({ ...definition, folder, assetDir: join(assets, folder) });
  }
  return exercises;
}

/** By number (`1`, `01`), id (`close-dup`) or folder name (`01-close-dup`); undefined when none matches. */
export function findExercise(exercises: readonly Exercise[], name: string): Exercise | undefined {
  return exercises.find((exercise) => (/^\d+$/.test(name) && Number(name) === exercise.number) || name === exercise.id || name === exercise.folder);
}

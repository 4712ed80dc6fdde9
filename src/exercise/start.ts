// Starting an exercise: its workspace ROOT/NN-id with the task and the starter, as `exercise start N`
// and the app's exercise screen (s, S) both do it. Never over an existing folder; Go only with a go
// command on PATH. A creation that fails half-way removes what it wrote: a fault leaves no folder.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findGo } from './build.js';
import type { Exercise } from './registry.js';
import type { Code } from './types.js';
import { createWorkspace } from './workspace.js';

export type StartOutcome =
  | { kind: 'created'; dir: string; code: Code; files: readonly string[] }
  | { kind: 'exists'; dir: string }
  | { kind: 'no-go' };

export async function startWorkspace(exercise: Exercise, code: Code, root: string, env: NodeJS.ProcessEnv): Promise<StartOutcome> {
  if (code === 'go' && !findGo(env)) return { kind: 'no-go' };
  const dir = join(root, exercise.folder);
  if (existsSync(dir)) return { kind: 'exists', dir };
  try {
    return { kind: 'created', dir, code, files: await createWorkspace(exercise, code, 'starter', dir) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

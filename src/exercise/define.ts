// What an exercise module imports: defineExercise (a typed identity, so a folder's exercise.ts is
// checked by the compiler) and the kit a scenario uses. See exercises/ADDING.md and the README.
export type { CheckSpec, Code, ExerciseDefinition, Text, WrongVariant } from './types.js';
export type { ListenerFound, StartOptions, VerifyContext } from './context.js';
export type { ProgramRun } from './program.js';
export * from './kernel.js';
export * from './clients.js';
import type { ExerciseDefinition } from './types.js';

export function defineExercise(definition: ExerciseDefinition): ExerciseDefinition {
  return definition;
}
export * from './common-checks.js';

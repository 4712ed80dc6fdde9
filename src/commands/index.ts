// The subcommands. Each is a module loaded only when it runs; this file stays free of heavy imports.
import type { CommandEntry } from './context.js';

export const commands: readonly CommandEntry[] = [
  {
    name: 'list',
    summary: 'the lessons by chapter, with your progress marks',
    load: async () => (await import('./list.js')).listCommand,
  },
  {
    name: 'lesson',
    summary: 'play one lesson: lesson 5, or lesson dup-leak (--plain for plain text)',
    load: async () => (await import('./lesson.js')).lessonCommand,
  },
  {
    name: 'progress',
    summary: 'where your progress is stored, and which lessons are done',
    load: async () => (await import('./progress.js')).progressCommand,
  },
  {
    name: 'reset',
    summary: 'erase the progress of one lesson, or of all (asks first; --yes when not at a terminal)',
    load: async () => (await import('./reset.js')).resetCommand,
  },
  {
    name: 'fds',
    summary: 'show the fd tables of running processes, lsof-style (--watch for a live view, --json for scripts)',
    load: async () => (await import('./fds.js')).fdsCommand,
  },
  {
    name: 'exercise',
    summary: 'exercises: list, start N [--code node|go], reset N (alias: ex)',
    load: async () => (await import('./exercise.js')).exerciseCommand,
  },
  {
    name: 'ex',
    summary: 'the same as exercise',
    load: async () => (await import('./exercise.js')).exerciseCommand,
  },
  {
    name: 'verify',
    summary: 'check an exercise workspace on real processes: verify [N] [--dir DIR] [--json] [--watch] [--all]',
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    name: 'hint',
    summary: 'the next hint of an exercise, one at a time',
    load: async () => (await import('./hint.js')).hintCommand,
  },
  {
    name: 'solution',
    summary: 'the reference solution of an exercise (after a pass; before one only if you confirm)',
    load: async () => (await import('./solution.js')).solutionCommand,
  },
  {
    name: 'class',
    summary: 'class status [HOME...] [--json]: learners × exercises, for an instructor',
    load: async () => (await import('./class.js')).classCommand,
  },
];

export function findCommand(name: string): CommandEntry | undefined {
  return commands.find((command) => command.name === name);
}

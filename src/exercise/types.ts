// What an exercise is, and what its checks record. An exercise is a folder exercises/NN-id/ whose
// exercise.ts default-exports an ExerciseDefinition (see define.ts); the verifier (verify.ts) runs its
// scenario against the learner's program and turns the recorded outcomes into a VerifyResult.
import type { Lang, Text } from '../lesson/types.js';
import type { VerifyContext } from './context.js';

export type { Lang, Text };

/** The language a workspace is written in. */
export type Code = 'node' | 'go';
export const CODES: readonly Code[] = ['node', 'go'];

/** One thing the verifier checks, declared up front so a report lists every check even when the
 *  program crashed before the scenario reached it. */
export interface CheckSpec {
  /** Stable, kebab-case: autograders and wrong-variant metadata name checks by it. */
  id: string;
  /** The claim, e.g. "no LISTEN socket is left after SIGTERM". */
  title: Text;
  /** Shown under a ✘ of this check: what to look at, never the answer. */
  hint: Text;
}

/** A known-wrong solution that must fail on the named check (the maintainer test makes sure). */
export interface WrongVariant {
  /** Folder under wrong/, holding the program files of `code` (they replace the solution's). */
  dir: string;
  code: Code;
  /** The check id it must fail. */
  fails: string;
  /** What the mistake is, for the test's name. */
  mistake: string;
}

export interface ExerciseDefinition {
  /** Kebab-case id, equal to the folder name without its number: exercises/01-close-dup -> close-dup. */
  id: string;
  /** Equal to the folder's number. */
  number: number;
  /** Id of the lesson this exercise builds on (its chapter is the lesson's). */
  lesson: string;
  title: Text;
  /** One line for `exercise list` and the lesson summary. */
  summary: Text;
  /** The file the verifier runs: node <entry.node>, or go build of the workspace's package main. */
  entry: { node: string; go: string };
  checks: CheckSpec[];
  /** General hints, given one at a time by `hotrestart-tutor hint`. */
  hints: Text[];
  wrong: WrongVariant[];
  /** Upper bound for one whole verify (scenario included); past it the verdict is ✘ "timed out". */
  timeoutMs: number;
  /** Drives the program and records every check through ctx.pass / ctx.fail. */
  scenario(ctx: VerifyContext): Promise<void>;
}

export type CheckStatus = 'pass' | 'fail' | 'not-run';

export interface CheckOutcome {
  id: string;
  status: CheckStatus;
  title: Text;
  /** Why it passed or failed, one sentence. */
  detail: Text | null;
  /** What the kernel showed: fd rows, counts (language-neutral lines). */
  evidence: string[];
  /** The check's hint, for a fail only. */
  hint: Text | null;
}

/** Why the program could not be checked to the end: one sentence, and a kind autograders can sort by. */
export type FaultKind = 'build' | 'crash' | 'output' | 'fork-loop' | 'timeout' | 'no-listener' | 'setup';
export interface Fault {
  kind: FaultKind;
  message: Text;
}

export interface VerifyResult {
  exercise: { number: number; id: string };
  code: Code;
  workspace: string;
  startedAt: Date;
  durationMs: number;
  passed: boolean;
  fault: Fault | null;
  checks: CheckOutcome[];
  /** The last lines the program printed (stdout and stderr together), for a failed verify. */
  outputTail: string;
}

// One verify: build or locate the program, run the exercise's scenario against it under a deadline,
// and end every process it started, whatever happened. Returns the verdict; never throws for anything
// the learner's program does.
import { rmSync } from 'node:fs';
import { makeRunDir, planRun } from '../demo/run.js';
import { ENV } from '../demo/run.js';
import { programFor, type ProgramCommand } from './build.js';
import { FaultError, Harness, type StartOptions } from './context.js';
import { ProgramRun } from './program.js';
import type { Exercise } from './registry.js';
import { faultText } from './text.js';
import type { CheckOutcome, Code, Fault, Lang, VerifyResult } from './types.js';
import { sealInheritedFds } from '../sys/inherited-fds.js';

export interface VerifyOptions {
  workspace: string;
  code: Code;
  lang: Lang;
  /** Parent of the private directory (default os.tmpdir()). */
  tmpRoot?: string;
  /** Overrides the exercise's timeoutMs (tests of the verifier itself). */
  timeoutMs?: number;
  maxProcesses?: number;
  maxOutputBytes?: number;
  /** Stops the verify early (the app's Esc/Ctrl-C): every process it started is ended, as on a timeout. */
  signal?: AbortSignal;
  /** Called with each check as the scenario records it, for a live ✔/✘ display. */
  onCheck?: (outcome: CheckOutcome) => void;
}

/** The environment the learner's program gets: nothing of ours but what it needs. */
function programEnv(command: ProgramCommand, runId: string, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'USER', 'LOGNAME'];
  const base = Object.fromEntries(keep.filter((key) => process.env[key] !== undefined).map((key) => [key, process.env[key]!]));
  return { ...base, ...extra, ...command.env, [ENV.run]: runId, EXERCISE_DIR: dir, TMPDIR: dir };
}

export async function verifyWorkspace(exercise: Exercise, options: VerifyOptions): Promise<VerifyResult> {
  // Fds leaked to this process would reach the learner's program, and its leak checks would count them.
  await sealInheritedFds();
  const startedAt = new Date();
  const run = planRun(options.tmpRoot);
  makeRunDir(run);
  const timeoutMs = options.timeoutMs ?? exercise.timeoutMs;
  let command: ProgramCommand | undefined;
  // Every program started, and the starts still in flight: a deadline or a stop can come while one is
  // starting, and its program must be stopped with the others, not left running after the verify.
  const started: ProgramRun[] = [];
  const starting = new Set<Promise<ProgramRun>>();
  const startProgram = async (start: StartOptions, dir: string): Promise<ProgramRun> => {
    command ??= await programFor(options.code, options.workspace, exercise.entry);
    if (harness.signal.aborted) throw new FaultError({ kind: 'timeout', message: faultText.stopped });
    try {
      const programRun = await ProgramRun.start({
        command: command.command, args: [...command.args, ...(start.args ?? [])], cwd: options.workspace,
        env: programEnv(command, run.runId, dir, start.env), runId: run.runId,
        maxProcesses: options.maxProcesses, maxOutputBytes: options.maxOutputBytes, runDir: run.dir,
      });
      started.push(programRun);
      return programRun;
    } catch (error) {
      throw new FaultError({ kind: 'setup', message: faultText.startFailed(error instanceof Error ? error.message : String(error)) });
    }
  };
  const harness = new Harness({ ...exercise, timeoutMs }, options.lang, options.code, run.dir, (start, dir) => {
    const task = startProgram(start, dir);
    starting.add(task);
    void task.finally(() => starting.delete(task)).catch(() => {});
    return task;
  });
  harness.onOutcome = options.onCheck;
  let fault: Fault | null = null;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      harness.abort();
      reject(new FaultError({ kind: 'timeout', message: faultText.timeout(timeoutMs) }));
    }, timeoutMs);
    onAbort = () => {
      harness.abort();
      reject(new FaultError({ kind: 'timeout', message: faultText.stopped }));
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([exercise.scenario(harness), deadline]);
  } catch (error) {
    if (!(error instanceof FaultError)) throw error;
    fault = error.fault;
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
  let outputTail = '';
  await Promise.allSettled([...starting]);
  try {
    const tails = await Promise.all(harness.runs.map((programRun) => programRun.tail()));
    outputTail = tails.map((tail) => tail.text).join('\n').trim().split('\n').slice(-12).join('\n');
  } finally {
    await Promise.all(started.map((programRun) => programRun.stop()));
    rmSync(run.dir, { recursive: true, force: true });
  }
  const checks = harness.outcomesWith(fault ? faultText.notReached(fault.message) : { en: 'Not checked.', zh: '未检查。' });
  return {
    exercise: { number: exercise.number, id: exercise.id },
    code: options.code,
    workspace: options.workspace,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    passed: fault === null && checks.every((check) => check.status === 'pass'),
    fault,
    checks,
    outputTail: outputTail ? outputTail : '',
  };
}


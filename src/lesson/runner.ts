// Runs one step: its action on real processes, then each expectation against what the kernel shows.
// Failures become outcomes (a failed step, a ✘ expectation), never exceptions past this point.
import { forLesson, LessonActionError, type CheckResult, type LessonContext, type Step, type Text } from './types.js';
import { asText } from './i18n.js';
import type { ExpectationOutcome } from './player.js';
import { PuppetStartError } from '../demo/puppet-start-error.js';

export type StepRunResult =
  | { status: 'done'; expectations: ExpectationOutcome[] }
  | { status: 'failed'; error: Text }
  | { status: 'cancelled' };

function normalise(result: CheckResult | boolean): ExpectationOutcome {
  if (typeof result === 'boolean') return { ok: result };
  return result.skipped ? { ok: false, skipped: true, detail: result.detail } : { ok: result.ok, detail: result.detail };
}

export function errorSentence(error: unknown): string {
  if (error instanceof LessonActionError) return error.message;
  if (error instanceof Error) return error.message.split('\n')[0];
  return String(error);
}

/** The sentence in both languages: the Text of a LessonActionError or of a demo process that did not come
 *  up (PuppetStartError), else the error's own (English) sentence. */
export function errorText(error: unknown): Text {
  return error instanceof LessonActionError || error instanceof PuppetStartError ? error.text : asText(errorSentence(error));
}

/** Runs only the action (used to replay earlier steps when a step is re-run from scratch). */
export async function runAction(step: Step, ctx: LessonContext): Promise<void> {
  if (step.run) await step.run(forLesson(ctx));
}

export interface StepRunOptions {
  /** A negative control (src/lesson/control.ts): the step's action is skipped and only its checks are
   *  made, on the processes as the earlier steps left them. Checks that still all hold would pass for the
   *  wrong reason. */
  sabotage?: 'skip-action';
}

export async function runStep(step: Step, ctx: LessonContext, options: StepRunOptions = {}): Promise<StepRunResult> {
  if (options.sabotage !== 'skip-action') {
    try {
      await runAction(step, ctx);
    } catch (error) {
      if (ctx.signal.aborted) return { status: 'cancelled' };
      ctx.log(errorText(error), 'error');
      return { status: 'failed', error: errorText(error) };
    }
  }
  const expectations: ExpectationOutcome[] = [];
  for (const expectation of step.expect ?? []) {
    try {
      expectations.push(normalise(await expectation.check(forLesson(ctx))));
    } catch (error) {
      if (ctx.signal.aborted) return { status: 'cancelled' };
      expectations.push({ ok: false, detail: ctx.t(errorText(error)) });
    }
  }
  return { status: 'done', expectations };
}

// Negative controls, as rustlings checks that every exercise's starter fails: a lesson is played with
// each step's checks made twice, first with the step's action skipped (on the processes as the earlier
// steps left them), then after the action ran as usual. Without its action a step must see at least one
// ✘: checks that all still hold would pass for the wrong reason (a misspelt variable, a claim that was
// already true before). A step without an action of its own, or whose action only looks (looksOnly), is
// checked without the last action before it that changed something.
import { Writable } from 'node:stream';
import { Supervisor } from '../demo/supervisor.js';
import { createLessonContext } from './context.js';
import type { ExpectationOutcome } from './player.js';
import { runStep, type StepRunResult } from './runner.js';
import type { Lang, Lesson } from './types.js';

export interface ControlOptions {
  lang: Lang;
  /** A check waiting for what a skipped action would have done stops waiting after this (default 1 s). */
  waitCapMs?: number;
  /** The syscall and event log, for a failure's explanation (default: dropped). */
  log?: Writable;
}

export interface ControlStep {
  index: number;
  id: string;
  /** The index of the step whose action was skipped for these checks (this step's, or the last before it). */
  actionOf: number;
  /** The checks made with that action skipped; null when no earlier step has an action. */
  withoutAction: ExpectationOutcome[] | null;
  /** The step played as usual afterwards. */
  played: StepRunResult;
}

/** True when the checks made without their action told that it was missing: some check ran and failed. */
export function caught(outcomes: ExpectationOutcome[] | null): boolean {
  return outcomes !== null && outcomes.some((o) => !o.ok && !o.skipped);
}

export async function playControl(lesson: Lesson, options: ControlOptions): Promise<ControlStep[]> {
  const cap = options.waitCapMs ?? 1000;
  const out = options.log;
  const supervisor = await Supervisor.start();
  const abort = new AbortController();
  // One context for both: objects a check makes and keeps in vars (a demo driver) hold it. Only the waits
  // of checks made without their action are shorter.
  let skipping = false;
  const ctx = createLessonContext({
    supervisor,
    lang: options.lang,
    signal: abort.signal,
    onLog: (entry) => out?.write(`  ${entry.source}: ${entry.text}\n`),
    waitCapMs: () => (skipping ? cap : Infinity),
  });
  const steps: ControlStep[] = [];
  try {
    const withoutAction = new Map<number, ExpectationOutcome[]>();
    let actionOf = -1;
    const acts = (index: number) => lesson.steps[index].run !== undefined && !lesson.steps[index].looksOnly;
    for (const [index, step] of lesson.steps.entries()) {
      if (acts(index)) {
        actionOf = index;
        // This step's checks, and those of the following steps that do not act themselves.
        for (let j = index; j < lesson.steps.length && (j === index || !acts(j)); j++) {
          if (!lesson.steps[j].expect?.length) continue;
          out?.write(`-- step ${j + 1}: checks without the action of step ${index + 1}\n`);
          skipping = true;
          const result = await runStep(lesson.steps[j], ctx, { sabotage: 'skip-action' }).finally(() => (skipping = false));
          withoutAction.set(j, result.status === 'done' ? result.expectations : [{ ok: false, detail: result.status }]);
        }
      }
      out?.write(`-- step ${index + 1}: played\n`);
      const played = await runStep(step, ctx);
      steps.push({ index, id: step.id, actionOf, withoutAction: withoutAction.get(index) ?? null, played });
      if (played.status !== 'done') break;
    }
  } finally {
    abort.abort();
    await supervisor.stop();
  }
  return steps;
}

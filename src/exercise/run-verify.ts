// One verify as the CLI and the app both run it: wait for a machine-wide slot (one per core, so a class
// verifying at once queues instead of overloading the box), then verify the workspace. Recording the
// result is the caller's (the CLI and the app hold the progress file differently).
import type { Exercise } from './registry.js';
import { acquireSlot, slotCount } from './slots.js';
import type { CheckOutcome, Code, Lang, VerifyResult } from './types.js';
import { verifyWorkspace } from './verify.js';

export interface RunVerifyOptions {
  workspace: string;
  code: Code;
  lang: Lang;
  env?: NodeJS.ProcessEnv;
  /** Called once when the verify has to wait for a slot. */
  onWait?: () => void;
  /** Called once the slot is held and the verify begins. */
  onStart?: () => void;
  signal?: AbortSignal;
  onCheck?: (outcome: CheckOutcome) => void;
}

export async function runVerify(exercise: Exercise, options: RunVerifyOptions): Promise<VerifyResult> {
  const slot = await acquireSlot({ count: slotCount(options.env), onWait: options.onWait, signal: options.signal });
  try {
    options.onStart?.();
    return await verifyWorkspace(exercise, { workspace: options.workspace, code: options.code, lang: options.lang, signal: options.signal, onCheck: options.onCheck });
  } finally {
    slot.release();
  }
}

// Lays out one variant of an exercise (starter, solution, a wrong one) in a fresh temporary workspace
// and verifies it, the way `exercise start` + `verify` would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exercise } from '../../src/exercise/registry.js';
import type { Code, VerifyResult } from '../../src/exercise/types.js';
import { createWorkspace, type Variant } from '../../src/exercise/workspace.js';
import { verifyWorkspace, type VerifyOptions } from '../../src/exercise/verify.js';

export async function verifyVariant(exercise: Exercise, code: Code, variant: Variant, options: Partial<VerifyOptions> = {}): Promise<VerifyResult> {
  const parent = mkdtempSync(join(tmpdir(), 'hrt-ex-test-'));
  const workspace = join(parent, exercise.folder);
  try {
    await createWorkspace(exercise, code, variant, workspace);
    return await verifyWorkspace(exercise, { workspace, code, lang: 'en', ...options });
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

/** A one-line summary for assertion messages: which checks passed and failed, and the fault. */
export function summary(result: VerifyResult): string {
  const checks = result.checks.map((check) => `${check.status === 'pass' ? '✔' : '✘'}${check.id}`).join(' ');
  return `${checks}${result.fault ? ` fault=${result.fault.kind}: ${result.fault.message.en}` : ''}${result.outputTail ? ` | ${result.outputTail.split('\n').slice(-3).join(' / ')}` : ''}`;
}

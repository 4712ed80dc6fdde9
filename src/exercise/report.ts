// A verify's verdict as text (✔/✘ per check, evidence indented, the hint under a ✘) and as the
// versioned JSON document autograders read (schema hotrestart-tutor/verify@1, documented in README).
import { fill, pick } from '../lesson/i18n.js';
import { packageVersion } from '../commands/version.js';
import { reportText } from './text.js';
import type { CheckOutcome, Lang, Text, VerifyResult } from './types.js';

export const VERIFY_SCHEMA = 'hotrestart-tutor/verify@1';

/** The verifier's version: the package's (the checks ship with it). Stored with every result. */
export function verifierVersion(): string {
  return packageVersion();
}

export interface Marks {
  pass: string;
  fail: string;
}

export function formatResult(result: VerifyResult, title: Text, lang: Lang, marks: Marks = { pass: '✔', fail: '✘' }): string {
  const lines: string[] = [];
  const number = String(result.exercise.number).padStart(2, '0');
  lines.push(`${pick(reportText.exercise, lang)} ${number} ${pick(title, lang)}`);
  if (result.fault) lines.push(`${marks.fail} ${pick(result.fault.message, lang)}`);
  for (const check of result.checks) lines.push(...checkLines(check, lang, marks));
  const failed = result.checks.filter((check) => check.status !== 'pass').length;
  const verdict = result.passed ? pick(reportText.passed, lang) : fill(pick(reportText.failed, lang), { failed, total: result.checks.length });
  if (!result.passed && result.outputTail) {
    lines.push(`  ${pick(reportText.output, lang)}`, ...result.outputTail.split('\n').map((line) => `    | ${line.slice(0, 160)}`));
  }
  lines.push(`${result.passed ? marks.pass : marks.fail} ${verdict} ${fill(pick(reportText.took, lang), { s: (result.durationMs / 1000).toFixed(1), code: result.code })}`);
  return lines.join('\n');
}

function checkLines(check: CheckOutcome, lang: Lang, marks: Marks): string[] {
  const ok = check.status === 'pass';
  const lines = [`${ok ? marks.pass : marks.fail} ${pick(check.title, lang)}`];
  if (check.detail) lines.push(`    ${pick(check.detail, lang)}`);
  for (const line of check.evidence) lines.push(`      ${line}`);
  if (!ok && check.hint) lines.push(`    ${pick(reportText.hint, lang)}${pick(check.hint, lang)}`);
  return lines;
}

/** The JSON document of one verify. Texts are given in the chosen language, ids never change. */
export function resultJson(result: VerifyResult, lang: Lang) {
  return {
    schema: VERIFY_SCHEMA,
    verifierVersion: verifierVersion(),
    exercise: result.exercise,
    code: result.code,
    lang,
    workspace: result.workspace,
    startedAt: result.startedAt.toISOString(),
    durationMs: result.durationMs,
    passed: result.passed,
    fault: result.fault ? { kind: result.fault.kind, message: pick(result.fault.message, lang) } : null,
    checks: result.checks.map((check) => ({
      id: check.id,
      status: check.status,
      title: pick(check.title, lang),
      detail: check.detail ? pick(check.detail, lang) : null,
      evidence: check.evidence,
      hint: check.hint ? pick(check.hint, lang) : null,
    })),
    outputTail: result.outputTail,
  };
}

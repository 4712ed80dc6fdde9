// The verify@1 JSON document against its documentation in the README (a field added in one place and
// not the other fails here), and the plain report's marks, evidence and hints.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatResult, resultJson, VERIFY_SCHEMA } from '../../src/exercise/report.js';
import type { VerifyResult } from '../../src/exercise/types.js';

const result: VerifyResult = {
  exercise: { number: 1, id: 'close-dup' }, code: 'go', workspace: '/w/01-close-dup', startedAt: new Date('2026-01-01T00:00:00Z'), durationMs: 1234,
  passed: false, fault: null, outputTail: 'listening',
  checks: [
    { id: 'serves', status: 'pass', title: { en: 'it serves', zh: '它在服务' }, detail: { en: 'GET / answered 200.', zh: 'GET / 得到 200。' }, evidence: [], hint: null },
    { id: 'one-fd', status: 'fail', title: { en: 'one fd', zh: '一个 fd' }, detail: { en: '2 fds.', zh: '2 个 fd。' }, evidence: ['PID FD', '1 3'], hint: { en: 'close the dup', zh: '关掉 dup' } },
  ],
};

describe('verify --json', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf(`### \`verify --json\`: schema \`${VERIFY_SCHEMA}\``), readme.indexOf('## The hot-restart module'));
  const documented = [...section.matchAll(/^\| `([^`]+)`/gm)].map((match) => match[1]);

  it('has exactly the documented top-level fields, and documents every field of a check', () => {
    const doc = resultJson(result, 'en');
    const topLevel = new Set(documented.map((name) => name.split(/[.[]/)[0]));
    expect(new Set(Object.keys(doc))).toEqual(topLevel);
    for (const key of Object.keys(doc.checks[0])) expect(section, key).toMatch(new RegExp(`(checks\\[\\]|\`)\\.${key}\\b`));
    expect(doc).toMatchObject({ schema: VERIFY_SCHEMA, code: 'go', lang: 'en', passed: false, checks: [{ status: 'pass', hint: null }, { status: 'fail', hint: 'close the dup' }] });
  });

  it('prints ✔/✘ per check, the evidence indented, and the hint under a ✘ only', () => {
    const text = formatResult(result, { en: 'Close the dup', zh: '关掉 dup 出来的 fd' }, 'zh');
    expect(text).toMatch(/^练习 01 关掉 dup 出来的 fd\n✔ 它在服务\n {4}GET \/ 得到 200。\n✘ 一个 fd\n {4}2 个 fd。\n {6}PID FD\n {6}1 3\n {4}提示：关掉 dup\n/);
    expect(text).toMatch(/✘ 尚未通过：2 项检查中有 1 项失败。/);
  });
});

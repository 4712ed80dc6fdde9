import { lessons } from './lessons/index.js';
import { playControl, caught } from './src/lesson/control.js';
import { pick } from './src/lesson/i18n.js';
const only = process.argv.slice(2).map(Number);
for (const lesson of lessons) {
  if (only.length && !only.includes(lesson.number)) continue;
  const t0 = Date.now();
  const steps = await playControl(lesson, { lang: 'en' });
  const lines: string[] = [];
  for (const s of steps) {
    const step = lesson.steps[s.index];
    const n = step.expect?.length ?? 0;
    if (!n) continue;
    const flag = s.withoutAction === null ? 'NO-ACTION' : caught(s.withoutAction) ? 'ok' : 'NOT CAUGHT';
    const playedOk = s.played.status === 'done' && s.played.expectations.every((e) => e.ok || e.skipped);
    lines.push(`  step ${s.index + 1} [${flag}]${playedOk ? '' : ' PLAYED-FAIL ' + JSON.stringify(s.played)}`);
    s.withoutAction?.forEach((o, i) => { if (o.ok || o.skipped) lines.push(`     holds without action: ${o.skipped ? '(skipped) ' : ''}${pick(step.expect![i].text, 'en')}  (${o.detail ?? ''})`); });
  }
  console.log(`lesson ${lesson.number} ${lesson.id}: ${steps.length}/${lesson.steps.length} steps, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(lines.join('\n'));
}
process.exit(0);

// The maintainer test of every exercise folder, discovered like the CLI discovers them: its files are
// complete in both languages, and for Node and Go the starter fails, the reference solution passes,
// each known-wrong variant fails on the check it names, and a program that only prints "ok" fails.
// Verifies run at most three at a time (real processes on a small machine).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findGo } from '../../src/exercise/build.js';
import { loadExercises } from '../../src/exercise/registry.js';
import { CODES, type Text } from '../../src/exercise/types.js';
import { summary, verifyVariant } from './helpers.js';
import { limit } from './limit.js';

const exercises = await loadExercises();
const hasGo = findGo() !== null;
if (!hasGo) console.log('Go halves of the exercise tests skipped: no `go` on PATH (apt-get install golang-go).');
const slot = limit(3);
const FIXTURES = join(import.meta.dirname, 'fixtures');

function complete(text: Text | undefined): boolean {
  return !!text && text.en.trim() !== '' && text.zh.trim() !== '' && /[\u4e00-\u9fff]/.test(text.zh);
}

describe('the exercise folders', () => {
  it('exist, with distinct numbers and ids', () => {
    expect(exercises.length).toBeGreaterThan(0);
    expect(new Set(exercises.map((exercise) => exercise.number)).size).toBe(exercises.length);
    expect(new Set(exercises.map((exercise) => exercise.id)).size).toBe(exercises.length);
  });
});

for (const exercise of exercises) {
  describe.concurrent(`exercise ${exercise.folder}`, () => {
    it('has its task and every text in English and Chinese', () => {
      for (const readme of ['README.md', 'README.zh-CN.md']) expect(existsSync(join(exercise.assetDir, readme)), readme).toBe(true);
      expect(readFileSync(join(exercise.assetDir, 'README.zh-CN.md'), 'utf8')).toMatch(/[\u4e00-\u9fff]/);
      const texts = [exercise.title, exercise.summary, ...exercise.hints, ...exercise.checks.flatMap((check) => [check.title, check.hint])];
      expect(texts.filter((text) => !complete(text))).toEqual([]);
      expect(new Set(exercise.checks.map((check) => check.id)).size).toBe(exercise.checks.length);
      for (const code of CODES) {
        const entry = exercise.entry[code];
        for (const variant of ['starter', 'solution']) expect(existsSync(join(exercise.assetDir, code, variant, entry)), `${code}/${variant}/${entry}`).toBe(true);
      }
      for (const wrong of exercise.wrong) {
        expect(exercise.checks.map((check) => check.id), `wrong/${wrong.dir} names a check`).toContain(wrong.fails);
        expect(existsSync(join(exercise.assetDir, 'wrong', wrong.dir)), `wrong/${wrong.dir}`).toBe(true);
      }
    });

    for (const code of CODES) {
      const skip = code === 'go' && !hasGo;
      const timeout = exercise.timeoutMs * 3 + 60_000; // queueing behind two others, and a cold go build
      it.skipIf(skip)(`${code}: the starter fails`, { timeout }, async () => {
        const result = await slot(() => verifyVariant(exercise, code, 'starter'));
        expect(result.passed, summary(result)).toBe(false);
      });
      it.skipIf(skip)(`${code}: the solution passes`, { timeout }, async () => {
        const result = await slot(() => verifyVariant(exercise, code, 'solution'));
        expect(result.passed, summary(result)).toBe(true);
      });
      for (const wrong of exercise.wrong.filter((variant) => variant.code === code)) {
        it.skipIf(skip)(`${code}: ${wrong.mistake} fails "${wrong.fails}"`, { timeout }, async () => {
          const result = await slot(() => verifyVariant(exercise, code, wrong));
          expect(result.checks.find((check) => check.id === wrong.fails)?.status, summary(result)).toBe('fail');
          expect(result.passed).toBe(false);
        });
      }
      it.skipIf(skip)(`${code}: a program that prints "ok" and exits 0 fails every check`, { timeout }, async () => {
        const result = await slot(() => verifyVariant({ ...exercise, assetDir: join(FIXTURES, 'print-ok'), entry: { node: 'ok.mjs', go: 'main.go' } }, code, 'solution'));
        expect(result.passed).toBe(false);
        expect(result.checks.filter((check) => check.status === 'pass'), summary(result)).toEqual([]);
      });
    }
  });
}

// Maintainer tool: verify one variant of one exercise and print the report.
//   npx tsx test/exercise/try-variant.ts 1 node solution     (starter | solution | <wrong dir>)
import { findExercise, loadExercises } from '../../src/exercise/registry.js';
import { formatResult } from '../../src/exercise/report.js';
import type { Code } from '../../src/exercise/types.js';
import { summary, verifyVariant } from './helpers.js';

const [name = '', code = 'node', variant = 'solution', lang = 'en'] = process.argv.slice(2);
const exercise = findExercise(await loadExercises(), name);
if (!exercise) throw new Error(`no exercise ${name}`);
const chosen = variant === 'starter' || variant === 'solution' ? variant : exercise.wrong.find((wrong) => wrong.dir === variant);
if (!chosen) throw new Error(`no variant ${variant}`);
const result = await verifyVariant(exercise, code as Code, chosen, { lang: lang as 'en' | 'zh' });
console.log(formatResult(result, exercise.title, lang as 'en' | 'zh'));
console.log(summary(result));

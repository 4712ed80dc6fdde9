// Every lesson, in order. Add one import and one entry per lesson file (lessons/NN-id.ts).
import type { Lesson } from '../src/lesson/types.js';
import { lesson as dupLeak } from './05-dup-leak.js';

export const lessons: Lesson[] = [dupLeak].sort((a, b) => a.number - b.number);

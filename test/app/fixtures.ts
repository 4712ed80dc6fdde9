// A lesson without demo processes (its checks are plain functions) and helpers to put its state where
// a test needs it, so views and reducers are tested without spawning anything.
import type { Lesson, Text } from '../../src/lesson/types.js';
import { initialLessonState, lessonReducer, type LessonAction, type LessonState } from '../../src/lesson/lesson-state.js';
import { emptyProgress, recordRun } from '../../src/progress/model.js';
import { listener, row, snapshotOf } from '../ui/snapshot-fixtures.js';

const t = (en: string, zh: string): Text => ({ en, zh });
const long = (n: number) => Array.from({ length: n }, (_, i) => `Sentence ${i + 1} of a long narrative about descriptions.`).join(' ');

export const quietLesson: Lesson = {
  id: 'quiet',
  number: 5,
  chapter: t('Chapter 1 · Foundations', '第一章 · 基础'),
  title: t('A quiet lesson', '一节安静的课'),
  summary: t('Nothing runs; everything is shown.', '什么都不运行；一切都展示出来。'),
  recap: [t('A fixture shows.', '夹具只负责展示。')],
  steps: [
    {
      id: 'one',
      title: t('Listen', '监听'),
      text: t(long(12), '服务进程在 127.0.0.1 上监听，端口由内核分配。'.repeat(8)),
      code: { go: 'ln, err := net.Listen("tcp", "127.0.0.1:0")', node: "net.createServer().listen(0, '127.0.0.1')" },
      show: { processes: ['server'], focus: (r) => r.fd === 19 },
      expect: [{ text: t('the port is in LISTEN', '端口处于 LISTEN 状态'), check: () => ({ ok: true, detail: '127.0.0.1:41234' }) }],
      quiz: {
        question: t('How many sockets listen?', '有几个 socket 在监听？'),
        choices: [t('One', '一个'), t('Two', '两个'), t('None', '没有')],
        answer: 0,
        explanation: t('dup copies the fd, not the socket.', 'dup 复制的是 fd，不是 socket。'),
      },
      hint: t('ss -ltn shows it too.', 'ss -ltn 也能看到。'),
    },
    { id: 'two', title: t('Check', '检验'), text: t('Two checks.', '两项检验。'), expect: [{ text: t('holds', '成立'), check: () => true }, { text: t('fails', '不成立'), check: () => false }] },
    { id: 'three', title: t('End', '结束'), text: t('The end.', '结束。') },
  ],
};

export const secondLesson: Lesson = { ...quietLesson, id: 'second', number: 6, title: t('Another lesson', '另一节课'), steps: [quietLesson.steps[2]] };

/** Lesson 5 with exercise 1 after it (the real exercise close-dup: its README and starter load). */
export const withExercise: Lesson = {
  ...quietLesson,
  exercises: [{ id: 'close-dup', number: 1, title: t('Close the dup', '关掉 dup 出来的 fd'), summary: t('Fix the leaked dup.', '修好泄漏的 dup。') }],
};

export const play = (state: LessonState, ...actions: LessonAction[]) => actions.reduce(lessonReducer, state);

/** Lesson 5's step 2 as the screen would see it: a listener and its dup, both LISTEN. */
export function tableSample(): Extract<LessonAction, { type: 'sample' }> {
  const snapshot = snapshotOf([
    { ...listener(4242, 19, 'Z'), command: 'server' },
    { ...listener(4242, 25, 'Z'), command: 'server', cloexec: false },
    row({ pid: 4242, fd: 26, command: 'server', type: 'REG', name: '/tmp/hotrestart-tutor-x/data.txt' }),
  ]);
  return { type: 'sample', index: 0, snapshot, changes: [], focus: new Set(['4242:19']), hidden: 24, at: 0, holdMs: 2000 };
}

/** The first step ran, with a table and a log of many lines. */
export function ranFirstStep(lang: 'en' | 'zh' = 'en'): LessonState {
  const logs: LessonAction[] = Array.from({ length: 40 }, (_, i) => ({ type: 'log', entry: { at: i, source: 'server', kind: 'syscall', text: `dup(19) = ${20 + i}` } }));
  return play(
    initialLessonState(quietLesson, lang),
    { type: 'demo', status: 'live' },
    { type: 'run-started', index: 0 },
    ...logs,
    tableSample(),
    { type: 'run-finished', index: 0, expectations: [{ ok: true, detail: '127.0.0.1:41234' }] },
    { type: 'ran-through', count: 1 },
  );
}

export const someProgress = () =>
  recordRun(
    recordRun(emptyProgress(), { lessonId: 'quiet', complete: true, reached: 3, steps: 3, checks: 2, held: 2, quizzes: 1, correct: 1, via: 'app' }, new Date(0)),
    { lessonId: 'second', complete: false, reached: 1, steps: 1, checks: 0, held: 0, quizzes: 0, correct: 0, via: 'app' },
    new Date(0),
  );

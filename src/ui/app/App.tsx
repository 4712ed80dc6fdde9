// The interactive tutor: the lesson list, and one lesson or exercise at a time. Holds the screen, the language and
// the learner's progress; the lesson screen owns its demo. Quitting unmounts everything, which ends
// every demo process (LessonScreen -> useLessonRunner -> LessonDriver.dispose).
import { useCallback, useMemo, useReducer, useRef, useState } from 'react';
import { useApp } from 'ink';
import type { Palette } from '../../fdtable/format.js';
import type { SupervisorApi } from '../../demo/types.js';
import { tr } from '../../lesson/i18n.js';
import type { Lang, Lesson } from '../../lesson/types.js';
import type { Progress, RunRecord } from '../../progress/model.js';
import { KeyRouter } from '../hooks/use-latest-input.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { resolve } from 'node:path';
import { DEFAULT_ROOT } from '../../exercise/workspace.js';
import { appReducer, initialAppState, selectedExercise, selectedLesson } from './app-state.js';
import { ExerciseScreen } from './ExerciseScreen.js';
import { LessonScreen } from './LessonScreen.js';
import { buildToc, menuItems } from './toc.js';
import { useMenuKeys } from './use-menu-keys.js';
import { HelpOverlay, isTooSmall, MenuView, TooSmall } from './views.js';

export interface ProgressPort {
  readonly path: string;
  /** Saves a run and returns the progress as now stored; throws when the file cannot be written. */
  record(run: RunRecord): Progress;
  /** Applies a change (an exercise's verify or hint) to the stored progress and returns it; throws
   *  when the file cannot be written. Without it the change is kept in memory only. */
  change?(change: (progress: Progress) => Progress): Progress;
}

export interface AppProps {
  lessons: readonly Lesson[];
  lang: Lang;
  palette: Palette;
  progress: Progress;
  store: ProgressPort;
  /** One sentence about the progress file to show in the menu, or null. */
  notice?: string | null;
  /** Index of a lesson to open at once (`hotrestart-tutor lesson N`). */
  openLesson?: number;
  startSupervisor?: () => Promise<SupervisorApi>;
  intervalMs?: number;
  /** Called when the learner quits, just before the app exits. */
  onQuit?: () => void;
  /** The folder of exercise workspaces (default ./hotrestart-exercises, as for the CLI). */
  exerciseRoot?: string;
  /** Where the exercise screen looks for go and what its verifies inherit (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The app, under the one key subscription that every screen's keys go through (see useLatestInput). */
export function App(props: AppProps) {
  return (
    <KeyRouter>
      <Tutor {...props} />
    </KeyRouter>
  );
}

function Tutor(props: AppProps) {
  const { lessons, lang, palette, progress: initialProgress, store, notice: initialNotice = null, openLesson, startSupervisor, intervalMs, onQuit } = props;
  const exerciseRoot = props.exerciseRoot ?? resolve(DEFAULT_ROOT);
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [state, dispatch] = useReducer(
    appReducer,
    {
      lessonCount: lessons.length, lang, open: openLesson, first: nextUnfinished(lessons, initialProgress),
      items: menuItems(buildToc(lessons, initialProgress)),
    },
    initialAppState,
  );
  const [progress, setProgress] = useState(initialProgress);
  // What the last change left, for the next change made before React re-renders.
  const progressNow = useRef(progress);
  progressNow.current = progress;
  const [notice, setNotice] = useState(initialNotice);
  const toc = useMemo(() => buildToc(lessons, progress), [lessons, progress]);
  const lessonIndex = selectedLesson(state);
  const exerciseId = selectedExercise(state);

  const record = useCallback(
    (run: RunRecord) => {
      try {
        setProgress(store.record(run));
      } catch (error) {
        // A full disk or a read-only home must not end a lesson; the menu says why nothing was saved.
        setNotice(tr('progressNotSaved', lang, { path: store.path, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) }));
      }
    },
    [store, lang],
  );
  const changeProgress = useCallback(
    (change: (before: Progress) => Progress): string | null => {
      try {
        const next = store.change ? store.change(change) : change(progressNow.current);
        progressNow.current = next;
        setProgress(next);
        return null;
      } catch (error) {
        return error instanceof Error ? error.message.split('\n')[0] : String(error);
      }
    },
    [store],
  );
  const quit = useCallback(() => {
    onQuit?.();
    exit();
  }, [exit, onQuit]);
  const leave = useCallback(() => dispatch({ type: 'close' }), []);
  const nextLesson = useCallback(
    () => dispatch(lessonIndex + 1 < lessons.length ? { type: 'open', index: lessonIndex + 1 } : { type: 'close' }),
    [lessonIndex, lessons.length],
  );
  const toggleLang = useCallback(() => dispatch({ type: 'toggle-lang' }), []);

  useMenuKeys(
    {
      move: (by) => dispatch({ type: 'move', by }),
      first: () => dispatch({ type: 'first' }),
      last: () => dispatch({ type: 'last' }),
      open: () => dispatch({ type: 'open' }),
      openNumber: (n) => dispatch({ type: 'open', index: lessons.findIndex((lesson) => lesson.number === n) }),
      toggleLang,
      toggleHelp: () => dispatch({ type: 'toggle-help' }),
      quit,
    },
    { helpVisible: state.helpVisible, isActive: state.screen === 'menu', numbers: lessons.map((lesson) => lesson.number) },
  );

  const brief = exerciseId === null ? undefined : lessons.flatMap((lesson) => lesson.exercises ?? []).find((exercise) => exercise.id === exerciseId);
  if (state.screen === 'exercise' && brief) {
    return (
      <ExerciseScreen
        key={brief.id} brief={brief} lang={state.lang} palette={palette} columns={columns} rows={rows} root={exerciseRoot}
        progress={progress} changeProgress={changeProgress} onLeave={leave} onQuit={quit} onToggleLang={toggleLang} env={props.env}
      />
    );
  }
  if (state.screen === 'lesson' && lessonIndex >= 0) {
    const lesson = lessons[lessonIndex];
    return (
      <LessonScreen
        key={lesson.id} lesson={lesson} lang={state.lang} palette={palette} columns={columns} rows={rows}
        record={record} onLeave={leave} onNextLesson={nextLesson} onQuit={quit} onToggleLang={toggleLang} startSupervisor={startSupervisor} intervalMs={intervalMs}
      />
    );
  }
  if (isTooSmall(columns, rows)) return <TooSmall columns={columns} rows={rows} lang={state.lang} />;
  if (state.helpVisible) return <HelpOverlay screen="menu" lang={state.lang} width={columns} height={rows - 1} palette={palette} />;
  return <MenuView toc={toc} selected={lessonIndex} selectedExercise={exerciseId} lang={state.lang} notice={notice} width={columns} height={rows - 1} palette={palette} />;
}

/** Where the menu's cursor starts: the first lesson not done yet (the first one when all are). */
export function nextUnfinished(lessons: readonly Lesson[], progress: Progress): number {
  const index = lessons.findIndex((lesson) => progress.lessons[lesson.id]?.status !== 'done');
  return index < 0 ? 0 : index;
}

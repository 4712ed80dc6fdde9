// The interactive tutor: the lesson list, and one lesson at a time. Holds the screen, the language and
// the learner's progress; the lesson screen owns its demo. Quitting unmounts everything, which ends
// every demo process (LessonScreen -> useLessonRunner -> LessonDriver.dispose).
import { useCallback, useMemo, useReducer, useState } from 'react';
import { useApp } from 'ink';
import type { Palette } from '../../fdtable/format.js';
import type { SupervisorApi } from '../../demo/types.js';
import { tr } from '../../lesson/i18n.js';
import type { Lang, Lesson } from '../../lesson/types.js';
import type { Progress, RunRecord } from '../../progress/model.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { appReducer, initialAppState } from './app-state.js';
import { LessonScreen } from './LessonScreen.js';
import { buildToc } from './toc.js';
import { useMenuKeys } from './use-menu-keys.js';
import { HelpOverlay, isTooSmall, MenuView, TooSmall } from './views.js';

export interface ProgressPort {
  readonly path: string;
  /** Saves a run and returns the progress as now stored; throws when the file cannot be written. */
  record(run: RunRecord): Progress;
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
}

export function App(props: AppProps) {
  const { lessons, lang, palette, progress: initialProgress, store, notice: initialNotice = null, openLesson, startSupervisor, intervalMs, onQuit } = props;
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [state, dispatch] = useReducer(
    appReducer,
    { lessonCount: lessons.length, lang, open: openLesson, first: nextUnfinished(lessons, initialProgress) },
    initialAppState,
  );
  const [progress, setProgress] = useState(initialProgress);
  const [notice, setNotice] = useState(initialNotice);
  const toc = useMemo(() => buildToc(lessons, progress), [lessons, progress]);

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
  const quit = useCallback(() => {
    onQuit?.();
    exit();
  }, [exit, onQuit]);
  const leave = useCallback(() => dispatch({ type: 'close' }), []);
  const nextLesson = useCallback(
    () => dispatch(state.selected + 1 < lessons.length ? { type: 'open', index: state.selected + 1 } : { type: 'close' }),
    [state.selected, lessons.length],
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

  if (state.screen === 'lesson') {
    const lesson = lessons[state.selected];
    return (
      <LessonScreen
        key={lesson.id} lesson={lesson} lang={state.lang} palette={palette} columns={columns} rows={rows}
        record={record} onLeave={leave} onNextLesson={nextLesson} onQuit={quit} onToggleLang={toggleLang} startSupervisor={startSupervisor} intervalMs={intervalMs}
      />
    );
  }
  if (isTooSmall(columns, rows)) return <TooSmall columns={columns} rows={rows} lang={state.lang} />;
  if (state.helpVisible) return <HelpOverlay screen="menu" lang={state.lang} width={columns} height={rows - 1} palette={palette} />;
  return <MenuView toc={toc} selected={state.selected} lang={state.lang} notice={notice} width={columns} height={rows - 1} palette={palette} />;
}

/** Where the menu's cursor starts: the first lesson not done yet (the first one when all are). */
export function nextUnfinished(lessons: readonly Lesson[], progress: Progress): number {
  const index = lessons.findIndex((lesson) => progress.lessons[lesson.id]?.status !== 'done');
  return index < 0 ? 0 : index;
}

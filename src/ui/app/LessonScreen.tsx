// One open lesson: connects the runner (effects), the keys and the progress saving to the pure view.
// Stays mounted while the terminal is too small, so shrinking the window never ends a demo.
import { useEffect, useMemo } from 'react';
import type { Palette } from '../../fdtable/format.js';
import type { SupervisorApi } from '../../demo/types.js';
import type { Lang, Lesson } from '../../lesson/types.js';
import type { RunRecord } from '../../progress/model.js';
import { useLessonKeys } from '../hooks/use-lesson-keys.js';
import { useLessonProgress } from '../hooks/use-lesson-progress.js';
import { useLessonRunner } from '../hooks/use-lesson-runner.js';
import { layoutLesson } from './lesson-layout.js';
import { HelpOverlay, isTooSmall, LessonView, TooSmall } from './views.js';

export interface LessonScreenProps {
  lesson: Lesson;
  lang: Lang;
  palette: Palette;
  columns: number;
  rows: number;
  record: (run: RunRecord) => void;
  /** q: back to the menu. */
  onLeave(): void;
  /** → in the summary: the next lesson (the menu after the last one). */
  onNextLesson(): void;
  /** Ctrl-C with no demo left to stop. */
  onQuit(): void;
  onToggleLang(): void;
  startSupervisor?: () => Promise<SupervisorApi>;
  intervalMs?: number;
}

export function LessonScreen({ lesson, lang, palette, columns, rows, record, onLeave, onNextLesson, onQuit, onToggleLang, startSupervisor, intervalMs }: LessonScreenProps) {
  const { state, driver } = useLessonRunner({ lesson, lang, startSupervisor, intervalMs });
  const { player } = state;
  useEffect(() => driver.dispatch({ type: 'set-lang', lang }), [driver, lang]);
  useLessonProgress(lesson, player, record);

  // Ink clears the whole screen when its output is as tall as the terminal: keep one line free.
  const height = rows - 1;
  const screen = useMemo(() => layoutLesson(lesson, state, columns, height, palette), [lesson, state, columns, height, palette]);

  const step = lesson.steps[player.index];
  useLessonKeys(
    {
      next: () => (player.finished ? onNextLesson() : driver.dispatch({ type: 'next' })),
      back: () => driver.dispatch({ type: 'back' }),
      rerun: () => void driver.rerun(player.finished ? 'start' : 'here'),
      hint: () => driver.dispatch({ type: 'toggle-hint' }),
      answer: (choice) => {
        if (step.quiz && choice < step.quiz.choices.length && !player.finished) driver.dispatch({ type: 'answer', choice });
      },
      toggleLang: onToggleLang,
      toggleHelp: () => driver.dispatch({ type: 'toggle-help' }),
      // q or Esc in the zoomed table closes the zoom first, as it closes the help.
      leave: () => (state.zoom ? driver.dispatch({ type: 'toggle-zoom' }) : onLeave()),
      // The first Ctrl-C stops a demo that is running; with none left, Ctrl-C quits.
      interrupt: () => (driver.active ? void driver.stopDemo() : onQuit()),
      scroll: (by) => {
        const clamp = (value: number, max: number) => Math.min(max, Math.max(0, value));
        const pane = state.zoom ? 'table' : state.pane;
        if (pane === 'table') driver.dispatch({ type: 'scroll-table', to: clamp(screen.tableOffset + by, screen.tableMax) });
        // The log counts back from its newest line: ↑ goes further back.
        else if (pane === 'log') driver.dispatch({ type: 'scroll-log', to: clamp(state.logScroll - by, screen.logMax) });
        else driver.dispatch({ type: 'scroll', to: clamp(state.scroll + by, screen.maxScroll) });
      },
      cyclePane: () => {
        if (state.zoom || screen.panes.length < 2) return;
        const next = screen.panes[(screen.panes.indexOf(state.pane) + 1) % screen.panes.length];
        driver.dispatch({ type: 'pane', pane: next });
      },
      zoom: () => {
        if (state.zoom || screen.panes.includes('table')) driver.dispatch({ type: 'toggle-zoom' });
      },
      expand: () => driver.dispatch({ type: 'toggle-expand' }),
    },
    { helpVisible: player.helpVisible },
  );

  if (isTooSmall(columns, rows)) return <TooSmall columns={columns} rows={rows} lang={lang} />;
  if (player.helpVisible) return <HelpOverlay screen="lesson" lang={player.lang} width={columns} height={height} palette={palette} />;
  return <LessonView screen={screen} />;
}

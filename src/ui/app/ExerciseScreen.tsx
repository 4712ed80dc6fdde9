// One open exercise: connects the runner (effects: README, workspace, verify, hints) and the keys to
// the pure layout. Leaving or quitting unmounts it, which stops a running verify (its processes end).
import { join } from 'node:path';
import { useMemo, useState } from 'react';
import type { Palette } from '../../fdtable/format.js';
import type { ExerciseBrief, Lang } from '../../lesson/types.js';
import type { Progress } from '../../progress/model.js';
import { useExerciseRunner } from '../hooks/use-exercise-runner.js';
import { layoutExercise } from './exercise-layout.js';
import { useExerciseKeys } from './use-exercise-keys.js';
import { HelpOverlay, isTooSmall, LessonView, TooSmall } from './views.js';

export interface ExerciseScreenProps {
  brief: ExerciseBrief;
  lang: Lang;
  palette: Palette;
  columns: number;
  rows: number;
  /** The folder of workspaces (./hotrestart-exercises unless told). */
  root: string;
  progress: Progress;
  changeProgress(change: (progress: Progress) => Progress): string | null;
  /** q, or Esc with no verify running: back to the menu. */
  onLeave(): void;
  /** Ctrl-C with no verify running. */
  onQuit(): void;
  onToggleLang(): void;
  env?: NodeJS.ProcessEnv;
}

export function ExerciseScreen({ brief, lang, palette, columns, rows, root, progress, changeProgress, onLeave, onQuit, onToggleLang, env }: ExerciseScreenProps) {
  const runner = useExerciseRunner({ id: brief.id, lang, root, progress, changeProgress, env });
  const [scroll, setScroll] = useState(0);
  const [helpVisible, setHelpVisible] = useState(false);
  const height = rows - 1; // a full-height frame makes Ink clear the screen
  const { exercise } = runner;
  const screen = useMemo(
    () =>
      layoutExercise({
        number: brief.number, title: brief.title, readme: runner.readme,
        workspace: runner.workspace, defaultDir: exercise ? join(root, exercise.folder) : null,
        checks: exercise?.checks ?? [], last: progress.exercises?.[brief.id]?.last ?? null,
        live: runner.live, started: runner.started, hint: runner.hint, lang, scroll, width: columns, height, palette,
      }),
    [brief, runner.readme, runner.workspace, root, exercise, progress, runner.live, runner.started, runner.hint, lang, scroll, columns, height, palette],
  );
  useExerciseKeys(
    {
      verify: runner.verify,
      start: runner.start,
      hint: runner.nextHint,
      stop: runner.stop,
      leave: onLeave,
      interrupt: () => (runner.stop() ? undefined : onQuit()),
      scroll: (by) => setScroll(Math.max(0, Math.min(screen.maxScroll, Math.min(scroll, screen.maxScroll) + by))),
      toggleLang: onToggleLang,
      toggleHelp: () => setHelpVisible((visible) => !visible),
    },
    { helpVisible },
  );
  if (isTooSmall(columns, rows)) return <TooSmall columns={columns} rows={rows} lang={lang} />;
  if (helpVisible) return <HelpOverlay screen="exercise" lang={lang} width={columns} height={height} palette={palette} />;
  return <LessonView screen={screen} />;
}

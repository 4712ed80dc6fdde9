// The lesson screen's effects: one LessonDriver per open lesson, started on mount and ended (every demo
// process with it) on unmount. The screen renders the driver's state and sends the learner's keys to it.
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { Supervisor } from '../../demo/supervisor.js';
import type { SupervisorApi } from '../../demo/types.js';
import type { Lang, Lesson } from '../../lesson/types.js';
import { LessonDriver } from '../../lesson/driver.js';
import type { LessonState } from '../../lesson/lesson-state.js';

export interface LessonRunnerOptions {
  lesson: Lesson;
  lang: Lang;
  /** Where demos come from: real supervisors, or a stand-in in tests. */
  startSupervisor?: () => Promise<SupervisorApi>;
  intervalMs?: number;
}

export interface LessonRunner {
  state: LessonState;
  driver: LessonDriver;
}

const startRealSupervisor = () => Supervisor.start();

export function useLessonRunner({ lesson, lang, startSupervisor = startRealSupervisor, intervalMs }: LessonRunnerOptions): LessonRunner {
  // One driver per lesson for the lifetime of the screen: a new language or supervisor factory must not
  // end the demo (the language the driver starts with only words the demo's own log lines).
  const driver = useMemo(() => new LessonDriver({ lesson, lang, startSupervisor, intervalMs }), [lesson]);
  useEffect(() => {
    driver.start();
    return () => void driver.dispose();
  }, [driver]);
  const state = useSyncExternalStore(driver.store.subscribe, driver.store.get);
  return { state, driver };
}

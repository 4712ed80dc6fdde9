// The exercise screen's keys: s or S creates the workspace (Node or Go), v verifies it. Esc first
// stops a running verify (as Ctrl-C does), and only then leaves; q always leaves (leaving stops the
// verify too).
import type { Key } from 'ink';
import type { Code } from '../../exercise/types.js';
import { useLatestInput } from '../hooks/use-latest-input.js';

export interface ExerciseKeyHandlers {
  verify(): void;
  /** s (Node) or S (Go): creates the workspace. */
  start(code: Code): void;
  hint(): void;
  /** Esc: stops a running verify; false when none ran. */
  stop(): boolean;
  leave(): void;
  /** Ctrl-C. */
  interrupt(): void;
  /** Lines to move the README; ±Infinity: to the top or the end. */
  scroll(by: number): void;
  toggleLang(): void;
  toggleHelp(): void;
}

const PAGE = 5;

export function useExerciseKeys(handlers: ExerciseKeyHandlers, options: { helpVisible: boolean }): void {
  useLatestInput(handle);

  function handle(input: string, key: Key): void {
    if (key.ctrl && input === 'c') return void handlers.interrupt();
    if (options.helpVisible) {
      if (input === '?' || input === 'q' || key.escape) handlers.toggleHelp();
      return;
    }
    if (input === 'v') handlers.verify();
    else if (input === 's') handlers.start('node');
    else if (input === 'S') handlers.start('go');
    else if (input === 'h') handlers.hint();
    else if (key.escape) {
      if (!handlers.stop()) handlers.leave();
    } else if (input === 'q') handlers.leave();
    else if (input === 'l') handlers.toggleLang();
    else if (input === '?') handlers.toggleHelp();
    else if (key.upArrow || input === 'k') handlers.scroll(-1);
    else if (key.downArrow || input === 'j') handlers.scroll(1);
    else if (key.pageUp) handlers.scroll(-PAGE);
    else if (key.pageDown || input === ' ') handlers.scroll(PAGE);
    else if (key.home || input === 'g') handlers.scroll(-Infinity);
    else if (key.end || input === 'G') handlers.scroll(Infinity);
  }
}

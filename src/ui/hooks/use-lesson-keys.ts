// The lesson screen's keys. Ctrl-C arrives here as a key (ink's exitOnCtrlC is off, the terminal is in
// raw mode): the screen decides whether it stops the demo or quits.
import type { Key } from 'ink';
import { useLatestInput } from './use-latest-input.js';

export interface LessonKeyHandlers {
  next(): void;
  back(): void;
  rerun(): void;
  hint(): void;
  /** Zero-based choice. */
  answer(choice: number): void;
  toggleLang(): void;
  toggleHelp(): void;
  /** q or Esc: back to the lessons. */
  leave(): void;
  /** Ctrl-C. */
  interrupt(): void;
  /** Lines to move what Tab chose (text, table, log); ±Infinity: to the top or the end. */
  scroll(by: number): void;
  /** Tab: the next pane. */
  cyclePane(): void;
  /** z: the fd table alone on the screen, or back. */
  zoom(): void;
  /** e: check lines whole, or cut again. */
  expand(): void;
}

/** Lines a PgUp/PgDn moves the text. */
const PAGE = 5;

export function useLessonKeys(handlers: LessonKeyHandlers, options: { helpVisible: boolean; isActive?: boolean }): void {
  useLatestInput(handle, options.isActive ?? true);

  function handle(input: string, key: Key): void {
    if (key.ctrl && input === 'c') return void handlers.interrupt();
    if (options.helpVisible) {
      if (input === '?' || input === 'q' || key.escape) handlers.toggleHelp();
      return;
    }
    if (key.rightArrow || key.return || input === 'n' || input === ' ') handlers.next();
    else if (key.leftArrow || input === 'b') handlers.back();
    else if (input === 'r') handlers.rerun();
    else if (input === 'h') handlers.hint();
    else if (/^[1-9]$/.test(input)) handlers.answer(Number(input) - 1);
    else if (input === 'l') handlers.toggleLang();
    else if (input === '?') handlers.toggleHelp();
    else if (input === 'q' || key.escape) handlers.leave();
    else if (key.upArrow || input === 'k') handlers.scroll(-1);
    else if (key.downArrow || input === 'j') handlers.scroll(1);
    else if (key.pageUp) handlers.scroll(-PAGE);
    else if (key.pageDown) handlers.scroll(PAGE);
    else if (key.home || input === 'g') handlers.scroll(-Infinity);
    else if (key.end || input === 'G') handlers.scroll(Infinity);
    else if (key.tab) handlers.cyclePane();
    else if (input === 'z') handlers.zoom();
    else if (input === 'e') handlers.expand();
  }
}

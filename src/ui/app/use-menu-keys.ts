// The menu's keys: choose, open, language, help, quit (q, Esc or Ctrl-C: there is no demo to stop here).
import { useInput, type Key } from 'ink';
import { splitKeys } from './keys.js';

export interface MenuKeyHandlers {
  move(by: number): void;
  first(): void;
  last(): void;
  /** Opens the chosen lesson. */
  open(): void;
  /** A digit: opens the lesson with that number. */
  openNumber(lessonNumber: number): void;
  toggleLang(): void;
  toggleHelp(): void;
  quit(): void;
}

export function useMenuKeys(handlers: MenuKeyHandlers, options: { helpVisible: boolean; isActive: boolean }): void {
  useInput(
    (chunk, chunkKey) => {
      for (const [input, key] of splitKeys(chunk, chunkKey)) handle(input, key);
    },
    { isActive: options.isActive },
  );

  function handle(input: string, key: Key): void {
    if (key.ctrl && input === 'c') return void handlers.quit();
    if (options.helpVisible) {
      if (input === '?' || input === 'q' || key.escape) handlers.toggleHelp();
      return;
    }
    if (key.upArrow || input === 'k') handlers.move(-1);
    else if (key.downArrow || input === 'j') handlers.move(1);
    else if (key.home || input === 'g') handlers.first();
    else if (key.end || input === 'G') handlers.last();
    else if (key.return || key.rightArrow || input === ' ') handlers.open();
    else if (/^[1-9]$/.test(input)) handlers.openNumber(Number(input));
    else if (input === 'l') handlers.toggleLang();
    else if (input === '?') handlers.toggleHelp();
    else if (input === 'q' || key.escape) handlers.quit();
  }
}

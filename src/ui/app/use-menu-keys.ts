// The menu's keys: choose, open, language, help, quit (q, Esc or Ctrl-C: there is no demo to stop here).
// Lesson numbers go past 9: a digit that begins a longer number waits a moment for the next one.
import { useEffect, useRef } from 'react';
import type { Key } from 'ink';
import { useLatestInput } from '../hooks/use-latest-input.js';

export interface MenuKeyHandlers {
  move(by: number): void;
  first(): void;
  last(): void;
  /** Opens the chosen lesson. */
  open(): void;
  /** Digits: opens the lesson with that number. */
  openNumber(lessonNumber: number): void;
  toggleLang(): void;
  toggleHelp(): void;
  quit(): void;
}

/** How long a digit that may begin a two-digit lesson number waits for the second one. */
export const DIGIT_WAIT_MS = 600;

export function useMenuKeys(handlers: MenuKeyHandlers, options: { helpVisible: boolean; isActive: boolean; numbers: readonly number[] }): void {
  const typed = useRef('');
  const timer = useRef<NodeJS.Timeout | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const flush = () => {
    clearTimeout(timer.current);
    const number = Number(typed.current);
    typed.current = '';
    if (options.numbers.includes(number)) handlers.openNumber(number);
  };
  const digit = (d: string) => {
    clearTimeout(timer.current);
    typed.current += d;
    const longer = options.numbers.some((n) => String(n).length > typed.current.length && String(n).startsWith(typed.current));
    if (!longer) return flush();
    timer.current = setTimeout(flush, DIGIT_WAIT_MS);
  };
  useLatestInput(handle, options.isActive);

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
    else if (/^[0-9]$/.test(input)) digit(input);
    else if (input === 'l') handlers.toggleLang();
    else if (input === '?') handlers.toggleHelp();
    else if (input === 'q' || key.escape) handlers.quit();
  }
}

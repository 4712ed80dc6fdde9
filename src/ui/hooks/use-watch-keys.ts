// Keys of the live fd view. Ctrl-C is handled here (ink's own exitOnCtrlC is turned off) so that
// q and Ctrl-C leave through the same path and the terminal is restored the same way. Several keys
// read at once are handled one by one, each by the latest render's handlers (see useLatestInput).
import { useLatestInput } from './use-latest-input.js';

export type ScrollMove = 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom';

export interface WatchKeyHandlers {
  quit(): void;
  togglePause(): void;
  scroll(move: ScrollMove): void;
}

export const WATCH_KEYS_HELP = 'q quit · p pause · ↑↓ PgUp PgDn Home End scroll';

export function useWatchKeys(handlers: WatchKeyHandlers, isActive = true): void {
  useLatestInput((input, key) => {
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) handlers.quit();
    else if (input === 'p' || input === ' ') handlers.togglePause();
    else if (key.upArrow || input === 'k') handlers.scroll('up');
    else if (key.downArrow || input === 'j') handlers.scroll('down');
    else if (key.pageUp) handlers.scroll('pageUp');
    else if (key.pageDown) handlers.scroll('pageDown');
    else if (key.home || input === 'g') handlers.scroll('top');
    else if (key.end || input === 'G') handlers.scroll('bottom');
  }, isActive);
}

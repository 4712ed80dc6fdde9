// The app's own state as a pure reducer: which screen is up, which lesson or exercise the menu points
// at, the language, the menu's help overlay. A lesson's state lives in its own reducer (lesson-state.ts).
import type { Lang } from '../../lesson/types.js';

/** What the menu's cursor can stand on, in the order it moves: a lesson (by index) or an exercise (by id). */
export type MenuItem = { kind: 'lesson'; index: number } | { kind: 'exercise'; id: string };

export interface AppState {
  screen: 'menu' | 'lesson' | 'exercise';
  /** Index into `items`: the menu's cursor, and what is open on the lesson or exercise screen. */
  selected: number;
  lessonCount: number;
  items: readonly MenuItem[];
  lang: Lang;
  helpVisible: boolean;
}

export type AppAction =
  | { type: 'move'; by: number }
  | { type: 'first' }
  | { type: 'last' }
  /** Opens the selected item, or lesson `index` (selecting it). */
  | { type: 'open'; index?: number }
  /** Back to the menu, the lesson just left still selected. */
  | { type: 'close' }
  | { type: 'toggle-lang' }
  | { type: 'toggle-help' };

/** `items` defaults to the lessons alone; `open` and `first` are lesson indexes. */
export function initialAppState(options: { lessonCount: number; lang: Lang; open?: number; first?: number; items?: readonly MenuItem[] }): AppState {
  const items = options.items ?? Array.from({ length: options.lessonCount }, (_, index): MenuItem => ({ kind: 'lesson', index }));
  const open = options.open !== undefined && options.open >= 0 && options.open < options.lessonCount ? itemOf(items, options.open) : -1;
  const first = options.first !== undefined && options.first >= 0 && options.first < options.lessonCount ? itemOf(items, options.first) : 0;
  return { screen: open < 0 ? 'menu' : 'lesson', selected: open < 0 ? Math.max(0, first) : open, lessonCount: options.lessonCount, items, lang: options.lang, helpVisible: false };
}

/** The cursor position of lesson `index` (-1 when it is not in the menu). */
export function itemOf(items: readonly MenuItem[], lessonIndex: number): number {
  return items.findIndex((item) => item.kind === 'lesson' && item.index === lessonIndex);
}

/** The lesson index under the cursor, or -1 on an exercise. */
export function selectedLesson(state: AppState): number {
  const item = state.items[state.selected];
  return item?.kind === 'lesson' ? item.index : -1;
}

/** The exercise id under the cursor, or null on a lesson. */
export function selectedExercise(state: AppState): string | null {
  const item = state.items[state.selected];
  return item?.kind === 'exercise' ? item.id : null;
}

export function appReducer(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'move': {
      // Wraps around, as a menu of a handful of entries is expected to.
      const count = state.items.length;
      const selected = (((state.selected + action.by) % count) + count) % count;
      return selected === state.selected ? state : { ...state, selected };
    }
    case 'first':
      return state.selected === 0 ? state : { ...state, selected: 0 };
    case 'last':
      return state.selected === state.items.length - 1 ? state : { ...state, selected: state.items.length - 1 };
    case 'open': {
      const selected = action.index === undefined ? state.selected : itemOf(state.items, action.index);
      const item = state.items[selected];
      if (!item) return state;
      return { ...state, screen: item.kind, selected, helpVisible: false };
    }
    case 'close':
      return { ...state, screen: 'menu', helpVisible: false };
    case 'toggle-lang':
      return { ...state, lang: state.lang === 'en' ? 'zh' : 'en' };
    case 'toggle-help':
      return { ...state, helpVisible: !state.helpVisible };
  }
}

// The app's own state as a pure reducer: which screen is up, which lesson the menu points at, the
// language, the menu's help overlay. A lesson's state lives in its own reducer (lesson-state.ts).
import type { Lang } from '../../lesson/types.js';

export interface AppState {
  screen: 'menu' | 'lesson';
  /** Index into the list of lessons: the menu's selection, and the lesson open on the lesson screen. */
  selected: number;
  lessonCount: number;
  lang: Lang;
  helpVisible: boolean;
}

export type AppAction =
  | { type: 'move'; by: number }
  | { type: 'first' }
  | { type: 'last' }
  /** Opens the selected lesson, or lesson `index` (selecting it). */
  | { type: 'open'; index?: number }
  /** Back to the menu, the lesson just left still selected. */
  | { type: 'close' }
  | { type: 'toggle-lang' }
  | { type: 'toggle-help' };

export function initialAppState(options: { lessonCount: number; lang: Lang; open?: number; first?: number }): AppState {
  const open = options.open !== undefined && options.open >= 0 && options.open < options.lessonCount ? options.open : undefined;
  const first = options.first !== undefined && options.first >= 0 && options.first < options.lessonCount ? options.first : 0;
  return { screen: open === undefined ? 'menu' : 'lesson', selected: open ?? first, lessonCount: options.lessonCount, lang: options.lang, helpVisible: false };
}

const clamp = (value: number, count: number) => Math.max(0, Math.min(count - 1, value));

export function appReducer(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'move': {
      // Wraps around, as a menu of a handful of entries is expected to.
      const selected = (((state.selected + action.by) % state.lessonCount) + state.lessonCount) % state.lessonCount;
      return selected === state.selected ? state : { ...state, selected };
    }
    case 'first':
      return state.selected === 0 ? state : { ...state, selected: 0 };
    case 'last':
      return state.selected === state.lessonCount - 1 ? state : { ...state, selected: state.lessonCount - 1 };
    case 'open': {
      if (action.index !== undefined && (action.index < 0 || action.index >= state.lessonCount)) return state;
      return { ...state, screen: 'lesson', selected: clamp(action.index ?? state.selected, state.lessonCount), helpVisible: false };
    }
    case 'close':
      return { ...state, screen: 'menu', helpVisible: false };
    case 'toggle-lang':
      return { ...state, lang: state.lang === 'en' ? 'zh' : 'en' };
    case 'toggle-help':
      return { ...state, helpVisible: !state.helpVisible };
  }
}

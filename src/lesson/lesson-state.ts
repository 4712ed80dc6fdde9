// The lesson screen's state: the step player's state (src/lesson/player.ts) plus what the demo
// produced for the screen — its status, the log, the observed fd table — and the text's scroll
// position. Pure; the effects that feed it live in src/lesson/driver.ts.
import { initialPlayerState, playerReducer, type PlayerAction, type PlayerState } from './player.js';
import type { RowDiff, Snapshot } from '../fdtable/model.js';
import type { Lang, Lesson, LogEntry } from './types.js';
import { initialWatchState, watchReducer, type WatchState } from '../fdtable/watch-state.js';

/** idle: no processes yet; starting: the supervisor is coming up; live: processes run;
 *  stopped: the learner stopped it (Ctrl-C); restarting: a re-run is tearing the old one down. */
export type DemoStatus = 'idle' | 'starting' | 'live' | 'stopped' | 'restarting';

/** Entries kept for the log; the screen shows the last ones that fit. */
export const LOG_LIMIT = 200;

export interface ObservedTable {
  watch: WatchState;
  /** `pid:fd` keys of the rows the step points at. */
  focus: ReadonlySet<string>;
  /** Rows hidden as Node's plumbing. */
  hidden: number;
  /** fds closed while this step is on screen: shown struck through until the step changes, since
   *  closing one is often the step's point and a two-second highlight is easily missed. */
  closed: readonly RowDiff[];
}

export interface LessonState {
  player: PlayerState;
  demo: DemoStatus;
  /** An earlier step running again on a fresh demo after a re-run (the screen shows a later one), or null. */
  replaying: number | null;
  /** Steps whose actions have run in the current demo: the processes are as after step `ranThrough`. */
  ranThrough: number;
  log: readonly LogEntry[];
  table: ObservedTable;
  /** First line of the step's text on screen. */
  scroll: number;
  /** What ↑ ↓ PgUp PgDn move: the text, the fd table or the log (Tab cycles). */
  pane: Pane;
  /** First table row on screen; null follows the step's focused rows. */
  tableScroll: number | null;
  /** Log lines scrolled back from the newest. */
  logScroll: number;
  /** The fd table alone on the screen. */
  zoom: boolean;
  /** Check lines wrapped whole instead of cut to one line. */
  expanded: boolean;
  /** Index into log of the first entry the current step wrote: the screen keeps those in view. */
  stepLog: number;
}

export type Pane = 'text' | 'table' | 'log';

export type LessonAction =
  | PlayerAction
  | { type: 'demo'; status: DemoStatus }
  | { type: 'replaying'; index: number | null }
  | { type: 'ran-through'; count: number }
  | { type: 'log'; entry: LogEntry }
  /** A table refresh for step `index` (dropped when the learner has moved on meanwhile). */
  | { type: 'sample'; index: number; snapshot: Snapshot; changes: RowDiff[]; focus: ReadonlySet<string>; hidden: number; at: number; holdMs: number }
  | { type: 'clear-table' }
  | { type: 'scroll'; to: number }
  | { type: 'pane'; pane: Pane }
  | { type: 'scroll-table'; to: number | null }
  | { type: 'scroll-log'; to: number }
  | { type: 'toggle-zoom' }
  | { type: 'toggle-expand' };

/** The screen-only actions: they change no step and start nothing. */
export type ViewAction = Extract<LessonAction, { type: 'scroll' | 'pane' | 'scroll-table' | 'scroll-log' | 'toggle-zoom' | 'toggle-expand' }>;

const emptyTable: ObservedTable = { watch: initialWatchState, focus: new Set(), hidden: 0, closed: [] };

export function initialLessonState(lesson: Lesson, lang: Lang): LessonState {
  return {
    player: initialPlayerState(lesson, lang), demo: 'idle', replaying: null, ranThrough: 0, log: [], table: emptyTable, scroll: 0,
    pane: 'text', tableScroll: null, logScroll: 0, zoom: false, expanded: false, stepLog: 0,
  };
}

export function lessonReducer(state: LessonState, action: LessonAction): LessonState {
  switch (action.type) {
    case 'demo':
      return state.demo === action.status ? state : { ...state, demo: action.status };
    case 'replaying':
      return state.replaying === action.index ? state : { ...state, replaying: action.index };
    case 'ran-through':
      return state.ranThrough === action.count ? state : { ...state, ranThrough: action.count };
    case 'log': {
      const trimmed = state.log.length >= LOG_LIMIT;
      const log = trimmed ? [...state.log.slice(1 - LOG_LIMIT), action.entry] : [...state.log, action.entry];
      return { ...state, log, stepLog: trimmed ? Math.max(0, state.stepLog - 1) : state.stepLog };
    }
    case 'sample':
      return sample(state, action);
    case 'clear-table':
      return state.table === emptyTable ? state : { ...state, table: emptyTable };
    case 'scroll': {
      const scroll = Math.max(0, action.to);
      return scroll === state.scroll ? state : { ...state, scroll };
    }
    case 'pane':
      return state.pane === action.pane ? state : { ...state, pane: action.pane };
    case 'scroll-table':
      return state.tableScroll === action.to ? state : { ...state, tableScroll: action.to === null ? null : Math.max(0, action.to) };
    case 'scroll-log': {
      const logScroll = Math.max(0, action.to);
      return logScroll === state.logScroll ? state : { ...state, logScroll };
    }
    case 'toggle-zoom':
      return { ...state, zoom: !state.zoom, pane: state.zoom ? state.pane : 'table' };
    case 'toggle-expand':
      return { ...state, expanded: !state.expanded };
    case 'rerun':
      return rerun(state);
    case 'restart': {
      const player = playerReducer(state.player, action);
      if (player === state.player) return state;
      return { ...state, player, demo: 'idle', replaying: null, ranThrough: 0, log: [], table: emptyTable, scroll: 0, pane: 'text', tableScroll: null, logScroll: 0, zoom: false, expanded: false, stepLog: 0 };
    }
    case 'run-started': {
      const next = withPlayer(state, playerReducer(state.player, action));
      return action.index === next.player.index ? { ...next, stepLog: next.log.length } : next;
    }
    default:
      return withPlayer(state, playerReducer(state.player, action));
  }
}

function withPlayer(state: LessonState, player: PlayerState): LessonState {
  if (player === state.player) return state;
  if (player.index === state.player.index) return { ...state, player };
  // A new step starts at the top of its text, with an empty table until the first refresh of its own
  // processes: the previous step's rows must never stand under the new step's caption.
  return { ...state, player, scroll: 0, table: emptyTable, tableScroll: null, logScroll: 0, expanded: false, stepLog: state.log.length };
}

/** The player resets every step (the fresh demo has done none of them); the app also forgets the demo. */
function rerun(state: LessonState): LessonState {
  const reset = playerReducer(state.player, { type: 'rerun' });
  if (reset === state.player) return state;
  return { ...state, player: { ...reset, finished: false }, demo: 'idle', replaying: null, ranThrough: 0, log: [], table: emptyTable, stepLog: 0 };
}

function sample(state: LessonState, action: Extract<LessonAction, { type: 'sample' }>): LessonState {
  if (action.index !== state.player.index) return state;
  const watch = watchReducer(state.table.watch, { type: 'sample', snapshot: action.snapshot, changes: action.changes, at: action.at, holdMs: action.holdMs });
  const closed = closedSince(state.table.closed, action.changes, action.snapshot);
  // A focused fd that the step closed stays focused: closing it is usually the point.
  const closedKeys = new Set(closed.map((change) => `${change.pid}:${change.fd}`));
  const wanted = new Set([...action.focus, ...[...state.table.focus].filter((key) => closedKeys.has(key))]);
  const focus = sameKeys(state.table.focus, wanted) ? state.table.focus : wanted;
  if (watch === state.table.watch && focus === state.table.focus && action.hidden === state.table.hidden && closed === state.table.closed) return state;
  return { ...state, table: { watch, focus, hidden: action.hidden, closed } };
}

/** The fds closed so far in this step, newest last; one opened again under the same number leaves the list. */
function closedSince(closed: readonly RowDiff[], changes: readonly RowDiff[], snapshot: Snapshot): readonly RowDiff[] {
  const open = new Set(snapshot.rows.map((row) => `${row.pid}:${row.fd}`));
  const vanished = changes.filter((change) => change.change === 'vanished');
  const kept = closed.filter((change) => !open.has(`${change.pid}:${change.fd}`) && !vanished.some((v) => v.pid === change.pid && v.fd === change.fd));
  if (vanished.length === 0 && kept.length === closed.length) return closed;
  return [...kept, ...vanished];
}

function sameKeys(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((key) => b.has(key));
}

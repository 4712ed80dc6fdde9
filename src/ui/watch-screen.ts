// Fits a formatted table into the lines a terminal has left, never more: Ink redraws the whole screen
// (and flickers) once its output is as tall as the terminal. Rows win over the legend and notes; rows
// that do not fit are counted in a "… N more rows" line and reachable by scrolling.
import type { FormattedTable } from '../fdtable/format.js';
import type { ScrollMove } from './hooks/use-watch-keys.js';

/** The legend and notes give their lines to the table when keeping them would hide more than this share of the rows. */
const LEGEND_MAX_COST = 1 / 3;

export interface WatchScreen {
  lines: string[];
  /** Table rows that fit on screen. */
  capacity: number;
  /** First visible row, clamped to what the table can show. */
  offset: number;
  total: number;
}

export function layoutWatchScreen(table: FormattedTable, height: number, offset: number): WatchScreen {
  const total = table.rows.length;
  const top = total > 0 ? [...table.statusLines, table.header] : [...table.statusLines];
  let extras = [...table.notes, ...table.legend];
  let capacity = rowsThatFit(total, height - top.length - extras.length);
  const capacityAlone = rowsThatFit(total, height - top.length);
  if (capacity < capacityAlone * (1 - LEGEND_MAX_COST)) {
    extras = [];
    capacity = capacityAlone;
  }
  const first = clampOffset(offset, capacity, total);
  const lines = [...top, ...table.rows.slice(first, first + capacity)];
  if (capacity < total) lines.push(moreLine(first, total - first - capacity));
  lines.push(...extras);
  return { lines: lines.slice(0, Math.max(0, height)), capacity, offset: first, total };
}

/** Rows that fit in `room` lines, keeping one line for "… N more rows" when not all do. */
function rowsThatFit(total: number, room: number): number {
  if (total <= room) return total;
  return Math.max(0, room - 1);
}

function clampOffset(offset: number, capacity: number, total: number): number {
  return Math.max(0, Math.min(offset, total - capacity));
}

function moreLine(above: number, below: number): string {
  const rows = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;
  // Never exactly one row hidden below with none above: that row would fit where this line is.
  if (above === 0) return `… ${below} more rows`;
  return `… ${rows(above)} above, ${below} more below`;
}

/** The offset after a scroll key, given the last screen. */
export function scrollOffset(screen: Pick<WatchScreen, 'offset' | 'capacity' | 'total'>, move: ScrollMove): number {
  const page = Math.max(1, screen.capacity - 1);
  const steps: Record<ScrollMove, number> = {
    up: -1, down: 1, pageUp: -page, pageDown: page, top: -screen.total, bottom: screen.total,
  };
  const from = clampOffset(screen.offset, screen.capacity, screen.total);
  return clampOffset(from + steps[move], screen.capacity, screen.total);
}

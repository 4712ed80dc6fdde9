// Renders a Snapshot as an lsof-style text table that fits a given width.
// Pure: no I/O, no colour library. Colour comes from an injected Palette, so the caller's
// colour decision (NO_COLOR, --no-color, not a TTY) is the only one that counts.
import type { FdRow, ProcessInfo, RowChange, RowDiff, Snapshot } from './model.js';
import { cellWidth, cutMiddle, fit } from '../text/width.js';
import { fitName, minimumNameWidth } from './name-cut.js';
import { wrapLine } from '../text/wrap.js';

/** Styling hooks; every function gets plain text and returns it, possibly wrapped in escape codes. */
export interface Palette {
  header(text: string): string;
  /** A row that appeared since the previous snapshot. */
  added(text: string): string;
  /** A cell whose value changed since the previous snapshot. */
  changed(text: string): string;
  /** A row whose fd was closed since the previous snapshot (shown once). */
  vanished(text: string): string;
  muted(text: string): string;
  warning(text: string): string;
  /** A row the caller asked to point at (FormatOptions.focus); `header` when absent. */
  focus?(text: string): string;
}

const same = (text: string): string => text;
export const plainPalette: Palette = { header: same, added: same, changed: same, vanished: same, muted: same, warning: same };

export type ColumnId =
  | 'pid' | 'command' | 'fd' | 'type' | 'description' | 'fdFlags' | 'fileFlags' | 'offset' | 'node' | 'queue' | 'name';

interface Column {
  id: ColumnId;
  title: string;
  align: 'left' | 'right';
  cell(row: FdRow): string;
  /** RowDiff field names that light this cell up. */
  fields: readonly string[];
}

const dash = (value: number | string | null): string => (value === null ? '-' : String(value));

export function fdFlagsText(row: FdRow): string {
  if (row.cloexec === null) return '?';
  return row.cloexec ? 'cloexec' : '-';
}

export function fileFlagsText(row: FdRow): string {
  if (row.access === null && row.nonblock === null && row.append === null) return '?';
  const parts = [row.access ?? '?'];
  if (row.nonblock) parts.push('nonblock');
  if (row.append) parts.push('append');
  return parts.join(',');
}

/** `acceptQueue/backlog` for a listener, e.g. `3/511`; `-` for everything else. */
export function queueText(row: FdRow): string {
  const socket = row.socket;
  if (!socket || socket.state !== 'LISTEN' || socket.acceptQueue === null) return '-';
  return `${socket.acceptQueue}/${socket.backlog ?? '?'}`;
}

const COLUMNS: readonly Column[] = [
  { id: 'pid', title: 'PID', align: 'right', cell: (r) => String(r.pid), fields: ['pid'] },
  { id: 'command', title: 'CMD', align: 'left', cell: (r) => r.command.slice(0, 15), fields: ['command'] },
  { id: 'fd', title: 'FD', align: 'right', cell: (r) => String(r.fd), fields: ['fd'] },
  { id: 'type', title: 'TYPE', align: 'left', cell: (r) => r.type, fields: ['type'] },
  { id: 'description', title: 'DESC', align: 'left', cell: (r) => r.description || '?', fields: ['description', 'identity'] },
  { id: 'fdFlags', title: 'FD FLAGS', align: 'left', cell: fdFlagsText, fields: ['cloexec'] },
  { id: 'fileFlags', title: 'FILE FLAGS', align: 'left', cell: fileFlagsText, fields: ['access', 'nonblock', 'append', 'flagsRaw'] },
  { id: 'offset', title: 'OFFSET', align: 'right', cell: (r) => dash(r.offset), fields: ['offset'] },
  { id: 'node', title: 'NODE', align: 'right', cell: (r) => dash(r.inode), fields: ['inode', 'device'] },
  { id: 'queue', title: 'QUEUE', align: 'right', cell: queueText, fields: ['socket.acceptQueue', 'socket.backlog'] },
  {
    id: 'name', title: 'NAME', align: 'left', cell: (r) => r.name,
    fields: ['name', 'socket.state', 'socket.local', 'socket.remote', 'socket.peerInode'],
  },
];

/** Each column's title as the header prints it. */
export const COLUMN_TITLES = Object.fromEntries(COLUMNS.map((column) => [column.id, column.title])) as Record<ColumnId, string>;

/** Columns given up, in this order, when the table is too wide; PID, FD, DESC and NAME always stay,
 *  and so do the columns a caller asks to keep (FormatOptions.keep). */
export const DROP_ORDER: readonly ColumnId[] = ['offset', 'node', 'command', 'type', 'queue', 'fdFlags', 'fileFlags'];
/** NAME is shortened to this many cells (or to what its kept parts need, if more) before any column is dropped. */
export const NAME_MIN_WIDTH = 24; // `127.0.0.1:41234 (LISTEN)` whole
const GAP = '  ';
const MARKERS: Record<RowChange, string> = { appeared: '+', changed: '~', vanished: '-' };

export interface FormatOptions {
  /** Terminal cells available per line; Infinity (the default) never truncates. */
  width?: number;
  /** Differences from the previous snapshot; when given, a marker column is shown. */
  changes?: readonly RowDiff[];
  palette?: Palette;
  /** Include the legend lines (default true). */
  legend?: boolean;
  /**
   * Rows to point at, as "pid:fd" keys (a lesson's "look here"). They are drawn with palette.focus and,
   * so that plain text shows them too, marked `>` in the marker column (which this option turns on).
   */
  focus?: ReadonlySet<string>;
  /** Columns the reader is looking at (a lesson step's): hidden last, never to fit the width. */
  keep?: readonly ColumnId[];
}

export interface FormattedTable {
  /** Visible columns, left to right. */
  columns: ColumnId[];
  /** Columns hidden to fit the width. */
  dropped: ColumnId[];
  header: string;
  /** One line per fd row, vanished rows included at their place. */
  rows: string[];
  /** Indexes into rows of the focused ones (FormatOptions.focus). */
  focusRows: number[];
  /** Lines about processes without rows: gone, denied, errors, no fds. */
  statusLines: string[];
  /** Remarks: why identity is unknown, which columns were hidden. */
  notes: string[];
  legend: string[];
}

interface TableRow {
  row: FdRow;
  change: RowDiff | null;
}

export function formatSnapshot(snapshot: Snapshot, options: FormatOptions = {}): FormattedTable {
  const width = options.width ?? Infinity;
  const palette = options.palette ?? plainPalette;
  const focus = options.focus ?? new Set<string>();
  // Two marker columns: `>` for the rows a step points at, `+ ~ -` for changes; one does not hide the other.
  const focusColumn = focus.size > 0;
  const changeColumn = options.changes !== undefined;
  const markerWidth = (focusColumn ? 1 : 0) + (changeColumn ? 1 : 0) + (focusColumn || changeColumn ? 1 : 0);
  const tableRows = mergeRows(snapshot, options.changes ?? []);
  const rows = tableRows.map(({ row }) => row);

  const texts = tableRows.map(({ row }) => COLUMNS.map((column) => column.cell(row)));
  // A loop, not Math.max(...spread): a process may hold more fds than a call can take arguments.
  const natural = COLUMNS.map((column, i) => texts.reduce((widest, cells) => Math.max(widest, cellWidth(cells[i])), cellWidth(column.title)));
  const nameIndex = COLUMNS.findIndex((column) => column.id === 'name');
  const essential = texts.reduce((widest, cells) => Math.max(widest, minimumNameWidth(cells[nameIndex])), 0);
  const layout = fitColumns(natural, width - markerWidth, {
    absent: absentColumns(rows),
    keep: keptColumns(rows, options.keep ?? []),
    nameMin: Math.min(natural[nameIndex], Math.max(NAME_MIN_WIDTH, essential)),
  });

  const pad = (text: string, i: number): string => {
    const size = layout.widths[i];
    const fitted = i === nameIndex ? fitName(text, size) : cutMiddle(text, size);
    const fill = ' '.repeat(Math.max(0, size - cellWidth(fitted)));
    return COLUMNS[i].align === 'right' ? fill + fitted : fitted + fill;
  };
  const visible = layout.visible;
  const prefix = (focused: boolean, change: RowDiff | null): string =>
    markerWidth === 0 ? '' : `${focusColumn ? (focused ? '>' : ' ') : ''}${changeColumn ? (change ? MARKERS[change.change] : ' ') : ''} `;
  // Trailing spaces are trimmed so that the NAME column never adds padding past the text.
  const header = palette.header((prefix(false, null) + visible.map((i) => pad(COLUMNS[i].title, i)).join(GAP)).trimEnd());

  const lines = tableRows.map(({ row, change }, r) => {
    const cells = visible.map((i) => {
      const text = pad(texts[r][i], i);
      const lit = change?.change === 'changed' && COLUMNS[i].fields.some((field) => change.fields.includes(field));
      return lit ? highlightTrimmed(text, palette.changed) : text;
    });
    const focused = focus.has(`${row.pid}:${row.fd}`);
    const line = (prefix(focused, change) + cells.join(GAP)).trimEnd();
    const styled = change?.change === 'appeared' ? palette.added(line) : change?.change === 'vanished' ? palette.vanished(line) : line;
    // A focused row keeps its style under a change mark: the eye must find it while it changes.
    return focused ? (palette.focus ?? palette.header)(styled) : styled;
  });

  const shown = new Set(visible.map((i) => COLUMNS[i].id));
  const absent = absentColumns(rows);
  const dropped = DROP_ORDER.filter((id) => !shown.has(id) && !absent.has(id));
  const notes = identityNotes(snapshot.rows).map((note) => palette.muted(fitLine(note, width)));
  if (dropped.length > 0) {
    const titles = dropped.map((id) => COLUMNS.find((column) => column.id === id)!.title).join(', ');
    notes.push(palette.muted(fitLine(`(hidden to fit the width: ${titles})`, width)));
  }
  return {
    columns: [...shown],
    dropped,
    header,
    rows: lines,
    focusRows: tableRows.flatMap(({ row }, i) => (focus.has(`${row.pid}:${row.fd}`) ? [i] : [])),
    statusLines: statusLines(snapshot.processes).map((line) => palette.warning(fitLine(line, width))),
    notes,
    legend: options.legend === false ? [] : legendLines(options.changes !== undefined, width).map(palette.muted),
  };
}

/** Columns that would say nothing: QUEUE without a listener among the rows. */
function absentColumns(rows: readonly FdRow[]): Set<ColumnId> {
  return new Set<ColumnId>(rows.some((row) => row.socket?.state === 'LISTEN') ? [] : ['queue']);
}

/** The caller's columns, and CMD whenever rows of more than one process are shown (the only way to tell
 *  a parent from its child when both run the same program is the command the tutor names them by). */
function keptColumns(rows: readonly FdRow[], keep: readonly ColumnId[]): Set<ColumnId> {
  const kept = new Set(keep);
  if (new Set(rows.map((row) => row.pid)).size > 1) kept.add('command');
  return kept;
}

/** The whole table as text: status lines, header, rows, notes, legend. */
export function renderTable(table: FormattedTable): string {
  const body = table.rows.length > 0 ? [table.header, ...table.rows] : [];
  return [...table.statusLines, ...body, ...table.notes, ...table.legend].join('\n');
}

/** Rows in process order then fd order, with vanished rows from the diff put back where they were. */
function mergeRows(snapshot: Snapshot, changes: readonly RowDiff[]): TableRow[] {
  const byKey = new Map(changes.map((change) => [`${change.pid}:${change.fd}`, change]));
  const rows: TableRow[] = snapshot.rows.map((row) => ({ row, change: byKey.get(`${row.pid}:${row.fd}`) ?? null }));
  for (const change of changes) {
    if (change.change === 'vanished' && change.before) rows.push({ row: change.before, change });
  }
  const order = new Map(snapshot.processes.map((p, i) => [p.pid, i]));
  const rank = (pid: number): number => order.get(pid) ?? order.size;
  return rows.sort((a, b) => rank(a.row.pid) - rank(b.row.pid) || a.row.pid - b.row.pid || a.row.fd - b.row.fd);
}

interface Layout {
  /** Indexes into COLUMNS that are shown. */
  visible: number[];
  /** Width of each column in COLUMNS (0 for hidden ones). */
  widths: number[];
}

interface FitRules {
  /** Columns not shown at all. */
  absent: ReadonlySet<ColumnId>;
  /** Columns never dropped. */
  keep: ReadonlySet<ColumnId>;
  /** NAME is shortened to this before a column is dropped. */
  nameMin: number;
}

/** Shortens NAME first, then drops columns in DROP_ORDER (skipping kept ones) until the table fits. */
export function fitColumns(natural: readonly number[], width: number, rules: FitRules): Layout {
  const nameIndex = COLUMNS.findIndex((column) => column.id === 'name');
  const hidden = new Set<number>(COLUMNS.flatMap((column, i) => (rules.absent.has(column.id) ? [i] : [])));
  const droppable = DROP_ORDER.filter((id) => !rules.keep.has(id) && !rules.absent.has(id));
  for (let dropped = 0; ; dropped += 1) {
    const visible = COLUMNS.map((_, i) => i).filter((i) => !hidden.has(i));
    const fixed = visible.filter((i) => i !== nameIndex).reduce((sum, i) => sum + natural[i] + GAP.length, 0);
    const room = width - fixed;
    if (room >= rules.nameMin || dropped >= droppable.length) {
      const widths = COLUMNS.map((_, i) => (hidden.has(i) ? 0 : natural[i]));
      // When nothing more can be dropped, NAME gets what is left (at least 1); lines may still be cut.
      widths[nameIndex] = Math.max(1, Math.min(natural[nameIndex], room));
      return { visible, widths };
    }
    hidden.add(COLUMNS.findIndex((column) => column.id === droppable[dropped]));
  }
}

function highlightTrimmed(cell: string, style: (text: string) => string): string {
  const start = cell.length - cell.trimStart().length;
  const core = cell.trim();
  return cell.slice(0, start) + style(core) + cell.slice(start + core.length);
}

function statusLines(processes: readonly ProcessInfo[]): string[] {
  return processes.flatMap((p) => {
    const who = p.command ? `pid ${p.pid} (${p.command})` : `pid ${p.pid}`;
    if (p.status !== 'ok') return [`${who}: ${p.status}${p.message ? ` - ${p.message}` : ''}`];
    if (p.fdCount === 0) return [`${who}: no open file descriptors`];
    return [];
  });
}

function identityNotes(rows: readonly FdRow[]): string[] {
  const notes = new Set(rows.filter((r) => r.identity === 'unknown' && r.descriptionNote).map((r) => r.descriptionNote!));
  return [...notes].map((note) => `DESC ?: ${note}`);
}

const LEGEND =
  'DESC: equal letters = one open file description, across processes (? = unknown). ' +
  'FD FLAGS: per fd (cloexec = closed at exec). FILE FLAGS: per description, so shared by equal DESC letters.';
const MARKER_LEGEND = 'Since the last refresh: + new fd, ~ changed, - closed.';

function legendLines(withMarkers: boolean, width: number): string[] {
  const text = withMarkers ? `${LEGEND} ${MARKER_LEGEND}` : LEGEND;
  return Number.isFinite(width) ? wrapLine(text, width) : [text];
}

function fitLine(line: string, width: number): string {
  return Number.isFinite(width) ? fit(line, width) : line;
}

/** Keeps the head and the tail, which name a path's file and a socket's state: `127.0.0.1:4…(LISTEN)`. */
export function truncateMiddle(text: string, width: number): string {
  return cutMiddle(text, width);
}

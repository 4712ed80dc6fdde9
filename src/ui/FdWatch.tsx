// The `fds --watch` live view: re-snapshots every interval, lights up what changed, fits the terminal.
// Snapshot-taking lives in useSnapshots; this component lays out, and FdTableView/StatusBar only render.
import { useMemo, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import { formatSnapshot, plainPalette, type Palette } from '../fdtable/format.js';
import type { Snapshot } from '../fdtable/model.js';
import { FdTableView } from './FdTableView.js';
import { StatusBar } from './StatusBar.js';
import { useSnapshots } from './hooks/use-snapshots.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { useWatchKeys, WATCH_KEYS_HELP } from './hooks/use-watch-keys.js';
import { layoutWatchScreen, scrollOffset } from './watch-screen.js';
import type { DiffFn, SnapshotSource } from '../fdtable/watch-state.js';

export const DEFAULT_HOLD_MS = 2000;
/** Smallest terminal the table is drawn in; below it one sentence says so. */
export const MIN_COLUMNS = 40;
export const MIN_ROWS = 8;

export interface FdWatchProps {
  pids: readonly number[];
  intervalMs: number;
  source: SnapshotSource;
  diff: DiffFn;
  palette?: Palette;
  /** How long a change stays highlighted when nothing else changes. */
  holdMs?: number;
  initial?: Snapshot;
  /** Called when the user quits (q, Esc or Ctrl-C), just before the app exits. */
  onQuit?: () => void;
}

export function FdWatch({ pids, intervalMs, source, diff, palette = plainPalette, holdMs = DEFAULT_HOLD_MS, initial, onQuit }: FdWatchProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [paused, setPaused] = useState(false);
  const [offset, setOffset] = useState(0);
  const state = useSnapshots({ pids, intervalMs, source, diff, holdMs, initial, paused });

  // Layout is computed once per snapshot (or resize), not once per frame.
  const table = useMemo(
    () => state.snapshot && formatSnapshot(state.snapshot, { width: columns, changes: state.changes, palette }),
    [state.snapshot, state.changes, columns, palette],
  );
  // Two lines for the title and the status bar, one spare: ink clears the screen when output fills it.
  const tableHeight = rows - 3;
  const screen = useMemo(() => table && layoutWatchScreen(table, tableHeight, offset), [table, tableHeight, offset]);

  useWatchKeys({
    quit: () => {
      onQuit?.();
      exit();
    },
    togglePause: () => setPaused((value) => !value),
    // From the current offset, not the rendered one: several keys can arrive before the next render.
    scroll: (move) => {
      if (screen) setOffset((current) => scrollOffset({ ...screen, offset: current }, move));
    },
  });

  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return <Text>{`Terminal too small for the fd table (${columns}×${rows}, need ${MIN_COLUMNS}×${MIN_ROWS}); enlarge it or press q.`}</Text>;
  }
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">{palette.header(title(pids, intervalMs, state.changedAt))}</Text>
      {screen ? <FdTableView lines={screen.lines} /> : <Text>reading fd tables…</Text>}
      <StatusBar keys={WATCH_KEYS_HELP} paused={paused} error={state.error} palette={palette} />
    </Box>
  );
}

function title(pids: readonly number[], intervalMs: number, changedAt: number | null): string {
  const last = changedAt === null ? 'no change yet' : `last change ${new Date(changedAt).toTimeString().slice(0, 8)}`;
  return `fds ${pids.join(' ')} · every ${intervalMs} ms · ${last}`;
}

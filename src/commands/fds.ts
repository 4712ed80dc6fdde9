// `hotrestart-tutor fds PID... [--watch[=MS]] [--json] [--width=N] [--no-color]`
// One table (or JSON document), a live Ink view at a terminal, or a stream of refreshes elsewhere.
import type { Command, CommandContext } from './context.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_UNSUPPORTED, EXIT_USAGE, UserError } from './errors.js';
import { DEFAULT_WATCH_MS, MIN_WATCH_MS, parseFdsArgs, type FdsOptions } from './fds-args.js';
import { streamSnapshots } from './fds-stream.js';
import { formatSnapshot, renderTable, type Palette } from '../fdtable/format.js';
import { toFdsDocument } from '../fdtable/json.js';
import type { Snapshot } from '../fdtable/model.js';
import { paletteFor } from '../ui/palette.js';
import type { DiffFn, SnapshotSource } from '../fdtable/watch-state.js';
import { importProductionReact } from '../ui/production-react.js';

const usage = `Usage: hotrestart-tutor fds PID... [--watch[=MS]] [--json] [--width=N] [--no-color]

Shows every file descriptor of the given processes, lsof-style, with what lsof leaves out:
  DESC        a letter per open file description; equal letters = one description, across processes
  FD FLAGS    per fd: cloexec (closed at exec) or -
  FILE FLAGS  per description: access mode r/w/rw, nonblock, append (shared by every fd with that DESC)
  QUEUE       listeners: connections waiting in the accept queue / backlog, e.g. 3/511

Options:
  --watch[=MS]  refresh every MS milliseconds (default ${DEFAULT_WATCH_MS}, at least ${MIN_WATCH_MS}); the value must be
                attached with "=": "--watch 500" watches pid 500. At a terminal: a live view (q quits).
                Otherwise: a table per refresh that changed something, or with --json one JSON document
                per line per refresh; the stream ends when every watched process has ended.
  --json        print the hotrestart-tutor/fds@1 JSON document (see README) instead of a table
  --width=N     fit the table to N columns (default: the terminal's width; unlimited when not a terminal)
  --no-color    no colour (also NO_COLOR=1 or TERM=dumb)

Exit codes: 0 ok; 2 bad arguments or a pid with no process (the others are still shown);
1 a process could not be read (permission); 3 unsupported platform.
`;

async function run(args: string[], context: CommandContext): Promise<number> {
  const options = parseFdsArgs(args);
  const engine = await import('../fdtable/index.js');
  if (!engine.platformSupported()) {
    throw new UserError(`fds reads fd tables on Linux and on macOS (through lsof); ${process.platform} is not supported.`, EXIT_UNSUPPORTED);
  }
  // Passing the previous snapshot keeps each description's letter from one refresh to the next.
  const take: SnapshotSource = (pids, previous) => engine.snapshot(pids, { previous });
  const first = take(options.pids);
  if (options.watchMs === null) return printOnce(first, options, context);

  if (!first.processes.some((p) => p.status === 'ok')) {
    reportProblems(first, context);
    return exitCodeFor(first);
  }
  const palette = paletteFor(context.color);
  if (context.interactive && !options.json) {
    const { runFdWatch } = await importProductionReact(() => import('../ui/run-fd-watch.js'));
    return runFdWatch({
      pids: options.pids, intervalMs: options.watchMs, initial: first, source: take, diff: engine.diff, palette,
      stdout: context.stdout, stdin: context.stdin, stderr: context.stderr,
    });
  }
  return streamUntilStopped(first, options, { intervalMs: options.watchMs, take, diff: engine.diff, palette }, context);
}

interface StreamSetup {
  intervalMs: number;
  take: SnapshotSource;
  diff: DiffFn;
  palette: Palette;
}

async function streamUntilStopped(first: Snapshot, options: FdsOptions, setup: StreamSetup, context: CommandContext): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.once(signal, stop);
  context.stdout.once('error', stop); // EPIPE: the reader went away
  try {
    await streamSnapshots({
      ...setup, pids: options.pids, first, json: options.json, width: options.width ?? Infinity,
      write: (text) => { if (!controller.signal.aborted) context.stdout.write(text); },
      signal: controller.signal,
    });
  } finally {
    for (const signal of signals) process.off(signal, stop);
    context.stdout.off('error', stop);
  }
  // Stopping a watch, by a signal or because its processes ended, is its normal end.
  return EXIT_OK;
}

function printOnce(snapshot: Snapshot, options: FdsOptions, context: CommandContext): number {
  if (options.json) {
    context.stdout.write(`${JSON.stringify(toFdsDocument(snapshot), null, 2)}\n`);
  } else if (snapshot.processes.some((p) => p.status === 'ok')) {
    // Problems go to stderr (below), so the table on stdout holds only what could be read.
    const readable = { ...snapshot, processes: snapshot.processes.filter((p) => p.status === 'ok') };
    // A pseudo-terminal may report 0 columns; 80 is what such a terminal shows.
    const width = options.width ?? (context.stdout.isTTY ? context.stdout.columns || 80 : Infinity);
    context.stdout.write(`${renderTable(formatSnapshot(readable, { width, palette: paletteFor(context.color) }))}\n`);
  }
  reportProblems(snapshot, context);
  return exitCodeFor(snapshot);
}

/** One sentence per process that could not be read, on stderr. */
function reportProblems(snapshot: Snapshot, context: CommandContext): void {
  for (const p of snapshot.processes) {
    if (p.status !== 'ok') context.stderr.write(`${p.message ?? `Could not read the fds of pid ${p.pid}.`}\n`);
  }
}

/** A missing pid is the caller's mistake (2) and outranks an unreadable one (1). */
export function exitCodeFor(snapshot: Snapshot): number {
  if (snapshot.processes.some((p) => p.status === 'gone')) return EXIT_USAGE;
  if (snapshot.processes.some((p) => p.status !== 'ok')) return EXIT_FAILURE;
  return EXIT_OK;
}

export const fdsCommand: Command = { usage, run };

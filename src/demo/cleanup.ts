// The cleanup registry: whatever must happen however the tutor ends (stop the supervisor, restore a
// sysctl) registers here. The CLI owns the single exit site: it calls installExitHandlers once at start
// and runCleanups() before its own normal exit. Each cleanup runs at most once, newest first.
//
// Two flavours per entry, because Node's 'exit' event cannot await: `run` (async, used on signals and on
// the normal path) and `runSync` (used from 'exit' and after fatal errors; defaults to calling `run` and
// not waiting, which is only right for cleanups that are synchronous anyway).

type AsyncCleanup = () => Promise<void> | void;
type SyncCleanup = () => void;

interface Entry {
  run: AsyncCleanup;
  runSync: SyncCleanup;
}

const entries: Entry[] = [];

/** Registers a cleanup; returns a function that unregisters it (call it when the thing was cleaned up
 *  the normal way, so it is not done twice). */
export function onCleanup(run: AsyncCleanup, runSync: SyncCleanup = () => void run()): () => void {
  const entry = { run, runSync };
  entries.push(entry);
  return () => {
    const index = entries.indexOf(entry);
    if (index !== -1) entries.splice(index, 1);
  };
}

/** Runs and removes every registered cleanup, newest first; one failing does not stop the others. */
export async function runCleanups(): Promise<void> {
  for (let entry = entries.pop(); entry; entry = entries.pop()) {
    try {
      await entry.run();
    } catch {
      // Cleanup is best effort; the warden still guarantees the processes end.
    }
  }
}

export function runCleanupsSync(): void {
  for (let entry = entries.pop(); entry; entry = entries.pop()) {
    try {
      entry.runSync();
    } catch {
      // As above.
    }
  }
}

export interface ExitHandlerOptions {
  /** Called at once, before any cleanup runs, when SIGINT, SIGTERM or SIGHUP arrives: the moment to stop
   *  reporting, since ending the demo's processes will make whatever is running fail. */
  onStop?: (signal: NodeJS.Signals) => void;
  /** Called after the cleanups ran for SIGINT, SIGTERM or SIGHUP. Default: exit with 128 + signal number. */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** Called after the sync cleanups ran for an uncaught exception or unhandled rejection.
   *  Default: print the error's message on stderr and exit with code 70 (EX_SOFTWARE). */
  onFatal?: (error: unknown) => void;
}

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** Hooks every way the process can end to the registry. Returns a function that removes the hooks. */
export function installExitHandlers(options: ExitHandlerOptions = {}): () => void {
  const onExit = () => runCleanupsSync();
  const onSignal = (signal: NodeJS.Signals) => {
    options.onStop?.(signal);
    void runCleanups().then(() => {
      if (options.onSignal) options.onSignal(signal);
      else process.exit(128 + signalNumbers[signal]);
    });
  };
  const onFatal = (error: unknown) => {
    runCleanupsSync();
    if (options.onFatal) options.onFatal(error);
    else {
      process.stderr.write(`hotrestart-tutor: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(70);
    }
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  process.on('exit', onExit);
  for (const signal of signals) process.on(signal, onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  return () => {
    process.off('exit', onExit);
    for (const signal of signals) process.off(signal, onSignal);
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
  };
}

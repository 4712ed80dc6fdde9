// Types of sweep.mjs (plain JavaScript so the warden needs no TypeScript loader).

/** The environment variable that marks every process of a run: HOTRESTART_TUTOR_RUN=<runId>. */
export declare const RUN_MARKER: 'HOTRESTART_TUTOR_RUN';
/** The name of the run's private directory: hotrestart-tutor-<runId>. */
export declare function runDirName(runId: string): string;
/** True when pid's cwd is the run's private directory or under it (removed or not). */
export declare function inRunDir(pid: number, runId: string): boolean;
/** True when pid has a controlling terminal (a person's shell, editor or their jobs). */
export declare function hasTerminal(pid: number): boolean;
/** True when pid belongs to the run: the marker in its environment, or its cwd in the run's directory
 *  and no controlling terminal (for programs such as nginx that overwrite their environment with their
 *  process title; a learner's shell that cd'd into the directory is not the run's). */
export declare function isOfRun(pid: number, runId: string): boolean;
/** Pids of live processes of the run (isOfRun): the marker in their environment, or their cwd. Unreadable ones (other users,
 *  processes that vanished mid-scan) are skipped; zombies have an empty environ and drop out too. */
export declare function markedPids(runId: string): number[];
/** True while pid names a process that has not exited. A zombie (exited, not yet reaped) counts as gone:
 *  it holds no fds and no ports, and kill(pid, 0) would still say it exists. */
export declare function isAlive(pid: number): boolean;
export declare function signalAll(pids: number[], signal: NodeJS.Signals): void;
export declare function sleepSync(ms: number): void;
/** SIGKILLs every marked process, scanning again until two scans in a row find none or timeoutMs passes.
 *  Returns the pids still found at the end: empty on success. */
export declare function killMarkedSync(runId: string, timeoutMs?: number): number[];
/** Kills the whole run and removes its private directory: the last word of both warden and tutor. */
export declare function endRunSync(runId: string, dir: string, timeoutMs?: number): number[];

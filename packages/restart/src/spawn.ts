// Starting the successor: the same program with the same command line, environment and working
// directory, plus the inheritance variables, and the passed fds placed at 3, 4, 5, ... in a fixed order.
//
// LISTEN_PID must be the successor's own pid, which nobody knows before it exists, and Node has no
// fork-then-exec hook to set it in between. So the successor is started through the shell:
//   /bin/sh -c 'LISTEN_PID=$$ exec "$0" "$@"' node [execArgv] script [args]
// `$$` is the shell's pid, and `exec` replaces the shell with node in the same process, so the pid is
// right. dash and bash both export an assignment that prefixes `exec`.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export const SHELL = '/bin/sh';
export const EXEC_WITH_LISTEN_PID = 'LISTEN_PID=$$ exec "$0" "$@"';

export interface SpawnInput {
  /** fds for the child's 3, 4, 5, ... in this order. */
  fds: number[];
  env: NodeJS.ProcessEnv;
  /** Default: this process's own command line. */
  command?: { file: string; args: string[] };
}

/** This process's command line: process.execPath, process.execArgv, then the script and its arguments. */
export function ownCommand(): { file: string; args: string[] } {
  return { file: process.execPath, args: [...process.execArgv, ...process.argv.slice(1)] };
}

export function spawnSuccessor(input: SpawnInput): ChildProcess {
  const { file, args } = input.command ?? ownCommand();
  return spawn(SHELL, ['-c', EXEC_WITH_LISTEN_PID, file, ...args], {
    env: input.env,
    // stdin is not passed on: a server does not read it, and a successor started from a terminal would
    // go on competing with the shell for the keyboard once the original has exited.
    // stdout and stderr are shared, so every generation logs to the same place.
    stdio: ['ignore', 'inherit', 'inherit', ...input.fds],
  });
}

/** "exited with code 1", "was killed by SIGKILL". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${code}`;
}

/** Kills a successor that missed its chance (SIGKILL: it never became current, it has nothing to finish). */
export async function ensureGone(child: ChildProcess, waitMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(constants.signals.SIGKILL);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
}

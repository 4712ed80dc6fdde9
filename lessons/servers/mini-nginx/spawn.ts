// How mini-nginx's master starts processes so that each gets the listening sockets as nginx's children do:
// at the same fd numbers as in the master (nginx's workers are forks; its new binary gets them across
// execve because they lack FD_CLOEXEC). Node cannot fork, so each child is spawned with the listeners
// placed in its stdio array at their own numbers: libuv dup2()s each onto itself in the child, which clears
// FD_CLOEXEC, and the child holds the master's open file description, not a copy.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { entryUrl, nodeCommand } from '../../../src/demo/entry.js';
import { NGINX_VAR, nginxVariable, type Listener } from './listeners.js';

type Slot = 'ignore' | 'inherit' | 'ipc' | number;

/** The stdio array for a child: `head` at 0..2, each listener at its own fd, `ipc` (if any) after them. */
export function placeFds(listeners: Listener[], head: Slot[], ipc: boolean): StdioOptions {
  const top = Math.max(head.length - 1, ...listeners.map((l) => l.fd));
  // Every slot filled: node compacts an array with holes, which would move the listeners to 3, 4, ...
  const stdio: Slot[] = Array.from({ length: top + 1 }, (_, i) => head[i] ?? 'ignore');
  for (const l of listeners) stdio[l.fd] = l.fd;
  if (ipc) stdio.push('ipc');
  return stdio;
}

/** The environment of a child: the master's own (the tutor's run marker included), without NGINX. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!(NGINX_VAR in extra)) delete env[NGINX_VAR];
  return env;
}

/** A worker: worker.ts beside this file, run like this process (through tsx from the sources). */
export function spawnWorker(listeners: Listener[]): ChildProcess {
  const { file, args } = nodeCommand(entryUrl('worker', import.meta.url));
  // stdin and stdout on /dev/null, stderr shared (the master's fd 2 is the error log by then).
  return spawn(file, args, { stdio: placeFds(listeners, ['ignore', 'ignore', 'inherit'], true), env: childEnv() });
}

/** The command line this process was started with, to start the new binary with (nginx execs its argv). */
export function ownCommand(): { file: string; args: string[] } {
  return { file: process.execPath, args: [...process.execArgv, ...process.argv.slice(1)] };
}

/** The new binary of a USR2: this program again, with NGINX naming the listeners' fds. */
export function spawnNewBinary(listeners: Listener[]): ChildProcess {
  const { file, args } = ownCommand();
  return spawn(file, args, {
    stdio: placeFds(listeners, ['inherit', 'inherit', 'inherit'], false),
    env: childEnv({ [NGINX_VAR]: nginxVariable(listeners) }),
  });
}

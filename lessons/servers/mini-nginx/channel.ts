// What mini-nginx's master and its workers say to each other over the worker's IPC channel: the master
// tells a worker its config (nginx's workers get it by fork; a Node process cannot fork, so it is sent)
// and, later, what nginx's master sends over its channel socketpair: quit, terminate, reopen. The worker
// says when it listens.
import type { Conf, LogLevel } from './conf.js';
import type { Listener } from './listeners.js';

export interface StartMessage {
  type: 'start';
  conf: Conf;
  /** The listeners, already at these fds in the worker (inherited from the master). */
  listeners: Listener[];
  log: { file: string; level: LogLevel };
  /** nginx's ngx_daemonized: a worker honours WINCH only then. */
  daemonized: boolean;
}

export type ToWorker = StartMessage | { type: 'quit' } | { type: 'terminate' } | { type: 'reopen' };
export type ToMaster = { type: 'ready' };

/** The title nginx gives each kind of process, with the stand-in's name. */
export const TITLE = {
  master: 'mini-nginx: master process',
  worker: 'mini-nginx: worker process',
  workerLeaving: 'mini-nginx: worker process is shutting down',
} as const;

/** nginx's names and numbers for the signals it logs (Linux numbering). */
export const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
  SIGCHLD: 17,
  SIGWINCH: 28,
};

/** `signal 12 (SIGUSR2) received, changing binary`: nginx's notice line for a signal and what it does. */
export function signalLine(signal: NodeJS.Signals, action = ''): string {
  return `signal ${SIGNAL_NUMBERS[signal]} (${signal}) received${action ? `, ${action}` : ''}`;
}

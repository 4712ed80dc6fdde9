// The interfaces lessons, commands and tests use to drive demo processes.
import type { PuppetOp, PuppetReply, PuppetRequest } from './protocol.js';

export interface PuppetHandle {
  readonly name: string;
  readonly pid: number;
  /** Sends one request and resolves with the reply (never rejects for a failed syscall: ok=false). */
  call<K extends PuppetOp>(request: PuppetRequest & { op: K }): Promise<PuppetReply<K>>;
  /** Resolves when the puppet process has exited. */
  readonly exited: Promise<void>;
}

export interface SpawnPuppetOptions {
  /** Extra environment for the puppet. */
  env?: Record<string, string>;
}

export interface SupervisorApi {
  /** Unique id of this run; every process it starts carries HOTRESTART_TUTOR_RUN=<runId> in its environment. */
  readonly runId: string;
  /** Private 0700 directory for unix sockets and files of this run; removed at stop. */
  readonly dir: string;
  spawnPuppet(name: string, options?: SpawnPuppetOptions): Promise<PuppetHandle>;
  /** A puppet started by another puppet (spawn op) registers itself; this waits for it by name. */
  waitForPuppet(name: string, timeoutMs?: number): Promise<PuppetHandle>;
  puppet(name: string): PuppetHandle | undefined;
  /** Pids of every live process this run started, puppets or not, children of children included. */
  pids(): number[];
  /** Aborted the moment stop() begins, however it was called (a signal's cleanup, the end of a lesson):
   *  work that would start a process for the run (a build, a program) must not begin after it. */
  readonly stopped: AbortSignal;
  /** Ends every process of this run (SIGKILL after a short SIGTERM grace) and removes the private directory. */
  stop(): Promise<void>;
}

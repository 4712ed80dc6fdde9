// The kill op: a puppet sends a signal to another process of the run, as an operator would with
// `kill -USR2 PID`. Only processes of this run may be signalled: the marker in their environment, or
// (nginx, which overwrites its environment with its title) their cwd in the run's directory.
// (Reconstructed by the author of lessons 11-12, who overwrote this file by accident; see their report.)
import { constants } from 'node:os';
import type { OpTable } from './puppet-op.js';
import { OpError } from './puppet-state.js';
import { ENV } from './run.js';
import { isAlive, isOfRun } from './sweep.mjs';

/** Only processes of this run, as the cleanup's scan counts them. */
function assertOfThisRun(pid: unknown): number {
  if (!Number.isInteger(pid) || (pid as number) <= 1) throw new OpError(`${String(pid)} is not a process id a lesson may signal.`);
  if (!isOfRun(pid as number, process.env[ENV.run] ?? '')) {
    throw new OpError(isAlive(pid as number) ? `pid ${pid} was not started by this lesson; it is not signalled.` : `no process ${pid} of this run is running.`);
  }
  return pid as number;
}

export const signalOps: OpTable<'kill'> = {
  kill({ pid, signal }, { trace }) {
    const target = assertOfThisRun(pid);
    if (typeof signal !== 'string' || !Object.hasOwn(constants.signals, signal)) throw new OpError(`${JSON.stringify(signal)} is not a signal name.`);
    const text = `kill(${target}, ${signal})`;
    try {
      process.kill(target, signal);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      trace.note(`${text} = -1 ${code} (by Node: process.kill)`);
      throw new OpError(`kill failed: ${code}.`);
    }
    trace.note(`${text} = 0 (by Node: process.kill)`);
    return { pid: target, signal };
  },
};

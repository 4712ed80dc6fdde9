// Signal handlers the way a Node server installs them (process.on), and which of them ran. libuv calls
// sigaction(2) once per signal; for SIGKILL and SIGSTOP the kernel refuses with EINVAL and Node throws
// "uv_signal_start EINVAL" (checked with strace on Node 20 / libuv 1.46). Sending is the kill op's
// (puppet-signal-ops.ts).
import { constants } from 'node:os';
import type { OpTable } from './puppet-op.js';
import { OpError } from './puppet-state.js';

/** Signals a lesson may trap: the ones servers use (SIGTSTP: endless-style "parent, stop"), SIGABRT (an
 *  article says it cannot be caught; it can), and the two nobody can catch. Not SIGUSR1 (it starts Node's
 *  inspector), not the other fault signals. */
const TRAPPABLE = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR2', 'SIGWINCH', 'SIGCONT', 'SIGTSTP', 'SIGABRT', 'SIGKILL', 'SIGSTOP'] as const;
type Trappable = (typeof TRAPPABLE)[number];

function trappable(signal: unknown): Trappable {
  if (typeof signal === 'string' && (TRAPPABLE as readonly string[]).includes(signal)) return signal as Trappable;
  throw new OpError(`${JSON.stringify(signal)} is not one of ${TRAPPABLE.join(', ')}.`);
}

const MAX_WAIT_MS = 10_000;

/** Signals this puppet's handlers caught that the lesson has not been told about yet. */
const caught: Trappable[] = [];

export const trapOps: OpTable<'trap' | 'caught'> = {
  trap({ signals }, { trace }) {
    if (!Array.isArray(signals) || signals.length === 0) throw new OpError('trap needs at least one signal.');
    const trapped: string[] = [];
    const refused: Record<string, string> = {};
    for (const name of signals.map(trappable)) {
      if (process.listenerCount(name) > 0) {
        trapped.push(name); // libuv installed its handler with the first listener
        continue;
      }
      const call = `rt_sigaction(${name}, {sa_handler=uv__signal_handler, sa_flags=SA_RESTART}, NULL, 8)`;
      try {
        process.on(name, () => void caught.push(name));
        trace.note(`${call} = 0 (by libuv: process.on('${name}'))`);
        trapped.push(name);
      } catch (error) {
        // Node has already taken back the listener it could not start.
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        const why = constants.errno[code as keyof typeof constants.errno] === constants.errno.EINVAL ? ' (Invalid argument)' : '';
        trace.note(`${call} = -1 ${code}${why} (by libuv: process.on('${name}') throws)`);
        refused[name] = code;
      }
    }
    return { trapped, refused };
  },

  async caught({ timeoutMs = 0 }, { trace }) {
    // Node runs signal handlers from its event loop, so waiting must not block it: poll on a timer.
    const deadline = Date.now() + Math.min(Math.max(0, timeoutMs), MAX_WAIT_MS);
    while (caught.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const signals = caught.splice(0);
    for (const name of signals) trace.note(`--- ${name} --- (the handler ran; the process goes on)`);
    if (signals.length === 0) trace.note('(no signal caught since the last look)');
    return { signals };
  },
};

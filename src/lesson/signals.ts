// What the kernel says about a process and signals, from /proc/PID/status: its state (R, S, T for stopped
// ...) and the signal sets as names: SigCgt (signals with a handler installed), SigIgn, SigBlk, SigPnd
// (pending for one thread) and ShdPnd (pending for the whole process). Linux only; undefined when the
// process is gone, so a check fails with a detail instead of throwing.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

export type SignalSet = 'SigCgt' | 'SigIgn' | 'SigBlk' | 'SigPnd' | 'ShdPnd';

function status(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
}

/** Aliases Node lists after the usual name (SIGIOT after SIGABRT, SIGPOLL after SIGIO): the first name wins. */
const names = new Map<number, string>();
for (const [name, number] of Object.entries(constants.signals)) if (!names.has(number)) names.set(number, name);

/** The signals in one set, by name (`SIGTERM`); numbers Node has no name for (real-time ones) as `SIG34`. */
export function signalSet(pid: number, set: SignalSet): string[] | undefined {
  const match = new RegExp(`^${set}:\\s+([0-9a-f]+)$`, 'm').exec(status(pid) ?? '');
  if (!match) return undefined;
  const mask = BigInt(`0x${match[1]}`);
  const signals: string[] = [];
  for (let signal = 1; signal <= 64; signal++) {
    if (mask & (1n << BigInt(signal - 1))) signals.push(names.get(signal) ?? `SIG${signal}`);
  }
  return signals;
}

/** `T (stopped)`, `S (sleeping)`, ... as the State line of /proc/PID/status gives it. */
export function processState(pid: number): string | undefined {
  return /^State:\s+(.+)$/m.exec(status(pid) ?? '')?.[1];
}

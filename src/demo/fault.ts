// Fault injection for tests: HOTRESTART_TUTOR_FAULT=<point>:<SIGNAL> makes the tutor send itself SIGNAL
// when it passes the named point, to test the narrowest windows (a signal just after a directory was
// created) that random timing hits once in forty tries. Without the variable this does nothing.
import { constants } from 'node:os';

export function faultPoint(point: string): void {
  const wanted = process.env.HOTRESTART_TUTOR_FAULT;
  if (!wanted?.startsWith(`${point}:`)) return;
  const signal = wanted.slice(point.length + 1);
  if (signal in constants.signals) process.kill(process.pid, signal as NodeJS.Signals);
}

// Whether a process still runs, as the kernel sees it. A zombie has ended (it holds no fds and no
// ports); it only waits to be reaped by its parent, which for orphans is init and may take a moment.
import { readFileSync } from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

// The learner's processes are the live descendants of the keeper (keeper.ts), which is their child
// subreaper: a successor whose parent exited, or a daemon that double-forked and called setsid, is
// re-parented to the keeper rather than to init, so it stays in this tree and cannot escape a verify.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcEntry {
  ppid: number;
  /** The state letter of /proc/PID/stat: R, S, D, Z (zombie), ... */
  state: string;
}

/** Every process on the machine, by pid. Processes that vanish mid-scan are skipped. */
export function processTable(): Map<number, ProcEntry> {
  const table = new Map<number, ProcEntry>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // The command name is in parentheses and may itself contain ') ', so parse from the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(pid, { state: fields[0], ppid: Number(fields[1]) });
    } catch {
      // Gone between readdir and read.
    }
  }
  return table;
}

/** Live (not zombie) descendants of root, root excluded, in breadth-first order (parents first). */
export function liveDescendants(root: number, table: Map<number, ProcEntry> = processTable()): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, entry] of table) {
    const list = children.get(entry.ppid);
    if (list) list.push(pid);
    else children.set(entry.ppid, [pid]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const entry = table.get(pid);
    if (!entry) continue;
    if (entry.state !== 'Z' && entry.state !== 'X') found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Zombie children of parent: exited processes nobody has reaped yet. */
export function zombieChildren(parent: number, table: Map<number, ProcEntry> = processTable()): number[] {
  return [...table].filter(([, entry]) => entry.ppid === parent && entry.state === 'Z').map(([pid]) => pid);
}

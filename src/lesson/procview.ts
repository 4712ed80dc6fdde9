// Kernel views lessons compare across processes. DESC letters and kcmp identity are computed per
// snapshot, and ctx.row() snapshots one process at a time, so "same description in two processes"
// must be read from one snapshot of both: rowsTogether / sharing. The environment and the parent of a
// process come straight from /proc, which holds what the kernel was given at execve and at fork.
import { readFileSync } from 'node:fs';
import { snapshot } from '../fdtable/index.js';
import type { FdRow } from '../fdtable/model.js';
import type { LessonContext } from './types.js';

export type FdRef = [name: string, fd: number];

/** The rows at [name, fd], in order, all from one fresh snapshot (undefined where the fd is not open). */
export function rowsTogether(ctx: LessonContext, refs: FdRef[]): Array<FdRow | undefined> {
  const pidOf = new Map(refs.map(([name]) => [name, ctx.pid(name)]));
  // The lesson's own snapshot: its DESC letters are the ones the table on screen shows.
  const rows = ctx.snapshot([...pidOf.keys()]).rows;
  return refs.map(([name, fd]) => rows.find((row) => row.pid === pidOf.get(name) && row.fd === fd));
}

export interface Sharing {
  rows: Array<FdRow | undefined>;
  /** Open file descriptions the fds refer to; 0 when one is not open or its identity is unknown. */
  count: number;
  /** `p1:19 p1:25 child:3 → 1 description`. */
  detail: string;
}

/** How many open file descriptions the fds at refs refer to, read from one snapshot. */
export function sharing(ctx: LessonContext, refs: FdRef[]): Sharing {
  const rows = rowsTogether(ctx, refs);
  const known = rows.every((row) => row && row.description !== '?');
  const count = known ? new Set(rows.map((row) => row!.description)).size : 0;
  const where = refs.map(([name, fd], i) => `${name}:${fd}${rows[i] ? '' : ' (not open)'}`).join(' ');
  return { rows, count, detail: `${where} → ${count || '?'} description${count === 1 ? '' : 's'}` };
}

/** Every row of one process, from a snapshot of its own (ctx.snapshot would also move the letters
 *  the next table on screen starts from). */
export function rowsOf(ctx: LessonContext, name: string): FdRow[] {
  return snapshot([ctx.pid(name)]).rows;
}

/** The fd numbers a process has open, from /proc/PID/fd. */
export function openFds(ctx: LessonContext, name: string): number[] {
  return rowsOf(ctx, name).map((row) => row.fd);
}

/** /proc/PID/environ: the environment the process was started with (execve's envp); empty once gone. */
export function environOf(pid: number): Map<string, string> {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    // gone, or not ours to read
  }
  const entries = text.split('\0').filter((entry) => entry.includes('='));
  return new Map(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

/** The command name the kernel shows for pid (/proc/PID/comm), or undefined once it is gone. */
export function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The parent pid from /proc/PID/stat (the field after the state letter; the name may hold ')'). */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

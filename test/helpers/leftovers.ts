// What a run of the tutor may leave behind, counted from what the kernel shows: processes carrying a
// tag in their environment (the tutor passes its environment to everything it starts, the warden
// included), listening sockets nobody should hold any more, run directories, and changed sysctls.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isAlive } from '../../src/demo/marker.js';
import { lockPathOf, readLock } from '../../src/demo/sysctl-guard.js';

/** The sysctls a lesson may change (lesson 7); each must read the same after a run as before it. */
export const WATCHED_SYSCTLS = ['net.ipv4.tcp_migrate_req'] as const;

export interface Leftovers {
  processes: number[];
  /** Listening sockets held by a tagged process, or new since the baseline and held by no process. */
  listeners: number;
  runDirs: string[];
  /** Sysctls whose value differs from the baseline, as "name: before -> now". */
  sysctls: string[];
}

export interface Baseline {
  listenInodes: Set<number>;
  sysctls: Map<string, string | undefined>;
}

export function readSysctl(name: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'latin1').trim();
  } catch {
    return undefined;
  }
}

/** Pids whose environment holds `${name}=${value}` (unreadable and vanished processes skipped). */
export function taggedPids(name: string, value: string): number[] {
  const entry = `${name}=${value}`;
  const pids: number[] = [];
  for (const dir of readdirSync('/proc')) {
    if (!/^\d+$/.test(dir) || Number(dir) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${dir}/environ`, 'latin1').split('\0').includes(entry)) pids.push(Number(dir));
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Inodes of listening sockets: TCP in state 0A, unix with the __SO_ACCEPTCON flag (state 01, flags 00010000). */
export function listenInodes(): Set<number> {
  const inodes = new Set<number>();
  for (const file of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/net/${file}`, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A') inodes.add(Number(fields[9]));
    }
  }
  for (const line of readFileSync('/proc/net/unix', 'latin1').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] === '00010000') inodes.add(Number(fields[6]));
  }
  return inodes;
}

/** Socket inodes held open by these pids. */
function socketInodesOf(pids: Iterable<number>): Set<number> {
  const inodes = new Set<number>();
  for (const pid of pids) {
    let names: string[];
    try {
      names = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${name}`));
        if (match) inodes.add(Number(match[1]));
      } catch {
        // closed meanwhile
      }
    }
  }
  return inodes;
}

export function takeBaseline(): Baseline {
  return { listenInodes: listenInodes(), sysctls: new Map(WATCHED_SYSCTLS.map((name) => [name, readSysctl(name)])) };
}

export function runDirsIn(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('hotrestart-tutor-'));
}

/** Counts what is left of a run tagged `tagName=tag` whose temporary directory was `tmp`. */
export function countLeftovers(baseline: Baseline, tagName: string, tag: string, tmp: string): Leftovers {
  const processes = taggedPids(tagName, tag);
  const now = listenInodes();
  let listeners = [...socketInodesOf(processes)].filter((inode) => now.has(inode)).length;
  const fresh = [...now].filter((inode) => !baseline.listenInodes.has(inode));
  if (fresh.length > 0) {
    // New listeners that no process holds at all would be the run's, leaked somewhere we cannot see.
    const allPids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
    const held = socketInodesOf(allPids);
    listeners += fresh.filter((inode) => !held.has(inode)).length;
  }
  const sysctls = [...baseline.sysctls].flatMap(([name, before]) => {
    const after = readSysctl(name);
    if (after === before) return [];
    // Another tutor of the machine (a parallel test) may hold its own change, under the shared lock.
    const holder = readLock(lockPathOf(name))?.pid;
    if (holder !== undefined && isAlive(holder) && !processes.includes(holder)) return [];
    return [`${name}: ${before} -> ${after}`];
  });
  return { processes, listeners, runDirs: runDirsIn(tmp), sysctls };
}

export const isClean = (left: Leftovers) =>
  left.processes.length === 0 && left.listeners === 0 && left.runDirs.length === 0 && left.sysctls.length === 0;

// What a run of the tutor may leave behind, counted from what the kernel shows: processes carrying a
// tag in their environment (the tutor passes its environment to everything it starts, the warden
// included), listening sockets nobody should hold any more, run directories, and changed sysctls.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isAlive } from '../../src/demo/marker.js';
import { RUN_MARKER } from '../../src/demo/sweep.mjs';
import { lockPathOf, readLock } from '../../src/demo/sysctl-guard.js';

/** The sysctls a lesson may change (lesson 7); each must read the same after a run as before it. */
export const WATCHED_SYSCTLS = ['net.ipv4.tcp_migrate_req'] as const;

export interface Leftovers {
  /** Pids; a failure message may replace them with descriptions. */
  processes: Array<number | string>;
  /** Listening sockets held by a tagged process, or new since the baseline and held by no process we
   *  can read, on loopback or unix (`tcp 127.0.0.1:41234`, `unix /tmp/.../control.sock`). */
  listeners: string[];
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

/** Pids carrying a run marker (HOTRESTART_TUTOR_RUN=...) whose environment has a value that is `dir` or a
 *  path under it (GOCACHE=<dir>/...): a process the tutor starts with an environment of its own, such as a
 *  go build, carries the marker but not the test's tag. A test's own processes (a tmux server, its shell)
 *  may name the directory too, but carry no marker. */
export function pidsNaming(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const entries = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      if (!entries.some((entry) => entry.startsWith(`${RUN_MARKER}=`))) continue;
      if (entries.some((entry) => entry.endsWith(`=${dir}`) || entry.includes(`=${dir}/`))) pids.push(Number(name));
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Every process a run tagged `tagName=tag` with temporary directory `tmp` may have left: tagged, working
 *  in tmp (nginx overwrites its environment, tag included, with its title), or naming tmp (a go build). */
export function pidsOfRun(tagName: string, tag: string, tmp: string): number[] {
  return [...new Set([...taggedPids(tagName, tag), ...pidsWorkingIn(tmp), ...pidsNaming(tmp)])];
}

/** Live pids whose cwd is `dir` or under it, removed or not (unreadable and vanished processes skipped). */
export function pidsWorkingIn(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${name}/cwd`).replace(/ \(deleted\)$/, '');
      if ((cwd === dir || cwd.startsWith(`${dir}/`)) && isAlive(Number(name))) pids.push(Number(name));
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Listening sockets by inode, each with a short name: TCP in state 0A (`tcp 127.0.0.1:41234`), unix
 *  with the __SO_ACCEPTCON flag (state 01, flags 00010000; `unix /path` or `unix @abstract`). */
export function listeners(): Map<number, string> {
  const found = new Map<number, string>();
  for (const file of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/net/${file}`, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A') found.set(Number(fields[9]), `${file} ${hexAddress(fields[1])}`);
    }
  }
  for (const line of readFileSync('/proc/net/unix', 'latin1').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] === '00010000') found.set(Number(fields[6]), `unix ${fields[7] ?? '(unnamed)'}`);
  }
  return found;
}

export function listenInodes(): Set<number> {
  return new Set(listeners().keys());
}

/** `0100007F:A0B2` -> `127.0.0.1:41138`; IPv6 addresses are kept in hex, except ::1. */
function hexAddress(text: string): string {
  const [address, port] = text.split(':');
  const portNumber = parseInt(port, 16);
  if (address.length === 8) return `${[3, 2, 1, 0].map((i) => parseInt(address.slice(i * 2, i * 2 + 2), 16)).join('.')}:${portNumber}`;
  return `${address === '00000000000000000000000001000000' ? '::1' : address}:${portNumber}`;
}

/** Where this tutor's listeners can be: loopback TCP (it binds 127.0.0.1 only) or unix sockets. A
 *  listener elsewhere belongs to someone else (a process whose fds we may not read, such as pid 1). */
const couldBeOurs = (name: string) => name.startsWith('unix ') || / (127\.0\.0\.1|::1):/.test(name);

/** Socket inodes held open by these pids; `blind` when some process's fds could not be read (EACCES:
 *  root without ptrace rights on it, like a sandbox's pid 1), so "held by nobody" cannot be concluded. */
function socketInodesOf(pids: Iterable<number>): { inodes: Set<number>; blind: boolean } {
  const inodes = new Set<number>();
  let blind = false;
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
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EACCES') blind = true; // else: closed meanwhile
      }
    }
  }
  return { inodes, blind };
}

export function takeBaseline(): Baseline {
  return { listenInodes: listenInodes(), sysctls: new Map(WATCHED_SYSCTLS.map((name) => [name, readSysctl(name)])) };
}

/** A run's private directory: hotrestart-tutor- and the run id (src/demo/run.ts, 6 random bytes in hex).
 *  Caches that live beside it on purpose (hotrestart-tutor-go-UID, ...) are not runs. */
const RUN_DIR = /^hotrestart-tutor-[0-9a-f]{12}$/;

export function runDirsIn(dir: string): string[] {
  return readdirSync(dir).filter((name) => RUN_DIR.test(name));
}

/** Counts what is left of a run tagged `tagName=tag` whose temporary directory was `tmp`. */
export function countLeftovers(baseline: Baseline, tagName: string, tag: string, tmp: string): Leftovers {
  const processes = pidsOfRun(tagName, tag, tmp);
  const now = listeners();
  const held = [...socketInodesOf(processes as number[]).inodes].filter((inode) => now.has(inode));
  const fresh = [...now.keys()].filter((inode) => !baseline.listenInodes.has(inode) && couldBeOurs(now.get(inode)!));
  const orphans: number[] = [];
  if (fresh.length > 0) {
    // New listeners that no process holds would be the run's, leaked where we cannot see; only
    // concluded when every process's fds could be read (otherwise they may be an unreadable one's).
    const allPids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
    const { inodes: heldByAnyone, blind } = socketInodesOf(allPids);
    if (!blind) orphans.push(...fresh.filter((inode) => !heldByAnyone.has(inode)));
  }
  const listening = [...new Set([...held, ...orphans])].map((inode) => now.get(inode)!);
  const sysctls = [...baseline.sysctls].flatMap(([name, before]) => {
    const after = readSysctl(name);
    if (after === before) return [];
    // Another tutor of the machine (a parallel test) may hold its own change, under the shared lock.
    const holder = readLock(lockPathOf(name))?.pid;
    if (holder !== undefined && isAlive(holder) && !processes.includes(holder)) return [];
    return [`${name}: ${before} -> ${after}`];
  });
  return { processes, listeners: listening, runDirs: runDirsIn(tmp), sysctls };
}

export const isClean = (left: Leftovers) =>
  left.processes.length === 0 && left.listeners.length === 0 && left.runDirs.length === 0 && left.sysctls.length === 0;

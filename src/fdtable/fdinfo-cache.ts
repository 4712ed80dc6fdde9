// Live views read the same /proc/PID/fdinfo/N files every refresh. Opening one costs a path lookup
// and three calls (openat, read, close); a file kept open answers with one pread(2), because procfs
// builds fdinfo afresh at every read from offset 0, looking the fd number up in the target's table
// at that moment. So a kept file never shows stale data: a reused fd number shows its new file, a
// closed fd or an ended process makes the read fail, and the entry is dropped and opened again.
// What is kept is a reference to the process and the fd number, never to the target's open file,
// so holding it changes nothing the fd table shows (unlike a copy of the fd, which would keep a
// closed listener alive). Kept files are close-on-exec, and bounded in number.
//
// The bound: a pread costs a third of an openat+read+close (1.9 against 5.8 µs per fd, measured with
// a C loop over a 10,000-fd process), so a process with 10,000 fds is read twice as fast when all its
// fdinfo files are kept. Each kept file costs kernel memory (slab grew by 1 KiB per file at open and
// 4 KiB more at the first read, seq_file's page: 50 MiB for 10,000), and an fd of our own limit;
// at most half of that limit is used, and never more than MAX_KEPT.
import * as sys from '../sys/index.js';

const MAX_KEPT = 16_384;
let keepAtMost: number | undefined;

function limit(): number {
  if (keepAtMost === undefined) {
    try {
      keepAtMost = Math.min(MAX_KEPT, Math.floor(sys.fdSoftLimit() / 2));
    } catch {
      keepAtMost = 512;
    }
  }
  return keepAtMost;
}

/** Files not read for this many snapshots are closed: their process is no longer watched. */
const IDLE_SNAPSHOTS = 8;
/**
 * `${pid}/${fd name}` -> our fd on its fdinfo file, the snapshot that last read it, and the last text
 * read with what it was parsed into: the same text parses the same (it is read afresh every time).
 */
const kept = new Map<string, { fd: number; used: number; text?: string; parsed?: unknown }>();
let generation = 0;

/**
 * Per watched process: its /proc/PID/fd and /proc/PID/fdinfo directories and its comm file, held
 * open between snapshots (six calls fewer per process and refresh). They belong to the process, not
 * to its number: once it ends, every call on them fails (ENOENT, ESRCH), even if the pid is reused,
 * and the handle is dropped and opened again by path.
 */
export interface ProcessHandle {
  fdDir: number;
  infoDir: number;
  comm: number;
  used: number;
}

const MAX_PROCESSES = 256;
const handles = new Map<number, ProcessHandle>();

function closeHandle(handle: ProcessHandle): void {
  sys.closeQuietly(handle.fdDir);
  sys.closeQuietly(handle.infoDir);
  sys.closeQuietly(handle.comm);
}

/** The kept handle of `pid`, opened when there is none. Throws (a SysError) when a directory cannot be opened. */
export function processHandle(pid: number): ProcessHandle {
  const known = handles.get(pid);
  if (known) {
    known.used = generation;
    return known;
  }
  const opened: number[] = [];
  try {
    opened.push(sys.openDirectory(`/proc/${pid}/fd`));
    opened.push(sys.openDirectory(`/proc/${pid}/fdinfo`));
    opened.push(sys.openAt(-100 /* AT_FDCWD */, `/proc/${pid}/comm`));
  } catch (error) {
    for (const fd of opened) sys.closeQuietly(fd);
    throw error;
  }
  const handle = { fdDir: opened[0], infoDir: opened[1], comm: opened[2], used: generation };
  if (handles.size < MAX_PROCESSES) handles.set(pid, handle);
  return handle;
}

/** Forgets the handle of `pid` (its process ended), or only releases `handle` when it was never kept. */
export function dropProcessHandle(pid: number, handle: ProcessHandle): void {
  if (handles.get(pid) === handle) handles.delete(pid);
  closeHandle(handle);
}

/** Releases a handle after a read: kept ones stay open. */
export function releaseProcessHandle(pid: number, handle: ProcessHandle): void {
  if (handles.get(pid) !== handle) closeHandle(handle);
}

/** Starts a snapshot: closes the files of processes no longer watched. */
export function nextSnapshot(): void {
  generation++;
  for (const [key, entry] of kept) {
    if (generation - entry.used > IDLE_SNAPSHOTS) {
      kept.delete(key);
      sys.closeQuietly(entry.fd);
    }
  }
  for (const [pid, handle] of handles) {
    if (generation - handle.used > IDLE_SNAPSHOTS) {
      handles.delete(pid);
      closeHandle(handle);
    }
  }
}

/** Our own kept fds, so a snapshot of this very process can leave them out. */
export function keptFds(): string[] {
  const fds = [...kept.values()].map((e) => String(e.fd));
  for (const h of handles.values()) fds.push(String(h.fdDir), String(h.infoDir), String(h.comm));
  return fds;
}

/**
 * fdinfo of `name` in `pid`, read through a kept file when there is one, and parsed by `parse`
 * (not again when the text is the same as last time). Throws when the fd is gone.
 */
export function readFdinfo<T>(pid: number, infoDir: number, name: string, scratch: Buffer, parse: (text: string) => T): T {
  const key = `${pid}/${name}`;
  let entry = kept.get(key);
  if (entry !== undefined) {
    const n = sys.preadStart(entry.fd, scratch);
    if (n >= 0) {
      entry.used = generation;
      return parsedOnce(entry, scratch.toString('latin1', 0, n), parse);
    }
    kept.delete(key); // the fd closed or the process ended: look again below
    sys.closeQuietly(entry.fd);
  }
  if (kept.size >= limit()) return parse(sys.readSmallAt(infoDir, name, scratch));
  entry = { fd: sys.openAt(infoDir, name), used: generation };
  kept.set(key, entry);
  const n = sys.preadStart(entry.fd, scratch);
  if (n < 0) throw new Error(`fdinfo ${name} of pid ${pid} could not be read`);
  return parsedOnce(entry, scratch.toString('latin1', 0, n), parse);
}

function parsedOnce<T>(entry: { text?: string; parsed?: unknown }, text: string, parse: (text: string) => T): T {
  if (entry.text !== text) {
    entry.parsed = parse(text);
    entry.text = text;
  }
  return entry.parsed as T;
}

/** How many fdinfo files (and directory handles) of `pid` are kept open now. */
export function keptFor(pid: number): number {
  let n = handles.has(pid) ? 3 : 0;
  for (const key of kept.keys()) if (key.startsWith(`${pid}/`)) n++;
  return n;
}

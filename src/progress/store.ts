// Reads and writes the progress file. Writes are atomic (a temporary file in the same directory,
// fsync, rename), so a crash or a second tutor never leaves half a document behind. A file that cannot
// be parsed is not fatal: it is kept as progress.json.bak (then .bak.1, .bak.2: never overwritten) and
// progress starts afresh. Read-modify-write runs under a lock file, so concurrent saves keep each other.
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { withFileLock } from './lock.js';
import { emptyProgress, eraseProgress, progressProblem, recordRun, type Progress, type RunRecord } from './model.js';
import { validLessons } from './validate.js';

/** Why the file on disk was not used as is; the caller words it for the learner. */
export type ProgressNotice =
  | { kind: 'corrupt'; path: string; backup: string }
  /** Corrupt, and it could not be set aside either (a read-only directory): left as is, nothing saved. */
  | { kind: 'corrupt-kept'; path: string; reason: string }
  /** Lesson entries that were not valid were ignored (and are gone at the next save). */
  | { kind: 'dropped'; path: string; lessons: string[] }
  /** Written by a newer tutor: read nothing from it and never overwrite it. */
  | { kind: 'newer'; path: string }
  /** Could not be read at all (permissions, a directory in the way). */
  | { kind: 'unreadable'; path: string; reason: string };

export interface LoadedProgress {
  progress: Progress;
  notice: ProgressNotice | null;
  /** False when writing would destroy something we do not understand or cannot read. */
  writable: boolean;
}

export class ProgressStore {
  constructor(readonly path: string) {}

  get backupPath(): string {
    return `${this.path}.bak`;
  }

  /** Moves the file to the first free name of .bak, .bak.1, .bak.2, ...: link(2) never replaces an
   *  existing name, so an earlier backup is never overwritten, even by a second tutor doing the same. */
  private setAside(): string {
    for (let n = 0; ; n++) {
      const backup = n === 0 ? this.backupPath : `${this.backupPath}.${n}`;
      try {
        linkSync(this.path, backup);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' && n < 1000) continue;
        throw error;
      }
      unlinkSync(this.path);
      return backup;
    }
  }

  load(): LoadedProgress {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { progress: emptyProgress(), notice: null, writable: true };
      return { progress: emptyProgress(), notice: { kind: 'unreadable', path: this.path, reason: code ?? String(error) }, writable: false };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const problem = progressProblem(parsed);
    if (problem === null) {
      const document = parsed as Progress;
      const { lessons, dropped } = validLessons(document.lessons);
      if (dropped.length === 0) return { progress: document, notice: null, writable: true };
      return { progress: { ...document, lessons }, notice: { kind: 'dropped', path: this.path, lessons: dropped }, writable: true };
    }
    if (problem === 'newer') return { progress: emptyProgress(), notice: { kind: 'newer', path: this.path }, writable: false };
    let backup: string;
    try {
      backup = this.setAside();
    } catch (error) {
      // Where the file cannot be moved, it cannot be replaced either: leave it for the learner to look at.
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      return { progress: emptyProgress(), notice: { kind: 'corrupt-kept', path: this.path, reason }, writable: false };
    }
    return { progress: emptyProgress(), notice: { kind: 'corrupt', path: this.path, backup }, writable: true };
  }

  /** Read, update, write under the lock: what another tutor wrote meanwhile is kept. */
  record(run: RunRecord, now = new Date()): LoadedProgress {
    return this.locked(() => {
      const loaded = this.load();
      if (!loaded.writable) return loaded;
      const progress = recordRun(loaded.progress, run, now);
      this.save(progress);
      return { ...loaded, progress };
    });
  }

  /** Erases one lesson's record, or all of them; returns false when there was nothing to erase.
   *  Throws an Error whose `reason` is the errno code (or 'newer') when the file cannot be rewritten. */
  erase(lessonId?: string): boolean {
    return this.locked(() => {
      const loaded = this.load();
      if (!loaded.writable) {
        const reason = loaded.notice?.kind === 'unreadable' || loaded.notice?.kind === 'corrupt-kept' ? loaded.notice.reason : 'newer';
        throw Object.assign(new Error(`cannot rewrite ${this.path} (${reason})`), { reason });
      }
      const had = lessonId === undefined ? Object.keys(loaded.progress.lessons).length > 0 : lessonId in loaded.progress.lessons;
      if (had) this.save(eraseProgress(loaded.progress, lessonId));
      return had;
    });
  }

  /** The directory must exist for the lock file; a failure to create it is the save's error to report. */
  private locked<T>(fn: () => T): T {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
    } catch {
      return fn(); // load() reports the same path problem (ENOTDIR, EACCES) as a notice
    }
    return withFileLock(this.path, fn);
  }

  save(progress: Progress): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const fd = openSync(temporary, 'wx', 0o644);
      try {
        writeSync(fd, `${JSON.stringify(progress, null, 2)}\n`);
        fsyncSync(fd); // the rename must never publish a file whose bytes are not on disk yet
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }
}

// Reads and writes the progress file. Writes are atomic (a temporary file in the same directory,
// fsync, rename), so a crash or a second tutor never leaves half a document behind. A file that cannot
// be parsed is not fatal: it is kept as progress.json.bak for the curious and progress starts afresh.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { emptyProgress, eraseProgress, progressProblem, recordRun, type Progress, type RunRecord } from './model.js';

/** Why the file on disk was not used as is; the caller words it for the learner. */
export type ProgressNotice =
  | { kind: 'corrupt'; path: string; backup: string }
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
    if (problem === null) return { progress: parsed as Progress, notice: null, writable: true };
    if (problem === 'newer') return { progress: emptyProgress(), notice: { kind: 'newer', path: this.path }, writable: false };
    renameSync(this.path, this.backupPath);
    return { progress: emptyProgress(), notice: { kind: 'corrupt', path: this.path, backup: this.backupPath }, writable: true };
  }

  /** Read, update, write: re-reading first keeps what another tutor wrote meanwhile. */
  record(run: RunRecord, now = new Date()): LoadedProgress {
    const loaded = this.load();
    if (!loaded.writable) return loaded;
    const progress = recordRun(loaded.progress, run, now);
    this.save(progress);
    return { ...loaded, progress };
  }

  /** Erases one lesson's record, or all of them; returns false when there was nothing to erase. */
  erase(lessonId?: string): boolean {
    const loaded = this.load();
    if (!loaded.writable) throw new Error(`cannot rewrite ${this.path}`);
    const had = lessonId === undefined ? Object.keys(loaded.progress.lessons).length > 0 : lessonId in loaded.progress.lessons;
    if (had) this.save(eraseProgress(loaded.progress, lessonId));
    return had;
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

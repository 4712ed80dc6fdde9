// The fd-table engine: snapshot(pids) on the platform's collector, and diff between two snapshots.
import type { Snapshot } from './model.js';
import { snapshotLinux, type SnapshotOptions } from './linux.js';
import { snapshotLsof } from './lsof.js';

export * from './model.js';
export { diff, changedFields } from './diff.js';
export type { SnapshotOptions } from './linux.js';

/** Thrown only for an unsupported platform; bad or vanished pids are row statuses, never errors. */
export class UnsupportedPlatformError extends Error {
  constructor(readonly platform: string) {
    super(`hotrestart-tutor reads fd tables on Linux (and on macOS through lsof); ${platform} is not supported.`);
    this.name = 'UnsupportedPlatformError';
  }
}

export function platformSupported(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux' || platform === 'darwin';
}

/** Every fd of every pid, with description ids shared across processes. Synchronous. */
export function snapshot(pids: number[], options: SnapshotOptions = {}): Snapshot {
  if (process.platform === 'linux') return snapshotLinux(pids, options);
  if (process.platform === 'darwin') return snapshotLsof(pids);
  throw new UnsupportedPlatformError(process.platform);
}

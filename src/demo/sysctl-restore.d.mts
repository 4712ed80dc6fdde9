// Types of sysctl-restore.mjs (plain JavaScript so the warden needs no TypeScript loader).

export declare const LOCK_DIR: string;
export declare function sysctlPath(name: string): string;
/** The lock file for sysctl `name` in this network namespace. */
export declare function lockPathOf(name: string): string;
export interface LockContent {
  pid: number;
  /** The value to put back; undefined until the holder recorded it (it changes nothing before). */
  before: string | undefined;
}
export declare function readLock(lockPath: string): LockContent | undefined;
/** A lock whose holder died with its change in force: put the recorded value back and remove the lock.
 *  Returns true when a value was restored. */
export declare function repairStale(name: string, lockPath?: string): boolean;
/** The warden's last act: every lock of this network namespace whose holder is dead is repaired. */
export declare function repairAllStale(): string[];

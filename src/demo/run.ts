// One run of the tutor: a random id that marks every process it starts, and a private directory for
// unix sockets and files. The marker is what lets cleanup find processes that left the process tree
// (successors re-parented to init), so it must travel in the environment of everything we start.
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultPoint } from './fault.js';
import { RUN_MARKER } from './sweep.mjs';

/** Environment variables the demo processes read. */
export const ENV = {
  /** HOTRESTART_TUTOR_RUN=<runId>: present in every process of a run; the cleanup scans for it. */
  run: RUN_MARKER,
  /** Path of the supervisor's control socket a puppet connects to. */
  control: 'HOTRESTART_TUTOR_CONTROL',
  /** The puppet's name. */
  puppet: 'HOTRESTART_TUTOR_PUPPET',
  /** Pid of the tutor, for top-level puppets only: they arm PR_SET_PDEATHSIG against it. */
  parent: 'HOTRESTART_TUTOR_PARENT',
  /** Comma-separated fds a puppet inherited on purpose (spawn op): lesson fds, not Node's own. */
  fds: 'HOTRESTART_TUTOR_FDS',
} as const;

const PUPPET_NAME = /^[A-Za-z0-9_.-]{1,32}$/;
/** Puppet names appear in logs, fd tables and environment variables: keep them short and plain. */
export function isPuppetName(name: unknown): name is string {
  return typeof name === 'string' && PUPPET_NAME.test(name);
}

export interface Run {
  readonly runId: string;
  readonly dir: string;
  /** The environment entries every process of this run gets. */
  readonly markerEnv: Record<string, string>;
}

/** Picks the run's id and the path of its private directory, without creating it yet: the warden must
 *  be watching before the directory exists, so that no moment is left in which a signal (SIGKILL
 *  included) could strand an empty directory (see makeRunDir). */
export function planRun(root: string = tmpdir()): Run {
  const runId = randomBytes(6).toString('hex');
  return { runId, dir: join(root, `hotrestart-tutor-${runId}`), markerEnv: { [ENV.run]: runId } };
}

/** Creates the private directory: mkdir(2) with mode 0700 never follows a symlink and fails if the
 *  name exists, so a directory planted by someone else is refused rather than used. */
export function makeRunDir(run: Run): void {
  mkdirSync(run.dir, { mode: 0o700 });
  faultPoint('run-dir');
  // umask can only take bits away; check anyway, because other users on a shared box must not reach
  // our unix sockets.
  const mode = statSync(run.dir).mode & 0o777;
  if (mode !== 0o700) throw new Error(`the private directory ${run.dir} has mode ${mode.toString(8)}, not 700`);
}

// Starts the warden (see warden.ts) and holds the only write end of its stdin pipe. Plain
// child_process rather than execa: what matters here is the exact lifetime of one pipe fd, and an
// unref'd child that never keeps the tutor alive.
import { spawn, type ChildProcess } from 'node:child_process';
import { nodeCommand } from './entry.js';
import { isAlive } from './marker.js';
import type { Run } from './run.js';

export interface Warden {
  readonly pid: number;
  /** Closes the pipe (the warden sweeps once more, removes the dir and exits) and waits for it to end. */
  release(timeoutMs?: number): Promise<void>;
  /** The same without waiting, for 'exit' handlers: the warden finishes on its own. */
  releaseSync(): void;
}

export async function startWarden(run: Run): Promise<Warden> {
  // Plain JavaScript in both the source and the built tree: no loader to wait for.
  const { file, args } = nodeCommand(new URL('./warden.mjs', import.meta.url).href);
  // No demo variables in its environment: the warden must not carry the marker it hunts for.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HOTRESTART_TUTOR_')));
  const child = spawn(file, [...args, run.runId, run.dir], {
    detached: true, // setsid(): a new session, so terminal signals for the tutor's group never reach it
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  // A warden that already ended (killed by someone) makes the release byte an EPIPE: nothing to do then.
  child.stdin?.on('error', () => {});
  return wardenHandle(child);
}

function wardenHandle(child: ChildProcess): Warden {
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    pid,
    async release(timeoutMs = 2500) {
      child.stdin?.end('r'); // "released": the warden need not wait for us to die
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
      const late = await Promise.race([exited.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late && isAlive(pid)) child.kill('SIGKILL');
    },
    releaseSync() {
      child.stdin?.destroy();
    },
  };
}

// Fds a process was started with beyond stdio and without close-on-exec: whatever started it leaked them
// (some terminals, IDEs and job runners do; the shell this project was built in holds fd 251 so). Every
// process the tutor starts would inherit them, and the lessons' fd tables and the verifier's leak checks
// would show them as the demo's own. Node marks only its lowest inherited fds close-on-exec at start-up
// (libuv's uv_disable_stdio_inheritance stops after fd 15), so a high one goes through every Node process.
// The CLI marks them close-on-exec first thing, and so do a lesson's supervisor and a verify before they
// start anything (tests and embedders run those in-process): the tutor keeps them, its children do not.
import { readdirSync, readFileSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** This process's fds above 2 that are open without close-on-exec (from /proc/self/fdinfo's flags). */
export function fdsWithoutCloseOnExec(): number[] {
  return readdirSync('/proc/self/fd').map(Number).filter((fd) => fd > 2 && !closesOnExec(fd));
}

function closesOnExec(fd: number): boolean {
  try {
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'))?.[1];
    return flags === undefined || (parseInt(flags, 8) & O_CLOEXEC) !== 0;
  } catch {
    return true; // gone (readdir's own fd) or unreadable: nothing to mark
  }
}

let sealing: Promise<number[]> | undefined;

/** Marks every fd this process inherited without close-on-exec as close-on-exec, once per process (the fds
 *  it was started with do not change; later calls cost nothing); resolves to them. Call it before the
 *  process opens an fd of its own that a child is meant to inherit. */
export function sealInheritedFds(): Promise<number[]> {
  sealing ??= seal();
  return sealing;
}

async function seal(): Promise<number[]> {
  const open = fdsWithoutCloseOnExec();
  if (open.length === 0) return open;
  const { setCloseOnExec } = await import('./fd.js');
  for (const fd of open) {
    try {
      setCloseOnExec(fd, true);
    } catch {
      // closed meanwhile
    }
  }
  return open;
}

// Readiness: the successor says "my start-up is done" by writing one line into a pipe it inherited and
// closing it. A pipe, not a signal or an IPC channel, because its end-of-file is news too: when the
// successor dies, the kernel closes its end, so the parent learns of a crash even before SIGCHLD.
// Only the line READY counts; end-of-file, an exit, or the deadline all mean "not ready", and the old
// process goes on serving.
// Before READY, in the same write, the successor names the listeners it serves (`LISTENERS http:admin`),
// so that the old process hands over only connections someone will answer: the successor may be a newer
// or older version with other listeners. A predecessor that predates the line ignores it (it looks for
// READY alone); a successor that predates it sends none, and then every connection is handed over.
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { close, pipe2, write } from './sys/fd.js';
import { O_CLOEXEC } from './sys/constants.js';
import { describeExit } from './spawn.js';

const READY_LINE = 'READY';
const LISTENERS_PREFIX = 'LISTENERS ';

/** `listeners`: the names the successor serves, or null when it did not say (an older version). */
export type ReadyResult = { ready: true; listeners: string[] | null } | { ready: false; reason: string };

/** The parent's side: a pipe whose write end the successor inherits. */
export class ReadinessPipe {
  private childEndOpen = true;
  private constructor(
    private readonly readEnd: number,
    /** The write end, to pass to the successor; the parent closes its copy right after spawn. */
    readonly childEnd: number,
  ) {}

  /** Both ends close-on-exec: only the successor gets the write end, explicitly, through spawn's stdio. */
  static create(): ReadinessPipe {
    const [readEnd, writeEnd] = pipe2(O_CLOEXEC);
    return new ReadinessPipe(readEnd, writeEnd);
  }

  /** The parent's copy of the write end must go, or the successor's death would never read as end-of-file. */
  closeChildEnd(): void {
    if (!this.childEndOpen) return;
    this.childEndOpen = false;
    close(this.childEnd);
  }

  /** Closes everything; for a spawn that failed before wait() took over the read end. */
  dispose(): void {
    this.closeChildEnd();
    close(this.readEnd);
  }

  /** Waits for READY, an exit, end-of-file or the deadline. Closes the read end in every case. */
  wait(child: ChildProcess, timeoutMs: number): Promise<ReadyResult> {
    this.closeChildEnd();
    return new Promise((resolve) => {
      // libuv owns the read end from here (a Pipe handle) and closes it on destroy().
      const reader = new net.Socket({ fd: this.readEnd, readable: true, writable: false });
      let received = '';
      let settled = false;
      let eofTimer: NodeJS.Timeout | undefined;
      const settle = (result: ReadyResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(eofTimer);
        child.off('exit', onExit);
        child.off('error', onError);
        reader.destroy();
        resolve(result);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        settle({ ready: false, reason: `it ${describeExit(code, signal)} before it was ready` });
      const onError = (error: Error) => settle({ ready: false, reason: `it could not be started: ${error.message}` });
      const deadline = setTimeout(() => settle({ ready: false, reason: `it did not report ready within ${timeoutMs} ms` }), timeoutMs);

      reader.setEncoding('latin1');
      reader.on('data', (chunk: string) => {
        received += chunk;
        const lines = received.split('\n');
        if (!lines.includes(READY_LINE)) return;
        const named = lines.find((line) => line.startsWith(LISTENERS_PREFIX));
        settle({ ready: true, listeners: named === undefined ? null : named.slice(LISTENERS_PREFIX.length).split(':').filter(Boolean) });
      });
      reader.on('error', () => {});
      reader.on('end', () => {
        // Closed without READY: almost always an exit, whose code or signal is the better reason; give
        // SIGCHLD a moment to arrive, but a successor that closed the pipe and lives on is not ready either.
        eofTimer = setTimeout(() => settle({ ready: false, reason: 'it closed its readiness pipe without reporting ready' }), 1000);
      });
      child.on('exit', onExit);
      child.on('error', onError);
    });
  }
}

/** The successor's side: its listeners' names and READY in one write, then close, so no descendant keeps
 *  the pipe open by accident. Names never hold ':' (checkListenerName). */
export function reportReady(fd: number, listeners: string[]): void {
  try {
    write(fd, `${LISTENERS_PREFIX}${listeners.join(':')}\n${READY_LINE}\n`);
  } finally {
    close(fd);
  }
}

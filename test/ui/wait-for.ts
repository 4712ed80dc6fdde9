// Polling helpers for view tests: wait for a condition instead of sleeping a fixed time.

export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** A frame as a person reads it: no escape codes, digits masked (pids, fds, inodes and times change every run). */
export function readable(frame: string | undefined): string {
  return (frame ?? '').replace(ANSI, '').replace(/\d/g, '9');
}

/** The pieces of `line` drawn in the given SGR foreground colour (33 = yellow), however ink re-encodes them. */
export function coloredSpans(line: string, color: number): string[] {
  const spans: string[] = [];
  let active = false;
  let current = '';
  for (const part of line.split(/(\x1b\[[0-9;]*m)/)) {
    const codes = /^\x1b\[([0-9;]*)m$/.exec(part)?.[1];
    if (codes === undefined) {
      if (active) current += part;
      continue;
    }
    for (const code of codes.split(';').map(Number)) {
      if (code === color) active = true;
      else if (active && (code === 39 || code === 0 || (code >= 30 && code <= 37))) {
        active = false;
        spans.push(current);
        current = '';
      }
    }
  }
  if (active && current) spans.push(current);
  return spans;
}

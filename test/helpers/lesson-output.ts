// Collecting what a lesson prints in plain mode, and reading back the pids it says it started.
import { Writable } from 'node:stream';

export function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Pids from "started NAME (pid N)" / "已启动 NAME（pid N）" lines and libuv's "fork() = N". */
export function startedPids(text: string): number[] {
  return [...text.matchAll(/(?:started|已启动) [\w-]+ ?[(（]pid (\d+)[)）]|fork\(\) = (\d+)/g)].map((m) => Number(m[1] ?? m[2]));
}

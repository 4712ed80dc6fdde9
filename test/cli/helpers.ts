// Runs the CLI from source (node --import tsx: no build needed) and starts real processes to look at.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect } from 'vitest';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const listenerPath = fileURLToPath(new URL('./fixtures/listener.ts', import.meta.url));

/** The environment of a plain, non-CI run: colour variables that the test runner may set are removed. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'TERM', 'HOTRESTART_TUTOR_DEBUG']) delete env[name];
  return { ...env, TERM: 'xterm-256color', ...extra };
}

/** Runs the CLI to its end (or reads it while it runs: the result is also a child process). */
export function runCli(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, ['--import', 'tsx', cliPath, ...args], {
    reject: false, stdin: 'ignore', timeout: 30_000, cwd: root, extendEnv: false, env: cleanEnv(env),
  });
}

/** Reads a stream line by line; next() rejects when the stream ends first. */
export function lineReader(stream: NodeJS.ReadableStream): () => Promise<string> {
  const lines = readline.createInterface({ input: stream })[Symbol.asyncIterator]();
  return async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the stream ended early');
    return value as string;
  };
}

export interface Listener {
  pid: number;
  port: number;
  fd: number;
  /** Sends a fixture command ("dup", "close N") and resolves with its JSON answer. */
  request(command: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** A node process listening on 127.0.0.1 port 0 (backlog 64) that dups and closes fds on request. */
export async function startListener(): Promise<Listener> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', listenerPath], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const nextLine = lineReader(child.stdout!);
  const next = async () => JSON.parse(await nextLine()) as Record<string, unknown>;
  const ready = await next();
  return {
    pid: child.pid!,
    port: ready.port as number,
    fd: ready.fd as number,
    request: async (command) => {
      child.stdin!.write(`${command}\n`);
      return next();
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      await exited;
    },
  };
}

/** The pid of a process that has already ended (pids are reused only after a full wrap-around). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

/** A table line's cells: columns are separated by two or more spaces. */
export const cells = (line: string) => line.trim().split(/\s{2,}/);

/** An error a user caused: exactly one sentence on stderr, nothing on stdout, no stack trace. */
export function expectOneSentence(result: { stdout: unknown; stderr: unknown }): string {
  const stderr = String(result.stderr);
  expect(String(result.stdout)).toBe('');
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |Error:/);
  return stderr.trimEnd();
}

// The keeper: the one process between the verifier and the learner's program. It makes itself the
// child subreaper of everything the program starts, so successors and double-forked daemons stay its
// descendants, and it is the program's warden:
// - it ends the whole tree when the verifier closes its stdin or dies (SIGKILL included: the kernel
//   closes the pipe, the keeper reads EOF);
// - it bounds the tree: more than maxProcesses live processes is a fork loop, more than
//   maxOutputBytes of output is an endless output; either ends the tree at once;
// - it reaps orphans that exit, so a crashed generation does not linger as a zombie.
// It reports to the verifier as JSON lines on stdout (KeeperEvent) and takes commands on stdin.
//   usage: keeper <json KeeperConfig>
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setChildSubreaper } from '../sys/process.js';
import { cfunc } from '../sys/libc.js';
import { liveDescendants, processTable, zombieChildren } from './proctree.js';

export interface KeeperConfig {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  maxProcesses: number;
  maxOutputBytes: number;
  /** The verify's private directory. The verifier removes it at its end; if the verifier died (SIGKILL),
   *  nobody else would, so the keeper that sees its parent gone removes it after ending the tree. */
  runDir?: string;
}

export type KeeperEvent =
  | { type: 'started'; pid: number }
  | { type: 'spawn-error'; message: string }
  | { type: 'exit'; pid: number; code: number | null; signal: string | null }
  | { type: 'fault'; kind: 'fork-loop' | 'output'; count: number }
  | { type: 'tail'; text: string; bytes: number }
  | { type: 'killed'; survivors: number };

export type KeeperCommand = { op: 'kill' } | { op: 'tail' };

const TAIL_BYTES = 4096;
const POLL_MS = 40;

function emit(event: KeeperEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function killTree(timeoutMs = 5000): number {
  const deadline = Date.now() + timeoutMs;
  let emptyScans = 0;
  for (;;) {
    const pids = liveDescendants(process.pid);
    emptyScans = pids.length === 0 ? emptyScans + 1 : 0;
    if (emptyScans >= 2 || Date.now() >= deadline) return pids.length;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    reapOrphans(-1);
  }
}

/** waitpid on every zombie child except the program's first process, which Node reaps itself. */
function reapOrphans(mainPid: number): void {
  const waitpid = cfunc('int waitpid(int, void *, int)', 'waitpid');
  for (const pid of zombieChildren(process.pid)) if (pid !== mainPid) waitpid(pid, null, 1 /* WNOHANG */);
}

function main(): void {
  const config = JSON.parse(process.argv[2] ?? '{}') as KeeperConfig;
  const verifier = process.ppid;
  setChildSubreaper(true);
  // A program may signal its parent (a successor telling its predecessor it is ready, after the
  // predecessor died): the keeper is then that parent, and must not die of it. Only the verifier
  // (stdin) and SIGKILL end it.
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT', 'SIGPIPE'] as const) process.on(signal, () => {});
  let tail = Buffer.alloc(0);
  let bytes = 0;
  let ending = false;
  const end = (survivorsOnly = false) => {
    if (ending && !survivorsOnly) return;
    ending = true;
    const survivors = killTree();
    emit({ type: 'killed', survivors });
  };

  const child = spawn(config.command, config.args, { cwd: config.cwd, env: config.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.once('error', (error) => emit({ type: 'spawn-error', message: error.message }));
  child.once('spawn', () => emit({ type: 'started', pid: child.pid! }));
  // 'exit' can come before the last of its output has been read: report it once both pipes ended (or
  // after 300 ms, when a surviving child of the program still holds them), so a tail asked for after
  // the exit holds the error line.
  const drained = Promise.all([child.stdout, child.stderr].map((stream) => new Promise((resolve) => stream.once('end', resolve))));
  child.once('exit', (code, signal) => {
    void Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 300))]).then(() => emit({ type: 'exit', pid: child.pid ?? 0, code, signal }));
  });
  const onOutput = (chunk: Buffer) => {
    bytes += chunk.length;
    tail = Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES);
    if (bytes > config.maxOutputBytes && !ending) {
      emit({ type: 'fault', kind: 'output', count: bytes });
      end();
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);

  const poll = setInterval(() => {
    const table = processTable();
    const live = liveDescendants(process.pid, table);
    if (live.length > config.maxProcesses && !ending) {
      emit({ type: 'fault', kind: 'fork-loop', count: live.length });
      end();
    }
    reapOrphans(child.pid ?? -1);
  }, POLL_MS);

  const finish = () => {
    clearInterval(poll);
    killTree();
    // Re-parented: the verifier is dead. A living verifier closes our stdin too, but may still use the
    // directory (another program of the same verify, its own sockets there), so only then.
    if (config.runDir && process.ppid !== verifier) rmSync(config.runDir, { recursive: true, force: true });
    process.exit(0);
  };
  const commands = createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    let command: KeeperCommand;
    try {
      command = JSON.parse(line) as KeeperCommand;
    } catch {
      return;
    }
    if (command.op === 'kill') end(true);
    if (command.op === 'tail') emit({ type: 'tail', text: tail.toString('utf8'), bytes });
  });
  commands.on('close', finish);
  process.stdin.on('error', finish);
  // A verifier that died cannot read us any more: writing would fail with EPIPE; end the tree instead.
  process.stdout.on('error', finish);
}

main();

// The learner's program as the verifier sees it: started under a keeper (keeper.ts), observed only
// through the kernel (its process tree in /proc, its fd tables through the fdtable engine), never
// through what it prints. stop() ends every process it started, and so does the verifier's death.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { entryUrl, nodeCommand } from '../demo/entry.js';
import { bundled } from './sys-bundle.js';
import { onCleanup } from '../demo/cleanup.js';
import { isAlive, killMarkedSync } from '../demo/marker.js';
import { snapshot, type Snapshot } from '../fdtable/index.js';
import type { KeeperCommand, KeeperConfig, KeeperEvent } from './keeper.js';
import { liveDescendants } from './proctree.js';

export interface ProgramSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** The run marker in env (HOTRESTART_TUTOR_RUN): a second net for stop(). */
  runId: string;
  maxProcesses?: number;
  maxOutputBytes?: number;
  /** The verify's private directory: the keeper removes it if the verifier dies (SIGKILL included). */
  runDir?: string;
}

export interface ExitRecord {
  pid: number;
  code: number | null;
  signal: string | null;
}

export type KeeperFault = { kind: 'fork-loop' | 'output'; count: number };

export class ProgramRun {
  static async start(spec: ProgramSpec): Promise<ProgramRun> {
    const config: KeeperConfig = {
      command: spec.command, args: spec.args, cwd: spec.cwd, env: spec.env,
      maxProcesses: spec.maxProcesses ?? 32, maxOutputBytes: spec.maxOutputBytes ?? 1024 * 1024, runDir: spec.runDir,
    };
    const keeperUrl = entryUrl('keeper', import.meta.url);
    const { file, args } = keeperUrl.endsWith('.ts') ? { file: process.execPath, args: [fileURLToPath(bundled(keeperUrl))] } : nodeCommand(keeperUrl);
    // Its own session: a Ctrl-C meant for the verifier reaches the verifier, which then ends the run.
    const keeper = spawn(file, [...args, JSON.stringify(config)], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: keeperEnv() });
    const run = new ProgramRun(keeper, spec.runId);
    await run.started;
    return run;
  }

  /** The program's first process (the one the verifier started). */
  mainPid = 0;
  readonly exits: ExitRecord[] = [];
  fault: KeeperFault | null = null;
  private readonly started: Promise<void>;
  private readonly listeners = new Set<(event: KeeperEvent) => void>();
  private keeperStderr = '';
  private readonly keeperExited: Promise<void>;
  private stopping: Promise<void> | undefined;
  private readonly unregister: () => void;

  private constructor(private readonly keeper: ChildProcess, private readonly runId: string) {
    this.keeperExited = new Promise((resolve) => keeper.once('exit', () => resolve()));
    keeper.stderr!.on('data', (chunk: Buffer) => (this.keeperStderr = (this.keeperStderr + chunk.toString()).slice(-2000)));
    createInterface({ input: keeper.stdout! }).on('line', (line) => {
      let event: KeeperEvent;
      try {
        event = JSON.parse(line) as KeeperEvent;
      } catch {
        return;
      }
      if (event.type === 'exit') this.exits.push({ pid: event.pid, code: event.code, signal: event.signal });
      if (event.type === 'fault') this.fault ??= { kind: event.kind, count: event.count };
      for (const listener of this.listeners) listener(event);
    });
    this.started = new Promise((resolve, reject) => {
      const off = this.on((event) => {
        if (event.type === 'started') {
          this.mainPid = event.pid;
          off();
          resolve();
        } else if (event.type === 'spawn-error') {
          off();
          reject(new Error(event.message));
        }
      });
      void this.keeperExited.then(() => reject(new Error(`the keeper ended before the program started: ${this.keeperStderr.trim().split('\n').pop() ?? ''}`)));
    });
    this.unregister = onCleanup(() => this.stop(), () => this.stopSync());
  }

  get keeperPid(): number {
    return this.keeper.pid!;
  }

  private on(listener: (event: KeeperEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Live processes of the program, parents before children. */
  pids(): number[] {
    return liveDescendants(this.keeperPid);
  }

  /** The fd tables of every live process of the program (or of the pids given). */
  snapshot(pids: number[] = this.pids()): Snapshot {
    return snapshot(pids);
  }

  /** How the main process ended, once it has. */
  mainExit(): ExitRecord | undefined {
    return this.exits.find((exit) => exit.pid === this.mainPid);
  }

  isAlive(pid: number): boolean {
    return isAlive(pid);
  }

  signal(pid: number, signal: NodeJS.Signals): boolean {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** The last 4 KiB the program's processes printed, and how many bytes in all. */
  tail(timeoutMs = 1000): Promise<{ text: string; bytes: number }> {
    if (this.keeper.exitCode !== null || this.keeper.signalCode !== null) return Promise.resolve({ text: '', bytes: 0 });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve({ text: '', bytes: 0 });
      }, timeoutMs);
      const off = this.on((event) => {
        if (event.type !== 'tail') return;
        clearTimeout(timer);
        off();
        resolve({ text: event.text, bytes: event.bytes });
      });
      this.send({ op: 'tail' });
    });
  }

  private send(command: KeeperCommand): void {
    if (this.keeper.stdin?.writable) this.keeper.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** Ends every process of the program and the keeper; resolves when they are gone. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    this.unregister();
    this.send({ op: 'kill' });
    this.keeper.stdin?.end();
    const late = await Promise.race([this.keeperExited.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 6000).unref())]);
    if (late) this.keeper.kill('SIGKILL');
    // A process that killed the keeper and left the tree still carries the run marker, unless it cleared
    // its environment: the last net.
    killMarkedSync(this.runId, 1000);
  }

  /** For 'exit' handlers: the keeper reads EOF and ends the tree on its own. */
  private stopSync(): void {
    this.stopping ??= Promise.resolve();
    this.keeper.stdin?.destroy();
    killMarkedSync(this.runId, 500);
  }
}

/** The keeper needs nothing of the program's environment, and must not carry the run marker itself
 *  (killMarkedSync would take it for a program process). */
function keeperEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HOTRESTART_TUTOR_')));
}

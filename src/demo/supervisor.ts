// The supervisor: owns one run (id, private directory, warden), starts top-level puppets, and keeps the
// control server every puppet of the run connects to, including puppets started by other puppets.
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { sealInheritedFds } from '../sys/inherited-fds.js';
import { onCleanup } from './cleanup.js';
import { PuppetStartError, type PuppetEnding } from './puppet-start-error.js';
import { entryUrl, nodeCommand } from './entry.js';
import { killMarkedSync, markedPids, signalAll } from './marker.js';
import { acceptControlConnection, PuppetClient } from './puppet-client.js';
import { ENV, isPuppetName, makeRunDir, planRun, type Run } from './run.js';
import { startWarden, type Warden } from './tether.js';
import type { PuppetHandle, SpawnPuppetOptions, SupervisorApi } from './types.js';

export interface SupervisorOptions {
  /** Parent of the private directory (default: os.tmpdir()). */
  tmpRoot?: string;
  /** How long to wait for a new puppet's hello (default 10 s: a cold tsx cache makes the first start slow). */
  helloTimeoutMs?: number;
  /** Register stop() with the cleanup registry (default true), so installExitHandlers covers this run. */
  registerCleanup?: boolean;
}

/** How long stop() lets processes end on SIGTERM before it sends SIGKILL. */
const TERM_GRACE_MS = 300;

export class Supervisor implements SupervisorApi {
  static async start(options: SupervisorOptions = {}): Promise<Supervisor> {
    // Fds leaked to this process by whatever started it would reach the warden and every demo process.
    await sealInheritedFds();
    const run = planRun(options.tmpRoot);
    let warden: Warden | undefined;
    try {
      // The warden first: from here on, whatever happens to us, the run gets cleaned up. Only then the
      // directory, synchronously, so no signal can land between its creation and its first guard.
      warden = await startWarden(run);
      makeRunDir(run);
      const controlPath = join(run.dir, 'control.sock');
      const supervisor = new Supervisor(run, warden, controlPath, options);
      await supervisor.listen();
      return supervisor;
    } catch (error) {
      if (warden) await warden.release();
      rmSync(run.dir, { recursive: true, force: true });
      throw error;
    }
  }

  readonly runId: string;
  readonly dir: string;
  /** The unix socket puppets connect to (inside dir). */
  readonly controlPath: string;
  private readonly server: Server;
  private readonly puppets = new Map<string, PuppetClient>();
  private readonly waiters = new Set<(client: PuppetClient) => void>();
  /** Why the last puppet that tried to register under a name was turned away. */
  private readonly rejections = new Map<string, string>();
  private readonly helloTimeoutMs: number;
  private readonly unregisterCleanup: () => void;
  private stopping: Promise<void> | undefined;
  private readonly stopAbort = new AbortController();

  private constructor(run: Run, private readonly warden: Warden, controlPath: string, options: SupervisorOptions) {
    this.runId = run.runId;
    this.dir = run.dir;
    this.controlPath = controlPath;
    this.helloTimeoutMs = options.helloTimeoutMs ?? 10_000;
    this.server = createServer((socket) => acceptControlConnection(socket, (client) => this.register(client)));
    this.unregisterCleanup = options.registerCleanup === false ? () => {} : onCleanup(() => this.stop(), () => this.stopNowSync());
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.controlPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  private register(client: PuppetClient): void {
    const current = this.puppets.get(client.name);
    if (this.stopping || current?.connectedNow) {
      this.rejections.set(client.name, this.stopping ? 'the run is stopping' : `a puppet named ${client.name} (pid ${current!.pid}) is already running`);
      client.disconnect();
      return;
    }
    this.puppets.set(client.name, client);
    for (const waiter of this.waiters) waiter(client);
  }

  /** The environment that makes a process a puppet of this run (top-level ones add ENV.parent). */
  private puppetEnv(name: string): Record<string, string> {
    return { [ENV.run]: this.runId, [ENV.control]: this.controlPath, [ENV.puppet]: name, [ENV.fds]: '' };
  }

  async spawnPuppet(name: string, options: SpawnPuppetOptions = {}): Promise<PuppetHandle> {
    if (!isPuppetName(name)) throw new Error(`a puppet name is 1 to 32 letters, digits, '.', '_' or '-', not ${JSON.stringify(name)}`);
    if (this.stopping) throw new Error('the run is stopping; no new puppets');
    if (this.puppets.get(name)?.connectedNow) throw new Error(`a puppet named ${name} is already running`);
    const { file, args } = nodeCommand(entryUrl('puppet'));
    const subprocess = execa(file, args, {
      detached: true, // its own process group: a Ctrl-C in the terminal reaches the tutor only
      stdin: 'ignore',
      stdout: 'ignore', // never inherited: it would write into the Ink screen
      stderr: 'pipe',
      buffer: false,
      reject: false,
      cleanup: false, // ours is the marker scan and the warden
      cwd: this.dir, // relative paths in the puppet's syscalls then mean "in the private directory"
      env: { ...options.env, ...this.puppetEnv(name), [ENV.parent]: String(process.pid) },
    });
    let stderrTail = '';
    subprocess.stderr?.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-2000)));
    const ended = subprocess.then((result) => {
      const ending: PuppetEnding = result.signal ? { signal: result.signal } : { code: result.exitCode ?? null };
      throw new PuppetStartError(name, ending, stderrTail ? lastLine(stderrTail) : undefined);
    });
    try {
      return await Promise.race([this.waitForRegistration(name, subprocess.pid, this.helloTimeoutMs), ended]);
    } catch (error) {
      subprocess.kill('SIGKILL'); // a puppet that never checked in is of no use, and must not linger
      throw error;
    }
  }

  waitForPuppet(name: string, timeoutMs = this.helloTimeoutMs): Promise<PuppetHandle> {
    return this.waitForRegistration(name, undefined, timeoutMs);
  }

  private waitForRegistration(name: string, pid: number | undefined, timeoutMs: number): Promise<PuppetClient> {
    const matches = (client: PuppetClient | undefined): client is PuppetClient =>
      client !== undefined && client.connectedNow && client.name === name && (pid === undefined || client.pid === pid);
    const current = this.puppets.get(name);
    if (matches(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const waiter = (client: PuppetClient) => {
        if (!matches(client)) return;
        done();
        resolve(client);
      };
      const timer = setTimeout(() => {
        done();
        const why = this.rejections.get(name);
        reject(new PuppetStartError(name, { timeoutMs }, why));
      }, timeoutMs);
      timer.unref(); // the wait itself must not keep the tutor alive
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  /** The warden process that cleans up if this process dies without stop(). */
  get wardenPid(): number {
    return this.warden.pid;
  }

  puppet(name: string): PuppetHandle | undefined {
    return this.puppets.get(name);
  }

  /** Every puppet that checked in during this run, newest per name, exited ones included. */
  list(): PuppetHandle[] {
    return [...this.puppets.values()];
  }

  pids(): number[] {
    return markedPids(this.runId);
  }

  get stopped(): AbortSignal {
    return this.stopAbort.signal;
  }

  stop(): Promise<void> {
    this.stopAbort.abort();
    this.stopping ??= this.stopGracefully();
    return this.stopping;
  }

  private async stopGracefully(): Promise<void> {
    this.unregisterCleanup();
    signalAll(markedPids(this.runId), 'SIGTERM');
    const deadline = Date.now() + TERM_GRACE_MS;
    while (markedPids(this.runId).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    killMarkedSync(this.runId);
    for (const client of this.puppets.values()) client.disconnect();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.warden.release();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** stop() for an 'exit' handler, which cannot await: SIGKILL at once, then leave the warden to finish. */
  stopNowSync(): void {
    this.stopAbort.abort();
    this.stopping ??= Promise.resolve();
    this.unregisterCleanup();
    killMarkedSync(this.runId);
    for (const client of this.puppets.values()) client.disconnect();
    this.server.close();
    this.warden.releaseSync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

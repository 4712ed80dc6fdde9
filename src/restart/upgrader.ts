// The Upgrader: one per process, an explicit state machine.
//
//   starting --ready()--> ready --upgrade()--> upgrading --successor READY--> draining --> exited
//                           ^                      |
//                           +-- successor failed --+   (crash, exit, deadline: the old one keeps serving)
//                         ready --stop()--> stopping --> exited
//
// One upgrade at a time, and none while the predecessor is still handing over: a trigger in any state
// but `ready` is refused with a log line. A successor that fails during start-up is killed and
// forgotten; nothing it does can take this process down.
import type { ChildProcess } from 'node:child_process';
import type dgram from 'node:dgram';
import type net from 'node:net';
import { close } from '../sys/fd.js';
import { drain, type DrainReport } from './drain.js';
import { ExitHooks } from './exit-hooks.js';
import { successorEnv, takeInheritance, LISTEN_FDS_START, type Inheritance } from './env.js';
import { createHandoffChannel, HandoffReceiver, HandoffSender } from './handoff.js';
import type { ListenAddress } from './listeners.js';
import { readPidFile, writePidFile } from './pidfile.js';
import { ReadinessPipe, reportReady } from './readiness.js';
import { ListenerRegistry, type ListenerInfo } from './registry.js';
import { describeExit, ensureGone, spawnSuccessor } from './spawn.js';
import { ListenerOffer, receiveListeners } from './unix-handover.js';

export type UpgraderState = 'starting' | 'ready' | 'upgrading' | 'draining' | 'stopping' | 'exited';

export interface UpgraderOptions {
  /** Signal that starts an upgrade (default SIGUSR2); null for upgrade() only. */
  trigger?: NodeJS.Signals | null;
  /** How listeners reach the successor: inherited fds 3, 4, ... (default) or SCM_RIGHTS over a unix socket. */
  handover?: 'inherit' | 'unix';
  /** The successor must call ready() within this time, or it is killed (default 60 s). */
  startupTimeoutMs?: number;
  /** Connections still busy this long after draining began are closed (default 30 s). */
  drainTimeoutMs?: number;
  /** Each exit hook gets this long (default 10 s). */
  exitHookTimeoutMs?: number;
  /** Written atomically by the process that becomes current. */
  pidFile?: string;
  /** Hand idle HTTP connections to the successor (default true); false closes them when idle. */
  handoffConnections?: boolean;
  /** process.exit(0) once drained and the exit hooks ran (default true). */
  exitProcess?: boolean;
  /** Where log lines go (default stderr); false for none. */
  log?: ((line: string) => void) | false;
}

export type UpgradeOutcome =
  | { ok: true; pid: number; ms: number }
  | { ok: false; reason: string; refused: boolean; pid?: number };

export type ExitReason =
  | { reason: 'upgraded'; successorPid: number; drain: DrainReport }
  | { reason: 'stopped'; drain: DrainReport };

let created = false;

export class Upgrader {
  private current: UpgraderState = 'starting';
  private readonly registry: ListenerRegistry;
  private readonly receiver: HandoffReceiver | null;
  private readonly hooks: ExitHooks;
  private readonly log: (line: string) => void;
  private upgrading: Promise<UpgradeOutcome> | null = null;
  private successorPid: number | null = null;
  private resolveExited!: (reason: ExitReason) => void;
  /** Resolves once this process has drained and run its exit hooks (just before it exits). */
  readonly exited = new Promise<ExitReason>((resolve) => (this.resolveExited = resolve));
  /** 1 for a process nobody upgraded from; the successor of generation n is n + 1. */
  readonly generation: number;
  /** The predecessor's pid while this process inherited from one, else null. */
  readonly parentPid: number | null;
  private predecessorDone: boolean;
  /** The inherited readiness pipe, until ready() writes to it. */
  private readonly readyFd: number | null;

  private constructor(
    private readonly options: Required<Omit<UpgraderOptions, 'pidFile' | 'log' | 'trigger'>> & Pick<UpgraderOptions, 'pidFile' | 'trigger'>,
    inheritance: Inheritance,
    listenFds: Inheritance['listenFds'],
    log: (line: string) => void,
  ) {
    this.log = log;
    this.hooks = new ExitHooks(options.exitHookTimeoutMs, log);
    this.generation = inheritance.generation;
    this.parentPid = inheritance.parentPid;
    this.registry = new ListenerRegistry(listenFds, log);
    this.readyFd = inheritance.readyFd;
    this.receiver =
      inheritance.handoffFd === null
        ? null
        : new HandoffReceiver(inheritance.handoffFd, (fd, message) => this.registry.adopt(fd, message.server), log);
    this.predecessorDone = this.receiver === null;
    void this.receiver?.ended.then(() => {
      this.predecessorDone = true;
      this.log(`the predecessor (pid ${this.parentPid}) has finished handing over: ${this.registry.adopted} connections adopted`);
    });
    if (options.trigger) process.on(options.trigger, this.onTrigger);
  }

  /** Reads what this process inherited (and takes it out of the environment). One Upgrader per process. */
  static async create(options: UpgraderOptions = {}): Promise<Upgrader> {
    if (created) throw new Error('only one Upgrader may exist in a process');
    created = true;
    const log = options.log === false ? () => {} : (options.log ?? ((line: string) => process.stderr.write(`hotrestart[${process.pid}] ${line}\n`)));
    const inheritance = takeInheritance();
    if (inheritance.ignored) log(`ignoring inherited listeners: ${inheritance.ignored}`);
    const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
    let listenFds = inheritance.listenFds;
    if (inheritance.handoverSocket) listenFds = [...listenFds, ...(await receiveListeners(inheritance.handoverSocket, startupTimeoutMs))];
    const upgrader = new Upgrader(
      {
        trigger: options.trigger === undefined ? 'SIGUSR2' : options.trigger,
        handover: options.handover ?? 'inherit',
        startupTimeoutMs,
        drainTimeoutMs: options.drainTimeoutMs ?? 30_000,
        exitHookTimeoutMs: options.exitHookTimeoutMs ?? 10_000,
        handoffConnections: options.handoffConnections ?? true,
        exitProcess: options.exitProcess ?? true,
        pidFile: options.pidFile,
      },
      inheritance,
      listenFds,
      log,
    );
    if (listenFds.length > 0) log(`generation ${upgrader.generation}: inherited ${listenFds.map(({ name, fd }) => `${name}=fd ${fd}`).join(', ')}`);
    return upgrader;
  }

  get state(): UpgraderState {
    return this.current;
  }

  /** True when this process was started as a successor (it has a predecessor to report to). */
  get hasParent(): boolean {
    return this.readyFd !== null;
  }

  /** Serves `server` on the inherited listener `name`, or binds `address` when there is none. */
  listen(server: net.Server, name: string, address: ListenAddress): Promise<ListenerInfo> {
    this.expectState('listen', ['starting', 'ready']);
    return this.registry.listen(server, name, address);
  }

  /** The same for a UDP socket (dgram.createSocket('udp4' | 'udp6'), not yet bound). */
  listenUdp(socket: dgram.Socket, name: string, address: { host?: string; port: number }): Promise<ListenerInfo> {
    this.expectState('listenUdp', ['starting', 'ready']);
    return this.registry.listenUdp(socket, name, address);
  }

  listeners(): ListenerInfo[] {
    return this.registry.list();
  }

  /**
   * Start-up is done: call it when this process can really serve, not before. Inherited listeners nobody
   * claimed are closed, the PID file names this process, and the predecessor (if any) is told, which is
   * its cue to stop accepting and hand its connections over.
   */
  async ready(): Promise<void> {
    if (this.current !== 'starting') return;
    this.registry.closeUnclaimed();
    if (this.options.pidFile) writePidFile(this.options.pidFile);
    this.receiver?.start();
    if (this.readyFd !== null) {
      try {
        reportReady(this.readyFd);
      } catch (error) {
        this.log(`could not tell the predecessor (${(error as Error).message}); it has probably gone`);
      }
    }
    this.current = 'ready';
    this.log(`generation ${this.generation} ready: ${this.registry.list().map((l) => `${l.name} ${l.address}`).join(', ') || 'no listeners'}`);
  }

  /** Starts a successor and hands everything over once it is ready. Resolves with the outcome; never rejects. */
  upgrade(): Promise<UpgradeOutcome> {
    const refusal = this.refusal();
    if (refusal) {
      this.log(`upgrade refused: ${refusal}`);
      return Promise.resolve({ ok: false, refused: true, reason: refusal });
    }
    this.current = 'upgrading';
    this.upgrading = this.runUpgrade().finally(() => (this.upgrading = null));
    return this.upgrading;
  }

  /** Graceful stop without a successor: stop accepting, finish in-flight requests, run exit hooks. */
  async stop(): Promise<ExitReason> {
    if (this.upgrading) await this.upgrading;
    if (this.current === 'starting' || this.current === 'ready') {
      this.current = 'stopping';
      void this.finish(null, null);
    }
    return this.exited;
  }

  /** Runs before the process exits, after draining, in the order added. */
  onExit(hook: () => unknown): void {
    this.hooks.add(hook);
  }

  private readonly onTrigger = () => {
    this.log(`${this.options.trigger} received`);
    void this.upgrade();
  };

  private refusal(): string | null {
    switch (this.current) {
      case 'starting':
        return 'this process is not ready yet';
      case 'upgrading':
        return 'an upgrade is already in progress';
      case 'draining':
        return `this process is already handing over to pid ${this.successorPid}`;
      case 'stopping':
      case 'exited':
        return 'this process is stopping';
    }
    if (!this.predecessorDone) return `the predecessor (pid ${this.parentPid}) is still handing over`;
    return null;
  }

  private async runUpgrade(): Promise<UpgradeOutcome> {
    const startedAt = Date.now();
    const listeners = this.registry.passable();
    const inherit = this.options.handover === 'inherit';
    let readiness: ReadinessPipe | undefined;
    let channel: { parentEnd: number; childEnd: number } | null = null;
    let offer: ListenerOffer | null = null;
    let child: ChildProcess;
    try {
      readiness = ReadinessPipe.create();
      channel = this.options.handoffConnections ? createHandoffChannel() : null;
      offer = inherit ? null : ListenerOffer.create();
      const passed = inherit ? listeners.map(({ fd }) => fd) : [];
      const readyFd = LISTEN_FDS_START + passed.length;
      child = spawnSuccessor({
        fds: [...passed, readiness.childEnd, ...(channel ? [channel.childEnd] : [])],
        env: successorEnv(process.env, {
          names: inherit ? listeners.map(({ name }) => name) : [],
          readyFd,
          handoffFd: channel ? readyFd + 1 : null,
          handoverSocket: offer?.path ?? null,
          generation: this.generation + 1,
        }),
      });
    } catch (error) {
      readiness?.dispose();
      if (channel) [channel.parentEnd, channel.childEnd].forEach(close);
      offer?.dispose();
      return this.failed(`the successor could not be started: ${(error as Error).message}`);
    }
    // The successor has its copies now; ours of its ends must go, or its death would go unnoticed.
    if (channel) close(channel.childEnd);
    this.log(`upgrade: started generation ${this.generation + 1} as pid ${child.pid}`);
    let cancelled = false;
    const offered = offer?.serve(listeners, () => cancelled).catch((error: Error) => this.log(`listener handover failed: ${error.message}`));
    const result = await readiness.wait(child, this.options.startupTimeoutMs);
    cancelled = true;
    await offered;
    if (!result.ready) {
      await ensureGone(child);
      if (channel) close(channel.parentEnd);
      return this.failed(`successor pid ${child.pid} ${result.reason.replace(/^it /, '')}`, child.pid);
    }
    const pid = child.pid!;
    this.successorPid = pid;
    child.unref();
    child.once('exit', (code, signal) => this.log(`successor pid ${pid} ${describeExit(code, signal)}`));
    this.current = 'draining';
    const ms = Date.now() - startedAt;
    this.log(`successor pid ${pid} is ready after ${ms} ms; handing over`);
    void this.finish(channel ? new HandoffSender(channel.parentEnd) : null, pid);
    return { ok: true, pid, ms };
  }

  private failed(reason: string, pid?: number): UpgradeOutcome {
    this.current = 'ready';
    // A successor that wrote the PID file and then missed its deadline must not stay named in it.
    if (this.options.pidFile && readPidFile(this.options.pidFile) !== process.pid) writePidFile(this.options.pidFile);
    this.log(`upgrade failed: ${reason}; this process (pid ${process.pid}) goes on serving`);
    return { ok: false, refused: false, reason, pid };
  }

  /** Drains (handing over to the successor when there is one), runs the exit hooks, exits. */
  private async finish(handoff: HandoffSender | null, successorPid: number | null): Promise<void> {
    const report = await drain({
      servers: this.registry.servers(),
      datagram: this.registry.datagramSockets(),
      handoff,
      timeoutMs: this.options.drainTimeoutMs,
      log: this.log,
    });
    handoff?.close();
    this.receiver?.close();
    this.log(`drained in ${report.ms} ms: ${report.handedOver} connections handed over, ${report.closedIdle} closed idle, ${report.cutOff} cut off at the deadline`);
    await this.hooks.run();
    if (this.options.trigger) process.off(this.options.trigger, this.onTrigger);
    this.current = 'exited';
    this.resolveExited(successorPid === null ? { reason: 'stopped', drain: report } : { reason: 'upgraded', successorPid, drain: report });
    if (this.options.exitProcess) setImmediate(() => process.exit(0));
  }

  private expectState(call: string, allowed: UpgraderState[]): void {
    if (!allowed.includes(this.current)) throw new Error(`${call}() is not possible while the upgrader is ${this.current}`);
  }
}

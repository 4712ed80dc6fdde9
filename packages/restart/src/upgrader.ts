// The Upgrader: one per process, an explicit state machine.
//
//   starting --ready()--> ready --upgrade()--> upgrading --successor READY--> draining --> exited
//                           ^                      |                             |
//                           +-- successor failed --+   (crash, exit, deadline)   |
//                           +-- successor died after ready, listeners still held +  (rollback)
//                         ready --stop() / SIGTERM / SIGINT--> stopping --> exited
//
// One upgrade at a time, and none while the predecessor is still handing over: a trigger in any state
// but `ready` is refused with a log line. A successor that fails during start-up is killed and
// forgotten; nothing it does can take this process down. One that dies (code != 0 or a signal) after
// ready, while this process still holds duplicates of its listeners (the drain, then rollbackWindowMs),
// is rolled back from: this process serves again, as nginx does when its new master dies.
import type { ChildProcess } from 'node:child_process';
import type dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { close } from './sys/fd.js';
import { drain, IDLE_GRACE_MS, type DrainReport } from './drain.js';
import { ExitHooks } from './exit-hooks.js';
import { probeInternals } from './internals.js';
import { notNetServer } from './server-check.js';
import { successorEnv, takeInheritance, LISTEN_FDS_START, type Inheritance } from './env.js';
import { createHandoffChannel, HandoffReceiver, HandoffSender } from './handoff.js';
import type { ListenAddress } from './listeners.js';
import { readPidFile, writePidFile } from './pidfile.js';
import { sdNotify } from './notify.js';
import { ReadinessPipe, reportReady } from './readiness.js';
import { ListenerRegistry, type ListenerInfo, type Spare } from './registry.js';
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
  /**
   * Signals that stop this process gracefully: stop accepting, finish what is in flight, run the exit
   * hooks, exit 0 (default SIGTERM and SIGINT). A second one exits at once. The module leaves a signal
   * alone when the application has its own listener for it. [] for none.
   */
  stopSignals?: NodeJS.Signals[];
  /**
   * After its successor is ready, this process keeps duplicates of its listeners through the drain and
   * at least this long (default 1 s): if the successor dies meanwhile (exit code != 0 or a signal), this
   * process serves again. 0: only during the drain.
   */
  rollbackWindowMs?: number;
  /** false: keep no duplicate of the listeners while draining, so no rollback after ready (default true). */
  rollback?: boolean;
  /**
   * Connections that are not handed over (HTTPS, a stop, handoffConnections: false): an idle one stays
   * open this long (default 1 s), answering a request that arrives with Connection: close, then is
   * closed. 0 closes it at once, racing a client that is sending its next request.
   */
  idleGraceMs?: number;
  /** Where log lines go (default stderr, each line with an ISO timestamp); false for none. */
  log?: ((line: string) => void) | false;
}

/** The events an Upgrader emits, with their payloads. */
export interface UpgraderEvents {
  /** A successor was started. */
  'upgrade-started': [{ generation: number; pid: number }];
  /** The successor reported ready; this process now drains. */
  'successor-ready': [{ pid: number; ms: number }];
  /** The successor failed before it was ready; this process goes on serving. */
  'upgrade-failed': [{ reason: string; pid?: number }];
  /** A trigger arrived in a state where no upgrade may start. */
  refused: [{ reason: string }];
  /** This process stopped accepting and its connections are handed over or closed. */
  drained: [DrainReport];
  /** The successor died after it was ready; this process serves again. */
  'rolled-back': [{ pid: number; reason: string }];
  /** Each log line, without the timestamp and prefix the default output adds. */
  log: [string];
}

export type UpgradeOutcome =
  | { ok: true; pid: number; ms: number }
  | { ok: false; reason: string; refused: boolean; pid?: number };

export type ExitReason =
  | { reason: 'upgraded'; successorPid: number; drain: DrainReport }
  | { reason: 'stopped'; drain: DrainReport };

let created = false;

export class Upgrader {
  // Not `extends EventEmitter`: its listeners() would clash with this class's listeners().
  private readonly emitter = new EventEmitter<UpgraderEvents>();
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
  /** A stop signal arrived: no rollback, a second one exits at once. */
  private stopSignalled = false;

  private constructor(
    private readonly options: Required<Omit<UpgraderOptions, 'pidFile' | 'log' | 'trigger'>> & Pick<UpgraderOptions, 'pidFile' | 'trigger'>,
    inheritance: Inheritance,
    listenFds: Inheritance['listenFds'],
    output: (line: string) => void,
  ) {
    this.log = (line) => {
      output(line);
      this.emit('log', line);
    };
    const log = this.log;
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
    for (const signal of options.stopSignals) process.on(signal, this.onStopSignal);
  }

  /** Reads what this process inherited (and takes it out of the environment). One Upgrader per process. */
  static async create(options: UpgraderOptions = {}): Promise<Upgrader> {
    if (created) throw new Error('only one Upgrader may exist in a process');
    created = true;
    const log = options.log === false ? () => {} : (options.log ?? defaultLog);
    const inheritance = takeInheritance();
    const probe = await probeInternals();
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
        stopSignals: options.stopSignals ?? ['SIGTERM', 'SIGINT'],
        rollbackWindowMs: options.rollbackWindowMs ?? 1000,
        rollback: options.rollback ?? true,
        idleGraceMs: options.idleGraceMs ?? IDLE_GRACE_MS,
        pidFile: options.pidFile,
      },
      inheritance,
      listenFds,
      log,
    );
    if (probe.missing.length > 0) {
      upgrader.registry.internals = false;
      log(
        `Node ${process.version}: ${probe.missing.join(', ')} ${probe.missing.length === 1 ? 'is' : 'are'} missing${probe.error ? ` (the probe failed: ${probe.error})` : ''}; ` +
          'idle connections will be closed between requests instead of handed over',
      );
    }
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
    if (!(server instanceof net.Server)) return Promise.reject(new TypeError(notNetServer(server)));
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
    this.notify(`MAINPID=${process.pid}\nREADY=1`);
    this.receiver?.start();
    if (this.readyFd !== null) {
      try {
        reportReady(this.readyFd, this.registry.list().map(({ name }) => name));
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
      this.emit('refused', { reason: refusal });
      return Promise.resolve({ ok: false, refused: true, reason: refusal });
    }
    this.current = 'upgrading';
    // Whatever goes wrong on the way is an upgrade that failed, never an unhandled rejection.
    this.upgrading = this.runUpgrade()
      .catch((error: Error) => this.failed(`the upgrade went wrong: ${error.message}`))
      .finally(() => (this.upgrading = null));
    return this.upgrading;
  }

  /** Graceful stop without a successor: stop accepting, finish in-flight requests, run exit hooks. */
  async stop(): Promise<ExitReason> {
    if (this.upgrading) await this.upgrading;
    if (this.current === 'starting' || this.current === 'ready') {
      this.current = 'stopping';
      this.notify('STOPPING=1');
      void this.finish(null, null);
    }
    return this.exited;
  }

  /** Subscribes to one of the Upgrader's events (see UpgraderEvents). */
  on<E extends keyof UpgraderEvents>(event: E, listener: (...payload: UpgraderEvents[E]) => void): this {
    this.emitter.on(event, listener as never);
    return this;
  }

  once<E extends keyof UpgraderEvents>(event: E, listener: (...payload: UpgraderEvents[E]) => void): this {
    this.emitter.once(event, listener as never);
    return this;
  }

  off<E extends keyof UpgraderEvents>(event: E, listener: (...payload: UpgraderEvents[E]) => void): this {
    this.emitter.off(event, listener as never);
    return this;
  }

  /** A listener that throws must not break an upgrade: its error is logged. */
  private emit<E extends keyof UpgraderEvents>(event: E, ...payload: UpgraderEvents[E]): void {
    try {
      (this.emitter.emit as (event: E, ...args: UpgraderEvents[E]) => boolean)(event, ...payload);
    } catch (error) {
      if (event !== 'log') this.log(`a listener of the '${event}' event threw: ${(error as Error).message}`);
    }
  }

  /** Runs before the process exits, after draining, in the order added. */
  onExit(hook: () => unknown): void {
    this.hooks.add(hook);
  }

  private readonly onTrigger = () => {
    this.log(`${this.options.trigger} received`);
    void this.upgrade();
  };

  private readonly onStopSignal = (signal: NodeJS.Signals) => {
    // The application's own handler is in charge of this signal (the module's is the only other one).
    if (process.listenerCount(signal) > 1) return;
    if (this.stopSignalled) {
      this.log(`${signal} received again: exiting now`);
      process.exit(1);
    }
    this.stopSignalled = true;
    this.log(`${signal} received: stopping (stop accepting, finish requests, exit hooks)`);
    void this.stop();
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
    if (child.pid !== undefined) this.emit('upgrade-started', { generation: this.generation + 1, pid: child.pid });
    let cancelled = false;
    const offered = offer?.serve(listeners, child.pid ?? -1, () => cancelled, this.log).catch((error: Error) => this.log(`listener handover failed: ${error.message}`));
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
    this.current = 'draining';
    const ms = Date.now() - startedAt;
    this.log(`successor pid ${pid} is ready after ${ms} ms; handing over`);
    this.emit('successor-ready', { pid, ms });
    void this.finish(channel ? new HandoffSender(channel.parentEnd) : null, child, result.listeners);
    return { ok: true, pid, ms };
  }

  private failed(reason: string, pid?: number): UpgradeOutcome {
    this.current = 'ready';
    // A successor that wrote the PID file and then missed its deadline must not stay named in it.
    if (this.options.pidFile && readPidFile(this.options.pidFile) !== process.pid) this.namePidFile();
    this.log(`upgrade failed: ${reason}; this process (pid ${process.pid}) goes on serving`);
    this.emit('upgrade-failed', { reason, pid });
    return { ok: false, refused: false, reason, pid };
  }

  /** Names this process in the PID file; a failure is logged, never thrown (this process serves on regardless). */
  private namePidFile(): void {
    if (!this.options.pidFile) return;
    try {
      writePidFile(this.options.pidFile);
    } catch (error) {
      this.log(`could not write the PID file ${this.options.pidFile}: ${(error as Error).message}`);
    }
  }

  /** Drains (handing over to the successor when there is one), runs the exit hooks, exits. */
  private async finish(handoff: HandoffSender | null, successor: ChildProcess | null, served: string[] | null = null): Promise<void> {
    const rollback = successor !== null && this.options.rollback;
    // A successor of another version may not serve every name this process does: connections of a name
    // it does not serve are ended here (answered within the idle grace, Connection: close), not handed to
    // a process that would hold them unanswered.
    const servers = this.registry.servers().map((target) => ({ ...target, handOver: served === null || served.includes(target.name) }));
    for (const { name } of servers.filter((target) => handoff && !target.handOver)) {
      this.log(`the successor does not listen on ${name}: its connections are closed here, not handed over`);
    }
    const spares = rollback ? this.holdForRollback() : [];
    const watch = rollback ? this.watchSuccessor(successor, handoff, spares) : null;
    let report: DrainReport;
    try {
      report = await drain({
        servers,
        datagram: this.registry.datagramSockets(),
        handoff,
        timeoutMs: this.options.drainTimeoutMs,
        idleGraceMs: this.options.idleGraceMs,
        log: this.log,
      });
    } catch (error) {
      this.log(`draining went wrong: ${(error as Error).message}`);
      report = { handedOver: 0, closedIdle: 0, cutOff: 0, ms: 0 };
    }
    handoff?.close();
    this.log(`drained in ${report.ms} ms: ${report.handedOver} connections handed over, ${report.closedIdle} closed idle, ${report.cutOff} cut off at the deadline`);
    this.emit('drained', report);
    if (watch) {
      // The old trackers are done with; after a rollback, the new ones serve.
      if (await watch.untilWindowEnds(this.options.rollbackWindowMs)) return;
      this.registry.releaseSpares(spares);
      this.log('the successor lives on: the listeners kept for a rollback are closed');
    }
    this.receiver?.close();
    await this.hooks.run();
    if (this.options.trigger) process.off(this.options.trigger, this.onTrigger);
    for (const signal of this.options.stopSignals) process.off(signal, this.onStopSignal);
    this.current = 'exited';
    this.resolveExited(successor === null ? { reason: 'stopped', drain: report } : { reason: 'upgraded', successorPid: successor.pid!, drain: report });
    if (this.options.exitProcess) setImmediate(() => process.exit(0));
  }

  private holdForRollback(): Spare[] {
    try {
      return this.registry.holdForRollback();
    } catch (error) {
      this.log(`could not keep the listeners for a rollback: ${(error as Error).message}`);
      return [];
    }
  }

  /**
   * Watches the successor from the moment it is ready. Its death with a code other than 0 or by a signal,
   * while this process still holds its listeners, calls for a rollback; an exit 0 was meant (a stop).
   * The handoff channel is closed at once, so the drain closes what is left instead of sending it to nobody.
   */
  private watchSuccessor(successor: ChildProcess, handoff: HandoffSender | null, spares: Spare[]): { untilWindowEnds: (ms: number) => Promise<boolean> } {
    const pid = successor.pid!;
    const readyAt = Date.now();
    let rollback: Promise<void> | null = null;
    let wake: () => void = () => {};
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      this.log(`successor pid ${pid} ${describeExit(code, signal)}`);
      if (code === 0 || this.stopSignalled) return;
      const named = this.options.pidFile ? readPidFile(this.options.pidFile) : pid;
      // It had already handed over to a successor of its own (the PID file names another process).
      if (named !== null && named !== pid && named !== process.pid) return;
      if (spares.length === 0) return;
      handoff?.close();
      // At once, not after the drain: new connections wait in the accept queue until someone accepts.
      rollback = this.rollBack(pid, `${describeExit(code, signal)} after it was ready`, spares);
      wake();
    };
    if (successor.exitCode !== null || successor.signalCode !== null) onExit(successor.exitCode, successor.signalCode);
    else successor.once('exit', onExit);
    return {
      untilWindowEnds: async (windowMs) => {
        const left = readyAt + windowMs - Date.now();
        if (!rollback && left > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, left);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        successor.off('exit', onExit);
        if (rollback) await rollback;
        return rollback !== null;
      },
    };
  }

  /** The successor died after it was ready: serve again on the listeners kept for this. */
  private async rollBack(pid: number, death: string, spares: Spare[]): Promise<void> {
    // Named at once: whoever reads the PID file or the log line after this must find this process.
    this.namePidFile();
    this.notify(`MAINPID=${process.pid}\nREADY=1`);
    this.log(`successor pid ${pid} ${death}; taking over again (rollback): this process (pid ${process.pid}) serves again`);
    this.successorPid = null;
    await this.registry.resume(spares);
    this.current = 'ready';
    this.emit('rolled-back', { pid, reason: death });
  }

  /** A systemd notification (sd_notify), when NOTIFY_SOCKET is set; a failure is logged once per message. */
  private notify(state: string): void {
    const error = sdNotify(state);
    if (error) this.log(`could not notify ${process.env.NOTIFY_SOCKET}: ${error}`);
  }

  private expectState(call: string, allowed: UpgraderState[]): void {
    if (!allowed.includes(this.current)) throw new Error(`${call}() is not possible while the upgrader is ${this.current}`);
  }
}

/** The default log line: an ISO timestamp, the module's name and this process's pid. */
function defaultLog(line: string): void {
  process.stderr.write(`${new Date().toISOString()} hotrestart[${process.pid}] ${line}\n`);
}

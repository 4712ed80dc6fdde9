// Container mode: a small, stable parent that holds the listeners and outlives every generation, in the
// manner of einhorn and overseer. As PID 1 of a container (a PID namespace), a server that upgrades
// itself would end the container at its first upgrade: the old process exits, and with PID 1 gone the
// kernel kills every process of the namespace, the successor included. Here PID 1 is this parent:
//  - it binds the listeners and starts generation 1 with them, as systemd socket activation does
//    (LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES), and keeps its own copies, so the ports stay open
//    through every upgrade and even between generations;
//  - it is a child subreaper (and PID 1 in a container anyway): a successor orphaned by its
//    predecessor's exit becomes its child, and it reaps every exited descendant, as an init must;
//  - it offers the generations a NOTIFY_SOCKET, systemd's protocol: each generation says MAINPID= and
//    READY=1 when it is ready, so the parent always knows which process is current. The socket has an
//    abstract name ('@hotrestart-run-…', valid for NOTIFY_SOCKET as for systemd), not a file: a SIGKILL
//    of this process leaves nothing behind. Anyone in the network namespace may send to an abstract
//    name, so each datagram's sender credentials (SO_PASSCRED) must be this user's or root's, as a 0700
//    directory would have required, and MAINPID must name a descendant of this process;
//  - it forwards the upgrade signal and the stop signals to that process, and exits when no descendant
//    of the service is left, with the exit status of the last current process. A helper this process
//    started for itself does not count: run under tsx, its loader thread starts an esbuild service that
//    lives as long as this process, and waiting for it to end would hang the container forever.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { AF_UNIX, POLLIN, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOL_SOCKET, SO_PASSCRED } from './sys/constants.js';
import { close } from './sys/fd.js';
import { childPids, isDescendant, peekExitedChild, reapChild, setChildSubreaper } from './sys/process.js';
import { recvWithCredentials } from './sys/scm.js';
import { pollOne, setsockoptInt, socket } from './sys/socket.js';
import { bindAbstract, sameUser } from './abstract-socket.js';
import { bindFresh } from './bind.js';
import { describeExit, EXEC_WITH_LISTEN_PID, SHELL } from './spawn.js';
import { ENV, checkListenerName } from './env.js';
import type { ListenAddress } from './listeners.js';

export interface SupervisorOptions {
  /** The listeners to hold, by name: `{ http: { host: '0.0.0.0', port: 8080 } }`. */
  listeners: Record<string, ListenAddress>;
  /** The server's command line: generation 1 is started with it (successors are started by the module). */
  command: { file: string; args: string[] };
  /** Forwarded to the current generation as the upgrade trigger (default SIGUSR2; SIGHUP too). */
  upgradeSignals?: NodeJS.Signals[];
  /** Forwarded to the current generation to stop the service (default SIGTERM, SIGINT). */
  stopSignals?: NodeJS.Signals[];
  log?: (line: string) => void;
}

const POLL_MS = 20;
const ENV_NOTIFY_SOCKET = 'NOTIFY_SOCKET';

export class Supervisor {
  private readonly log: (line: string) => void;
  private readonly fds: Array<{ name: string; fd: number }> = [];
  private notifyFd = -1;
  /** The abstract name of the notify socket, '@hotrestart-run-PID-RANDOM'. */
  private notifyName = '';
  /** Pids of other users whose datagrams were ignored (each logged once). */
  private readonly strangers = new Set<number>();
  private first: ChildProcess | null = null;
  private firstExited = false;
  /** The process that said MAINPID= last (generation 1 until someone says otherwise). */
  private mainPid = 0;
  private lastMainStatus: { code: number | null; signal: number | null } | null = null;
  /** For when the last main process was reaped by its own parent (a draining predecessor), not here. */
  private lastStatus: { code: number | null; signal: number | null } = { code: null, signal: null };
  private timer: NodeJS.Timeout | undefined;
  private resolveDone!: (code: number) => void;
  /** Resolves with the exit code to use once no descendant is left. */
  readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly options: SupervisorOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(`${new Date().toISOString()} hotrestart-run[${process.pid}] ${line}\n`));
  }

  /** Binds, starts generation 1, and supervises until no descendant is left (see `done`). */
  async start(): Promise<void> {
    try {
      setChildSubreaper(true);
    } catch (error) {
      if (process.pid !== 1) this.log(`cannot become a child subreaper (${(error as Error).message}): orphaned generations will not be reaped here`);
    }
    for (const [name, address] of Object.entries(this.options.listeners)) {
      checkListenerName(name);
      this.fds.push({ name, fd: await bindFresh(address) });
    }
    this.openNotifySocket();
    for (const signal of this.options.upgradeSignals ?? ['SIGUSR2', 'SIGHUP']) process.on(signal, this.forward);
    for (const signal of this.options.stopSignals ?? ['SIGTERM', 'SIGINT']) process.on(signal, this.forward);
    const { file, args } = this.options.command;
    const env: NodeJS.ProcessEnv = { ...process.env, [ENV_NOTIFY_SOCKET]: this.notifyName };
    for (const key of Object.values(ENV)) delete env[key];
    env[ENV.listenFds] = String(this.fds.length);
    env[ENV.listenFdNames] = this.fds.map(({ name }) => name).join(':');
    this.first = spawn(SHELL, ['-c', EXEC_WITH_LISTEN_PID, file, ...args], { env, stdio: ['ignore', 'inherit', 'inherit', ...this.fds.map(({ fd }) => fd)] });
    this.first.once('exit', (code, signal) => {
      // libuv reports this exit on its own, between two ticks: first read what is waiting, so that a
      // successor's MAINPID= (sent before it let this generation go) is logged, and counted, before the exit.
      this.readNotifications();
      this.firstExited = true;
      this.noteExit(this.first!.pid!, code, signal === null ? null : constants.signals[signal]);
    });
    this.first.once('error', (error) => {
      this.log(`the server could not be started: ${error.message}`);
      this.firstExited = true;
      this.lastMainStatus = { code: 127, signal: null };
    });
    this.mainPid = this.first.pid ?? 0;
    this.log(`holding ${this.fds.map(({ name, fd }) => `${name}=fd ${fd}`).join(', ') || 'no listener'}; started generation 1 as pid ${this.mainPid}`);
    this.timer = setInterval(() => this.tick(), POLL_MS);
  }

  /**
   * A unix datagram socket with an abstract name: nothing on the filesystem, so nothing to remove, however
   * this process ends. SO_PASSCRED before bind(): every datagram that can arrive carries its sender's credentials.
   */
  private openNotifySocket(): void {
    this.notifyFd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
    try {
      setsockoptInt(this.notifyFd, SOL_SOCKET, SO_PASSCRED, 1);
      this.notifyName = bindAbstract(this.notifyFd, 'hotrestart-run');
    } catch (error) {
      close(this.notifyFd);
      this.notifyFd = -1;
      throw error;
    }
  }

  private readonly forward = (signal: NodeJS.Signals) => {
    if (!this.mainPid) return;
    this.log(`${signal} received: forwarded to pid ${this.mainPid}`);
    try {
      process.kill(this.mainPid, signal);
    } catch (error) {
      this.log(`could not signal pid ${this.mainPid}: ${(error as Error).message}`);
    }
  };

  private tick(): void {
    this.readNotifications();
    this.reap();
  }

  private readNotifications(): void {
    while (this.notifyFd !== -1 && pollOne(this.notifyFd, POLLIN, 0) & POLLIN) {
      let message: ReturnType<typeof recvWithCredentials>;
      try {
        message = recvWithCredentials(this.notifyFd);
      } catch {
        return;
      }
      const sender = message.credentials;
      if (!sender || !sameUser(sender.uid)) {
        // One line per sender (and not past a few dozen): a stranger must not flood this log.
        const who = sender?.pid ?? 0;
        if (!this.strangers.has(who) && this.strangers.size < 32) {
          this.strangers.add(who);
          this.log(`ignored a notification from ${sender ? `pid ${sender.pid} (uid ${sender.uid})` : 'an unknown sender'}: not this user's`);
        }
        continue;
      }
      const fields = new Map(message.data.toString().split('\n').filter(Boolean).map((line) => line.split('=', 2) as [string, string]));
      const pid = Number(fields.get('MAINPID'));
      if (!Number.isInteger(pid) || pid <= 0 || pid === this.mainPid) continue;
      // Signals are forwarded to the main pid: it must be one of this service's processes.
      if (!isDescendant(pid)) {
        this.log(`ignored MAINPID=${pid} from pid ${sender.pid}: not a process of this service`);
        continue;
      }
      this.log(`main pid is now ${pid} (was ${this.mainPid})`);
      this.mainPid = pid;
    }
  }

  /** Reaps every exited descendant but generation 1 (libuv reaps its own child); exits when none is left. */
  private reap(): void {
    for (;;) {
      const peek = peekExitedChild();
      if (peek.state === 'none') {
        if (this.first === null || this.firstExited) this.finish();
        return;
      }
      if (peek.state === 'running') {
        if (!this.serviceChildRunning()) this.finish();
        return;
      }
      if (peek.pid === this.first?.pid) return;
      try {
        reapChild(peek.pid);
      } catch {
        return;
      }
      this.noteExit(peek.pid, peek.code, peek.signal);
    }
  }

  /**
   * Whether a child of the service is still running: generation 1 until libuv saw it exit, or a process
   * whose environment holds this NOTIFY_SOCKET (every generation, and what they start, inherit it).
   * A child whose environment cannot be read (it is exiting: ESRCH, or a zombie's empty one) counts:
   * the next tick reaps it and looks again.
   */
  private serviceChildRunning(): boolean {
    const marker = `${ENV_NOTIFY_SOCKET}=${this.notifyName}`;
    for (const pid of childPids()) {
      if (pid === this.first?.pid && !this.firstExited) return true;
      let environ: string;
      try {
        environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      } catch {
        return true;
      }
      if (environ === '' || environ.split('\0').includes(marker)) return true;
    }
    return false;
  }

  private noteExit(pid: number, code: number | null, signal: number | null): void {
    const signalName = signal === null ? null : (Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] as NodeJS.Signals | undefined) ?? null;
    this.log(`pid ${pid} ${describeExit(code, signalName)}${pid === this.mainPid ? ' (the current generation)' : ''}`);
    this.lastStatus = { code, signal };
    if (pid === this.mainPid) this.lastMainStatus = { code, signal };
  }

  private finish(): void {
    clearInterval(this.timer);
    for (const { fd } of this.fds.splice(0)) close(fd);
    if (this.notifyFd !== -1) close(this.notifyFd);
    this.notifyFd = -1;
    const { code, signal } = this.lastMainStatus ?? this.lastStatus;
    const exitCode = signal !== null ? 128 + signal : (code ?? 1);
    this.log(`no generation is left; exiting with ${exitCode}`);
    this.resolveDone(exitCode);
  }
}

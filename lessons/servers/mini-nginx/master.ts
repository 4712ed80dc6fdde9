// mini-nginx's master process: the state machine of nginx's ngx_master_process_cycle and ngx_reap_children
// (src/os/unix/ngx_process_cycle.c), with its log lines. The master holds the listening sockets, starts
// the workers, and acts on signals:
//   HUP   re-read the config, start workers with it, then tell the old ones to quit (same listeners, same
//         master). While a new binary runs, HUP only starts workers again, with the config it has: the
//         rollback of an upgrade.
//   USR2  rename the pid file to .oldbin and start a new master (this program again, NGINX naming the
//         listeners' fds). Ignored while an upgrade is under way: in the old master while its new binary
//         runs, in a new master while the parent that started it is still its parent.
//   WINCH stop the workers gracefully; the master stays with its listeners (only when "daemonized", which
//         for nginx includes having inherited its sockets).
//   QUIT  graceful shutdown; TERM/INT fast shutdown; USR1 reopen the log.
// When the new binary exits, the old master renames .oldbin back to the pid file, and starts workers again
// if WINCH had stopped them.
import type { ChildProcess } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import * as sys from '../../../src/sys/index.js';
import { signalLine, TITLE, type StartMessage, type ToMaster, type ToWorker } from './channel.js';
import type { Conf } from './conf.js';
import { openListeners, type Listener } from './listeners.js';
import { ErrorLog, STDERR } from './log.js';
import { spawnNewBinary, spawnWorker } from './spawn.js';

interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Told to quit or terminate: not respawned when it exits. */
  exiting: boolean;
  /** Resolves once the worker listens, or has exited. */
  ready: Promise<void>;
}

/** How long a HUP waits for the new workers to listen before the old ones are told to quit. */
const NEW_WORKERS_WAIT_MS = 5000;
/** After TERM, workers still there after this long get SIGKILL (nginx escalates the same way). */
const TERMINATE_GRACE_MS = 1000;

export interface MasterSetup {
  conf: Conf;
  log: ErrorLog;
  listeners: Listener[];
  /** nginx's ngx_daemonized: true when the sockets were inherited (the stand-in never forks into the background). */
  daemonized: boolean;
  /** This process's parent when it started (nginx's ngx_parent). */
  parentAtStart: number;
  /** Reads the config file again (HUP); throws a ConfError. */
  reload: () => Conf;
}

export class Master {
  private conf: Conf;
  private log: ErrorLog;
  private listeners: Listener[];
  private readonly workers = new Map<number, WorkerProcess>();
  private newBinary: ChildProcess | undefined;
  private quitting = false;
  private terminating = false;
  private noaccepting = false;

  constructor(private readonly setup: MasterSetup) {
    this.conf = setup.conf;
    this.log = setup.log;
    this.listeners = setup.listeners;
  }

  private get pidFile(): string {
    return this.conf.pidFile;
  }

  private get oldPidFile(): string {
    return `${this.conf.pidFile}.oldbin`;
  }

  /** Starts the workers and, once they listen, writes the pid file. */
  async run(): Promise<void> {
    process.title = `${TITLE.master} ${process.argv.slice(1).join(' ')}`;
    this.handleSignals();
    // Signal handlers do not keep Node's event loop alive; a master without workers (after WINCH) must stay.
    setInterval(() => {}, 1 << 30);
    await Promise.all(this.startWorkers().map((w) => w.ready));
    try {
      writeFileSync(this.pidFile, `${process.pid}\n`);
    } catch (error) {
      this.log.log('emerg', `open() "${this.pidFile}" failed (${(error as NodeJS.ErrnoException).code})`);
      this.terminate('SIGTERM');
    }
  }

  private handleSignals(): void {
    process.on('SIGHUP', () => void this.reconfigure());
    process.on('SIGUSR2', () => this.changeBinary());
    process.on('SIGWINCH', () => this.stopAccepting());
    process.on('SIGQUIT', () => this.quit());
    process.on('SIGTERM', () => this.terminate('SIGTERM'));
    process.on('SIGINT', () => this.terminate('SIGINT'));
    process.on('SIGUSR1', () => {
      this.log.log('notice', signalLine('SIGUSR1', 'reopening logs'));
      this.log.log('notice', 'reopening logs');
      this.log.reopen();
      if (this.log.file !== STDERR) sys.dup2(this.log.openFd, 2);
      this.tellWorkers('reopen', 'SIGUSR1');
    });
  }

  private startWorkers(): WorkerProcess[] {
    this.log.log('notice', 'start worker processes');
    const started: WorkerProcess[] = [];
    for (let i = 0; i < this.conf.workerProcesses; i++) {
      const worker = this.spawnWorker();
      if (worker) started.push(worker);
    }
    return started;
  }

  private spawnWorker(): WorkerProcess | undefined {
    const child = spawnWorker(this.listeners);
    if (child.pid === undefined) {
      child.on('error', (error) => this.log.log('alert', `could not spawn worker process (${error.message})`));
      return undefined;
    }
    const pid = child.pid;
    this.log.log('notice', `start worker process ${pid}`);
    let markReady = () => {};
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const worker: WorkerProcess = { child, pid, exiting: false, ready };
    this.workers.set(pid, worker);
    child.on('message', (message: ToMaster) => message.type === 'ready' && markReady());
    child.on('error', () => {}); // a send to a worker that just exited; its 'exit' follows
    child.on('exit', (code, signal) => {
      markReady();
      this.reapWorker(worker, code, signal);
    });
    const start: StartMessage = {
      type: 'start',
      conf: this.conf,
      listeners: this.listeners,
      log: { file: this.log.file, level: this.log.level },
      daemonized: this.setup.daemonized,
    };
    child.send(start);
    return worker;
  }

  private reapWorker(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.workers.delete(worker.pid);
    this.logExit('worker process', worker.pid, code, signal);
    if (code === 2) {
      this.log.log('alert', `worker process ${worker.pid} exited with fatal code 2 and cannot be respawned`);
    } else if (!worker.exiting && !this.quitting && !this.terminating) {
      this.spawnWorker();
    }
    if ((this.quitting || this.terminating) && this.workers.size === 0) this.exit();
  }

  private logExit(what: string, pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    this.log.log('notice', `${signalLine('SIGCHLD')} from ${pid}`);
    if (signal) this.log.log('alert', `${what} ${pid} exited on signal ${constants.signals[signal]}`);
    else this.log.log('notice', `${what} ${pid} exited with code ${code}`);
  }

  /** nginx's ngx_signal_worker_processes: over the channel, by signal when the channel is gone. */
  private tellWorkers(type: 'quit' | 'terminate' | 'reopen', signal: NodeJS.Signals, only?: WorkerProcess[]): void {
    for (const worker of only ?? [...this.workers.values()]) {
      if (worker.exiting && type === 'quit') continue;
      const message: ToWorker = { type };
      if (worker.child.connected) worker.child.send(message);
      else worker.child.kill(signal);
      if (type !== 'reopen') worker.exiting = true;
    }
  }

  private async reconfigure(): Promise<void> {
    this.log.log('notice', signalLine('SIGHUP', 'reconfiguring'));
    if (this.quitting || this.terminating) return;
    if (this.newBinary) {
      // The rollback: the old master takes the service back with the config it already has.
      this.startWorkers();
      this.noaccepting = false;
      return;
    }
    this.log.log('notice', 'reconfiguring');
    let conf: Conf;
    let opened: ReturnType<typeof openListeners>;
    try {
      conf = this.setup.reload();
      opened = openListeners(conf, this.listeners);
    } catch (error) {
      // nginx keeps running with the config it has when the new one is broken.
      this.log.log('emerg', (error as Error).message);
      return;
    }
    this.switchLog(conf);
    const oldPidFile = this.pidFile;
    const oldWorkers = [...this.workers.values()];
    this.conf = conf;
    this.listeners = opened.listeners;
    if (conf.pidFile !== oldPidFile) this.movePidFile(oldPidFile);
    const fresh = this.startWorkers();
    // nginx gives its new workers 100 ms; these are Node processes, so wait until they listen.
    await Promise.race([Promise.all(fresh.map((w) => w.ready)), new Promise((resolve) => setTimeout(resolve, NEW_WORKERS_WAIT_MS))]);
    for (const unused of opened.unused) closeQuietly(unused.fd);
    this.tellWorkers('quit', 'SIGQUIT', oldWorkers);
  }

  /** A changed error_log takes effect on HUP. */
  private switchLog(conf: Conf): void {
    const wanted = conf.errorLog ?? { file: this.log.file, level: this.log.level };
    if (wanted.file === this.log.file && wanted.level === this.log.level) return;
    try {
      const log = new ErrorLog(wanted.file, wanted.level);
      // stderr follows the log, as nginx redirects it on every reload: new workers inherit it at fd 2.
      if (log.file !== STDERR) sys.dup2(log.openFd, 2);
      this.log.close();
      this.log = log;
    } catch (error) {
      this.log.log('emerg', (error as Error).message);
    }
  }

  private movePidFile(oldPath: string): void {
    try {
      writeFileSync(this.pidFile, `${process.pid}\n`);
      rmSync(oldPath, { force: true });
    } catch (error) {
      this.log.log('alert', `open() "${this.pidFile}" failed (${(error as NodeJS.ErrnoException).code})`);
    }
  }

  private changeBinary(): void {
    // nginx: ignored in a new binary whose parent (the old master) still runs, and in an old master
    // whose new binary still runs.
    if (process.ppid === this.setup.parentAtStart || this.newBinary) {
      this.log.log('notice', signalLine('SIGUSR2', 'ignoring'));
      this.log.log('crit', "the changing binary signal is ignored: you should shutdown or terminate before either old or new binary's process");
      return;
    }
    this.log.log('notice', signalLine('SIGUSR2', 'changing binary'));
    if (this.quitting || this.terminating) return;
    this.log.log('notice', 'changing binary');
    const argv0 = process.argv[1];
    try {
      renameSync(this.pidFile, this.oldPidFile);
    } catch (error) {
      this.log.log('alert', `rename() ${this.pidFile} to ${this.oldPidFile} failed (${(error as NodeJS.ErrnoException).code}) before executing new binary process "${argv0}"`);
      return;
    }
    const child = spawnNewBinary(this.listeners);
    if (child.pid === undefined) {
      child.on('error', (error) => this.log.log('alert', `execve() failed while executing new binary process "${argv0}" (${error.message})`));
      this.renameBack(`after an attempt to execute new binary process "${argv0}"`);
      return;
    }
    this.log.log('notice', `start new binary process ${child.pid}`);
    this.newBinary = child;
    child.on('exit', (code, signal) => this.reapNewBinary(child, code, signal));
  }

  private reapNewBinary(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.logExit('new binary process', child.pid!, code, signal);
    this.renameBack(`after the new binary process "${process.argv[1]}" exited`);
    this.newBinary = undefined;
    if (this.noaccepting && !this.quitting && !this.terminating) {
      // nginx's ngx_restart: the old master serves again on its own.
      this.noaccepting = false;
      this.startWorkers();
    }
  }

  private renameBack(when: string): void {
    try {
      renameSync(this.oldPidFile, this.pidFile);
    } catch (error) {
      this.log.log('alert', `rename() ${this.oldPidFile} back to ${this.pidFile} failed (${(error as NodeJS.ErrnoException).code}) ${when}`);
    }
  }

  private stopAccepting(): void {
    if (!this.setup.daemonized) {
      // nginx in the foreground takes WINCH for a terminal resize, not for an order.
      this.log.log('notice', signalLine('SIGWINCH'));
      return;
    }
    this.log.log('notice', signalLine('SIGWINCH', 'stop accepting connections'));
    if (this.quitting || this.terminating) return;
    this.noaccepting = true;
    this.tellWorkers('quit', 'SIGQUIT');
  }

  private quit(): void {
    this.log.log('notice', signalLine('SIGQUIT', 'shutting down'));
    this.quitting = true;
    this.tellWorkers('quit', 'SIGQUIT');
    // The master's copies go at once; the workers' own copies go as each one stops accepting.
    this.closeListeners();
    if (this.workers.size === 0) this.exit();
  }

  private terminate(signal: 'SIGTERM' | 'SIGINT'): void {
    this.log.log('notice', signalLine(signal, 'exiting'));
    if (this.terminating) return;
    this.terminating = true;
    this.tellWorkers('terminate', 'SIGTERM');
    if (this.workers.size === 0) return this.exit();
    setTimeout(() => {
      for (const worker of this.workers.values()) worker.child.kill('SIGKILL');
    }, TERMINATE_GRACE_MS).unref();
  }

  private closeListeners(): void {
    for (const l of this.listeners) closeQuietly(l.fd);
    this.listeners = [];
  }

  /** nginx's ngx_master_process_exit: the pid file (.oldbin while a new binary runs) goes, then the master. */
  private exit(): never {
    rmSync(this.newBinary ? this.oldPidFile : this.pidFile, { force: true });
    this.log.log('notice', 'exit');
    this.closeListeners();
    process.exit(0);
  }
}

function closeQuietly(fd: number): void {
  try {
    sys.close(fd);
  } catch {
    // already closed
  }
}

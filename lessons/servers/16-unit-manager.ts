// Lesson 16: NOT systemd, NOT pm2 — a small stand-in service manager that follows their documented rules,
// because neither runs here: systemd needs to be PID 1; pm2 is not a dependency of the tutor.
// It implements exactly what the lesson teaches, and nothing it does not:
//
// UNIT_TYPE=simple (systemd.service(5), Type=simple): the process ExecStart= forks off is the main process
//   and the unit is active at once. When the main process exits the service is finished (RemainAfterExit=no,
//   the default), so the unit is stopped: "any processes remaining for it are terminated according to the
//   KillMode= setting" (systemd.service(5), ExecStop=). KillMode=control-group, the default (systemd.kill(5)):
//   every remaining process of the unit gets SIGTERM (KillSignal=), and whatever remains after TimeoutStopSec=
//   gets SIGKILL. The unit's processes are what its control group holds. A control group cannot be made
//   here portably, so this manager is a child subreaper (prctl(PR_SET_CHILD_SUBREAPER)): a process orphaned
//   inside the service is re-parented to it instead of init, so "every descendant of the manager" is the
//   same set the cgroup would hold — a double fork does not escape either.
// UNIT_TYPE=notify (Type=notify): the unit is active once READY=1 arrives on the datagram socket named by
//   NOTIFY_SOCKET (sd_notify(3)); MAINPID=<pid> makes that process the main process, and is accepted only
//   when the pid belongs to the service (systemd's service_notify_message() refuses a foreign one unless the
//   sender's uid is 0; this stand-in refuses it whoever sent it). STOPPING=1 says the service is beginning
//   its shutdown (logged; the stand-in does not act on it). Notifications queued before a process's exit are
//   read before its exit is handled, as systemd does (src/core/manager.c: "Process notification messages a
//   bit earlier than SIGCHLD"): a successor's MAINPID= sent before its predecessor exits is never lost to
//   that race. Only the MAIN process's exit stops the unit (service_enter_running(): main process gone,
//   RemainAfterExit=no → service_enter_stop); any other process of the service may come and go.
// NOTIFY_ACCESS=none|main|exec|all (NotifyAccess=; systemd's default for Type=notify is main, and so is this
//   stand-in's). Who sent a datagram is what the kernel says: SO_PASSCRED on the socket, and with each
//   datagram an SCM_CREDENTIALS message, struct ucred { pid, uid, gid }, as systemd's manager reads them.
//   The rules are systemd's service_notify_message_authorized() (src/core/service.c, systemd/systemd at
//   000d658296a8): all accepts every sender; main only the main pid, and a message from any other pid is
//   dropped whole — its MAINPID= and READY=1 alike — and logged (at debug level) as "Got notification
//   message from PID %d, but reception only permitted for main PID %d"; exec also admits the control
//   process (ExecStartPre= and the like), which this stand-in never runs, so exec acts as main here; none
//   drops everything with the warning "Got notification message from PID %d, but reception is disabled".
//   (systemd first finds the sender's unit by its cgroup; this stand-in has one unit, and its socket sits in
//   a 0700 directory.)
// UNIT_TYPE=pid (pm2 7, fork mode, autorestart; lib/God.js and lib/God/ForkMode.js of pm2 7.0.4): the manager
//   tracks the one pid it started, with an IPC channel at fd 3 (ForkMode's stdio ['pipe','pipe','pipe','ipc']),
//   running the app inside lessons/servers/16-pm2-container.ts, which plays pm2's ProcessContainerFork.js.
//   States as `pm2 list` prints them: online once started, stopping, stopped, errored. When the tracked pid
//   exits, God.handleExit() starts the app again after restart_delay (default 0) and counts the restart
//   (↺). The restart is unstable only when the app was created less than min_uptime × max_restarts ago
//   (1000 ms × 16: its first 16 s) and this process lived less than min_uptime; max_restarts unstable
//   restarts mark it errored, and it is not started again. pm2's defaults are used as they are. Not a
//   subreaper: like pm2's daemon it sees only its own child. A stop (God.stopProcessId → killProcess)
//   sends SIGINT to the tracked process and its current descendants (lib/TreeKill.js), then SIGKILL after
//   kill_timeout (1600 ms).
//
// LISTEN_STREAM=127.0.0.1:0 (a .socket unit, ListenStream=): the manager binds the socket itself, keeps its
// own copy, and hands it to ExecStart= at fd 3 with LISTEN_FDS=1 and LISTEN_PID=<its pid> (sd_listen_fds(3)).
//
// Control: SIGHUP = `systemctl reload` (ExecReload=/bin/kill -USR2 $MAINPID); SIGTERM = `systemctl stop`,
// then this manager exits. What it does is appended as JSON lines to REPORT_FILE (the lesson logs them).
// Environment: UNIT_TYPE, MIN_UPTIME_MS, MAX_RESTARTS (pm2's min_uptime, max_restarts), NOTIFY_ACCESS, EXEC_START (a JSON argv), LISTEN_STREAM, TIMEOUT_STOP_MS, REPORT_FILE.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../src/demo/marker.js';
import * as sys from '../../src/sys/index.js';
import { report } from './13-common.js';

type UnitType = 'simple' | 'notify' | 'pid';
const type = process.env.UNIT_TYPE as UnitType;
if (!['simple', 'notify', 'pid'].includes(type)) throw new Error(`UNIT_TYPE must be simple, notify or pid, not ${String(type)}`);
type NotifyAccess = 'none' | 'main' | 'exec' | 'all';
const notifyAccess = (process.env.NOTIFY_ACCESS || 'main') as NotifyAccess;
if (!['none', 'main', 'exec', 'all'].includes(notifyAccess)) throw new Error(`NOTIFY_ACCESS must be none, main, exec or all, not ${notifyAccess}`);
const execStart = JSON.parse(process.env.EXEC_START ?? '[]') as string[];
const stopTimeoutMs = Number(process.env.TIMEOUT_STOP_MS || 1500);
const TICK_MS = 20;
// pm2's defaults; min_uptime and max_restarts are options of an app in pm2 too (the stand-in's test sets them).
const PM2 = { restartDelayMs: 0, minUptimeMs: Number(process.env.MIN_UPTIME_MS || 1000), maxRestarts: Number(process.env.MAX_RESTARTS || 16), killTimeoutMs: 1600 };

const unit = (kind: string, fields: Record<string, unknown> = {}) => report('unit', { kind, type, ...fields });

// ---- the service's processes: every descendant of this manager, but for helpers it had before ExecStart
// (run from TypeScript sources, tsx's esbuild service is a child of this process: it is not the service's).

function childrenOf(pid: number): number[] {
  const pids: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return pids; // gone
  }
  for (const tid of tasks) {
    try {
      pids.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ').filter(Boolean).map(Number));
    } catch {
      // the thread ended meanwhile
    }
  }
  return pids;
}

const helpers = new Set(childrenOf(process.pid));

/** The processes of the service (what its control group would hold), live ones only, zombies left out. */
function serviceProcesses(root = process.pid): number[] {
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of childrenOf(pid)) {
      if (pid === root && helpers.has(child)) continue;
      if (isAlive(child)) found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

// ---- state

// systemd's states; for type pid, pm2's: online, stopping, stopped, errored.
let state: 'activating' | 'active' | 'deactivating' | 'inactive' | 'online' | 'stopping' | 'stopped' | 'errored' = 'activating';
let mainPid = 0;
let main: ChildProcess | null = null;
let stopping = false;
let restarts = 0;
let unstableRestarts = 0;
let createdAt = 0;
let notifyFd = -1;
let notifyDir = '';
let listenFd = -1;

/** `why` is a key the lesson words in both languages: forked, ready, main-exited, stop, unstable. */
function setState(next: typeof state, why: string): void {
  if (next === state) return;
  state = next;
  unit('state', { state, mainPid, why, restarts, unstableRestarts, minUptimeMs: PM2.minUptimeMs, maxRestarts: PM2.maxRestarts });
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  if (pids.length === 0) return;
  unit('kill', { signal, pids });
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** KillMode=control-group: SIGTERM to every process of the unit, SIGKILL to what remains after the timeout. */
async function stopUnit(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  setState(type === 'pid' ? 'stopping' : 'deactivating', why);
  const members = () => (type === 'pid' ? (mainAlive() ? [mainPid, ...serviceProcesses(mainPid)] : []) : serviceProcesses());
  signalAll(members(), type === 'pid' ? 'SIGINT' : 'SIGTERM');
  const deadline = Date.now() + (type === 'pid' ? PM2.killTimeoutMs : stopTimeoutMs);
  while (members().length > 0 && Date.now() < deadline) await sleep(TICK_MS);
  signalAll(members(), 'SIGKILL');
  while (members().length > 0) await sleep(TICK_MS);
  setState(type === 'pid' ? 'stopped' : 'inactive', why);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mainAlive = () => mainPid > 0 && isAlive(mainPid);

// ---- NOTIFY_SOCKET (Type=notify)

/** A unix datagram socket in a private 0700 directory (mkdtemp's mode): only this user can reach it. */
function openNotifySocket(): string {
  notifyDir = mkdtempSync(join(process.cwd(), 'notify-'));
  const path = join(notifyDir, 'notify');
  notifyFd = sys.socket(sys.AF_UNIX, sys.SOCK_DGRAM | sys.SOCK_NONBLOCK | sys.SOCK_CLOEXEC);
  // Set before anyone can send: a datagram queued without SO_PASSCRED carries no credentials.
  sys.setsockoptInt(notifyFd, sys.SOL_SOCKET, sys.SO_PASSCRED, 1);
  sys.bind(notifyFd, { family: 'unix', path });
  return path;
}

/** service_notify_message_authorized(): may `sender` notify? A refusal is reported in systemd's words. */
function authorized(sender: number): boolean {
  if (notifyAccess === 'all') return true;
  if (notifyAccess === 'none') {
    unit('notify-refused', { subject: sender, access: notifyAccess, text: `Got notification message from PID ${sender}, but reception is disabled` });
    return false;
  }
  if (sender === mainPid) return true;
  unit('notify-refused', { subject: sender, mainPid, access: notifyAccess, text: `Got notification message from PID ${sender}, but reception only permitted for main PID ${mainPid}` });
  return false;
}

function readNotifications(): void {
  if (notifyFd === -1) return;
  while (sys.pollOne(notifyFd, sys.POLLIN, 0) & sys.POLLIN) {
    const { data, credentials } = sys.recvWithCredentials(notifyFd, 4096);
    const text = data.toString();
    // systemd (src/core/manager.c, manager_dispatch_notify_fd()): "Received notify message without valid
    // credentials. Ignoring." Not expected here (SO_PASSCRED is set before bind), but a message nobody can
    // be held to is never acted upon.
    if (!credentials || credentials.pid <= 0) {
      unit('notify-refused', { subject: 0, text: 'Received notify message without valid credentials. Ignoring.' });
      continue;
    }
    unit('notify', { text, sender: credentials.pid, uid: credentials.uid });
    if (!authorized(credentials.pid)) continue;
    const fields = new Map(text.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    const pid = Number(fields.get('MAINPID'));
    if (fields.has('MAINPID') && pid !== mainPid) {
      if (Number.isInteger(pid) && serviceProcesses().includes(pid)) {
        unit('main-pid', { subject: pid, was: mainPid });
        mainPid = pid;
      } else unit('main-pid-refused', { subject: pid });
    }
    if (fields.get('READY') === '1' && state === 'activating') setState('active', 'ready');
    if (fields.get('STOPPING') === '1') unit('stopping', { subject: mainPid });
  }
}

// ---- exits: the one child libuv spawned is reaped by libuv; orphans re-parented here are reaped here

function onExit(pid: number, code: number | null, signal: string | null): void {
  readNotifications();
  const isMain = pid === mainPid;
  unit('exit', { subject: pid, code, signal, main: isMain });
  if (!isMain || stopping) return;
  if (type === 'pid') void restartApp(code);
  // Type=simple and Type=notify alike: the main process is gone, so the service is.
  else void stopUnit('main-exited');
}

function reapOrphans(): void {
  if (type === 'pid') return; // not a subreaper: orphans are not ours
  for (;;) {
    const peek = sys.peekExitedChild();
    if (peek.state !== 'exited' || peek.pid === main?.pid || helpers.has(peek.pid)) return;
    sys.reapChild(peek.pid);
    const name = peek.signal === null ? null : (Object.entries(constants.signals).find(([, n]) => n === peek.signal)?.[0] ?? String(peek.signal));
    onExit(peek.pid, peek.code, name);
  }
}

let startedAt = 0;
/** God.handleExit(): every restart counts (↺); an unstable one only in the app's first min_uptime × max_restarts. */
async function restartApp(code: number | null): Promise<void> {
  const now = Date.now();
  if (now - createdAt < PM2.minUptimeMs * PM2.maxRestarts && now - startedAt < PM2.minUptimeMs) unstableRestarts += 1;
  if (unstableRestarts >= PM2.maxRestarts) {
    setState('errored', 'unstable');
    return;
  }
  state = 'stopped'; // handleExit sets it, and executeApp sets online again: pm2 logs no state line for it
  restarts += 1;
  unit('restart', { count: restarts, code, unstableRestarts, uptimeMs: now - startedAt });
  await sleep(PM2.restartDelayMs);
  if (!stopping) startMain();
}

// ---- ExecStart=

function startMain(): void {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['UNIT_TYPE', 'MIN_UPTIME_MS', 'MAX_RESTARTS', 'NOTIFY_ACCESS', 'EXEC_START', 'LISTEN_STREAM', 'TIMEOUT_STOP_MS', 'NOTIFY_SOCKET', 'LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES']) delete env[key];
  if (type === 'notify') env.NOTIFY_SOCKET = join(notifyDir, 'notify');
  let [file, ...args] = execStart;
  const stdio: Array<'ignore' | 'ipc' | number> = ['ignore', 'ignore', 'ignore'];
  if (type === 'pid') stdio.push('ipc'); // pm2's channel to the daemon, at fd 3
  if (listenFd !== -1) {
    env.LISTEN_FDS = '1';
    // LISTEN_PID must be the pid of the process that runs ExecStart: known only in the child, so a shell
    // sets it and execs the command in the same process.
    [file, args] = ['/bin/sh', ['-c', 'LISTEN_PID=$$ exec "$0" "$@"', file, ...args]];
    stdio.push(listenFd);
  }
  main = spawn(file, args, { env, stdio });
  const child = main;
  mainPid = child.pid ?? 0;
  startedAt = Date.now();
  createdAt ||= startedAt;
  child.once('exit', (code, signal) => onExit(child.pid!, code, signal));
  child.once('error', (error) => unit('error', { text: error.message }));
  unit('started', { subject: mainPid, notifySocket: env.NOTIFY_SOCKET ?? null, listenFd: listenFd === -1 ? null : 3 });
  if (type === 'pid') setState('online', 'forked');
  else if (type !== 'notify') setState('active', 'forked');
  else unit('state', { state, mainPid, why: 'waiting' });
}

// ---- start

unit('standin', type === 'notify' ? { notifyAccess } : {});
if (type !== 'pid') sys.setChildSubreaper(true);
if (type === 'notify') openNotifySocket();
if (process.env.LISTEN_STREAM) {
  const [address, port] = process.env.LISTEN_STREAM.split(':');
  listenFd = sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC);
  sys.bind(listenFd, { family: 'inet', address, port: Number(port) });
  sys.listen(listenFd, 511);
  const bound = sys.getsockname(listenFd);
  unit('socket', { fd: listenFd, port: bound.family === 'inet' ? bound.port : null });
}
startMain();

const timer = setInterval(() => {
  readNotifications();
  reapOrphans();
}, TICK_MS);

process.on('SIGHUP', () => {
  // ExecReload=/bin/kill -USR2 $MAINPID
  unit('reload', { subject: mainPid });
  if (mainAlive()) process.kill(mainPid, 'SIGUSR2');
});
process.on('SIGTERM', () => {
  void stopUnit('stop').then(() => {
    clearInterval(timer);
    if (notifyFd !== -1) sys.close(notifyFd);
    if (notifyDir) rmSync(notifyDir, { recursive: true, force: true });
    process.exit(0);
  });
});

// What a process learns from its environment at start-up: the listeners it inherited (systemd's
// LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES, so a server started by systemd socket activation works too)
// and the module's own variables (readiness pipe, handoff channel, unix handover path, generation).
//
// The variables are read once and deleted from process.env, as sd_listen_fds(unset_environment=1) does:
// a child the server starts later (a worker, a shell command) must not believe the fds are its own.
// LISTEN_PID guards against the same mistake from the other side: a process whose LISTEN_PID is not its
// own pid ignores every variable here, because they were meant for some other process.
import { F_GETFD } from './sys/constants.js';
import { fcntl, setCloseOnExec } from './sys/fd.js';

/** The first inherited fd, as in systemd: 0, 1 and 2 are stdio. */
export const LISTEN_FDS_START = 3;

export const ENV = {
  listenFds: 'LISTEN_FDS',
  listenPid: 'LISTEN_PID',
  listenFdNames: 'LISTEN_FDNAMES',
  /** fd of the pipe's write end on which the successor reports readiness. */
  readyFd: 'HOTRESTART_READY_FD',
  /** fd of the socketpair end on which the successor receives idle connections. */
  handoffFd: 'HOTRESTART_HANDOFF_FD',
  /** Path of the unix socket that hands over the listeners when handover is 'unix'. */
  handoverSocket: 'HOTRESTART_HANDOVER_SOCKET',
  /** 1 for a process nobody upgraded from, then +1 for each successor. */
  generation: 'HOTRESTART_GENERATION',
  /** The predecessor's pid, for log lines. */
  parentPid: 'HOTRESTART_PARENT_PID',
} as const;

export interface InheritedFd {
  fd: number;
  /** The LISTEN_FDNAMES entry, or 'unknown' (systemd's own default) when there is none. */
  name: string;
}

export interface Inheritance {
  listenFds: InheritedFd[];
  readyFd: number | null;
  handoffFd: number | null;
  handoverSocket: string | null;
  generation: number;
  parentPid: number | null;
  /** Why the variables were ignored, for one log line; undefined when they were used or absent. */
  ignored?: string;
}

/** Reads the inheritance variables for process `pid`, then deletes them all from `env`. */
export function takeInheritance(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): Inheritance {
  const raw = Object.fromEntries(Object.values(ENV).map((key) => [key, env[key]])) as Record<string, string | undefined>;
  for (const key of Object.values(ENV)) delete env[key];
  const none: Inheritance = { listenFds: [], readyFd: null, handoffFd: null, handoverSocket: null, generation: 1, parentPid: null };

  const listenPid = raw[ENV.listenPid];
  if (listenPid === undefined) {
    return raw[ENV.listenFds] !== undefined ? { ...none, ignored: 'LISTEN_FDS is set without LISTEN_PID' } : none;
  }
  if (Number(listenPid) !== pid) {
    return { ...none, ignored: `LISTEN_PID=${listenPid} is not this process (pid ${pid})` };
  }

  const count = Number(raw[ENV.listenFds] ?? '0');
  if (!Number.isInteger(count) || count < 0) return { ...none, ignored: `LISTEN_FDS=${raw[ENV.listenFds]} is not a count` };
  const names = raw[ENV.listenFdNames]?.split(':') ?? [];
  const listenFds: InheritedFd[] = [];
  for (let i = 0; i < count; i++) {
    const fd = LISTEN_FDS_START + i;
    if (!isOpen(fd)) return { ...none, ignored: `LISTEN_FDS=${count} but fd ${fd} is not open` };
    listenFds.push({ fd, name: names[i] || 'unknown' });
  }
  const readyFd = optionalFd(raw[ENV.readyFd]);
  const handoffFd = optionalFd(raw[ENV.handoffFd]);
  // Node already marks inherited fds close-on-exec at start-up; saying so again costs nothing and keeps a
  // listener from leaking into whatever the server spawns (a leaked listener keeps its port open).
  for (const fd of [...listenFds.map((entry) => entry.fd), readyFd, handoffFd]) if (fd !== null) setCloseOnExec(fd, true);
  const generation = Number(raw[ENV.generation]);
  const parentPid = Number(raw[ENV.parentPid]);
  return {
    listenFds,
    readyFd,
    handoffFd,
    handoverSocket: raw[ENV.handoverSocket] || null,
    generation: Number.isInteger(generation) && generation > 0 ? generation : 1,
    parentPid: Number.isInteger(parentPid) && parentPid > 0 ? parentPid : null,
  };
}

export interface SuccessorEnvInput {
  names: string[];
  readyFd: number;
  handoffFd: number | null;
  handoverSocket: string | null;
  generation: number;
}

/**
 * The successor's environment: ours, plus the inheritance variables. LISTEN_PID is left out on purpose:
 * only the successor knows its pid, so the shell that execs it sets the variable (see spawn.ts).
 */
export function successorEnv(base: NodeJS.ProcessEnv, input: SuccessorEnvInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of Object.values(ENV)) delete env[key];
  env[ENV.listenFds] = String(input.names.length);
  if (input.names.length > 0) env[ENV.listenFdNames] = input.names.join(':');
  env[ENV.readyFd] = String(input.readyFd);
  if (input.handoffFd !== null) env[ENV.handoffFd] = String(input.handoffFd);
  if (input.handoverSocket !== null) env[ENV.handoverSocket] = input.handoverSocket;
  env[ENV.generation] = String(input.generation);
  env[ENV.parentPid] = String(process.pid);
  return env;
}

/** systemd's rule for names: no ':' (the separator), printable, at most 255 characters. */
export function checkListenerName(name: string): void {
  if (!/^[\x21-\x39\x3b-\x7e]{1,255}$/.test(name)) {
    throw new Error(`listener name ${JSON.stringify(name)} must be 1 to 255 printable characters without ':' or spaces`);
  }
}

function optionalFd(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const fd = Number(text);
  return Number.isInteger(fd) && fd >= LISTEN_FDS_START && isOpen(fd) ? fd : null;
}

function isOpen(fd: number): boolean {
  try {
    fcntl(fd, F_GETFD);
    return true;
  } catch {
    return false;
  }
}

// The LessonContext a lesson's functions receive: a thin layer over the supervisor that names
// processes, logs every syscall line a puppet reports, and takes fd-table snapshots of the lesson's
// processes. It is the only place where lesson code touches processes.
import { readFileSync } from 'node:fs';
import { snapshot as takeSnapshot } from '../fdtable/index.js';
import { ENV } from '../demo/run.js';
import type { Snapshot } from '../fdtable/model.js';
import type { OkReply, PuppetOp, PuppetReply, PuppetRequest } from '../demo/protocol.js';
import type { PuppetHandle, SupervisorApi } from '../demo/types.js';
import { createDisplayLetters } from './display-letters.js';
import { pick } from './i18n.js';
import { isNodePlumbing } from './observe.js';
import { DEMO_STOPPED, LessonActionError, type Lang, type LessonContext, type LogEntry, type Text } from './types.js';

export interface ContextOptions {
  supervisor: SupervisorApi;
  lang: Lang;
  /** The player's own stop (the learner left the step, the lesson ended). The context's signal is also
   *  aborted when the supervisor begins to stop, whoever stopped it: a signal's cleanup stops the run under
   *  a step that is still running, and the lesson must not go on to start a build or a process after it. */
  signal: AbortSignal;
  onLog: (entry: LogEntry) => void;
  /** The longest any ctx.until may wait now, asked at each call (negative controls, src/lesson/control.ts:
   *  a check waiting for what a skipped action would have done need not wait its full time to fail). */
  waitCapMs?: () => number;
}

export function createLessonContext({ supervisor, lang, signal: playerSignal, onLog, waitCapMs }: ContextOptions): LessonContext {
  const signal = eitherAborts(playerSignal, supervisor.stopped);
  const startedAt = Date.now();
  const namesByPid = new Map<number, string>();
  const vars: Record<string, any> = {};
  let previous: Snapshot | undefined;
  const reletter = createDisplayLetters();

  const log = (text: Text | string, kind: LogEntry['kind'] = 'event', source = 'tutor') => {
    onLog({ at: Date.now() - startedAt, source, kind, text: typeof text === 'string' ? text : pick(text, lang) });
  };

  const checkAborted = () => {
    if (signal.aborted) throw new LessonActionError(DEMO_STOPPED);
  };

  // What each process had open when it joined the lesson: Node's own plumbing, hidden by default.
  // Internet sockets are never counted (a successor may be born holding the listener at fd 3).
  const baseline = new Set<string>();
  const plumbingKey = (pid: number, fd: number, inode: number | null) => `${pid}:${fd}:${inode}`;
  const remember = (handle: PuppetHandle) => {
    namesByPid.set(handle.pid, handle.name);
    const handedDown = declaredFds(handle.pid);
    for (const row of takeSnapshot([handle.pid]).rows) {
      if (!['TCP', 'TCP6', 'UDP', 'UDP6'].includes(row.type) && !handedDown.has(row.fd)) baseline.add(plumbingKey(row.pid, row.fd, row.inode));
    }
    return handle;
  };

  const handleOf = (name: string): PuppetHandle => {
    const handle = supervisor.puppet(name);
    if (!handle) throw new LessonActionError({ en: `no demo process named ${name} is running`, zh: `没有名为 ${name} 的演示进程在运行` });
    return handle;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new LessonActionError(DEMO_STOPPED));
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new LessonActionError(DEMO_STOPPED));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });

  // One scan of /proc for the run's processes per call: it finds children that puppets started and
  // nobody named yet. Named processes are resolved from what the lesson already knows.
  const pidsOf = (names: string[] | undefined, all: number[]): number[] => {
    if (!names || names.includes('*')) return [...all.filter((pid) => namesByPid.has(pid)), ...all.filter((pid) => !namesByPid.has(pid))];
    return names.map((name) => [...namesByPid].find(([, n]) => n === name)?.[0]).filter((pid): pid is number => pid !== undefined);
  };

  const ctx: LessonContext = {
    lang,
    signal,
    supervisor,
    vars,
    async start(name, env) {
      checkAborted();
      const handle = remember(await supervisor.spawnPuppet(name, { env }));
      log({ en: `started ${name} (pid ${handle.pid})`, zh: `已启动 ${name}（pid ${handle.pid}）` }, 'event', name);
      return handle;
    },
    async call<K extends PuppetOp>(name: string, request: PuppetRequest & { op: K }, options: { allowFail?: boolean } = {}) {
      checkAborted();
      const reply: PuppetReply<K> = await handleOf(name).call<K>(request);
      for (const line of reply.lines) log(line, 'syscall', name);
      if (!reply.ok) {
        if (reply.error && reply.lines.length === 0) log(reply.error, 'error', name);
        if (!options.allowFail) throw new LessonActionError(reply.error ?? { en: `${request.op} failed in ${name}`, zh: `${request.op} 在 ${name} 中失败了` });
      }
      // One body for both overloads: without allowFail only a success gets here; with it the overload
      // declares the whole PuppetReply<K>, failures included.
      return reply as OkReply<K>;
    },
    async waitFor(name, timeoutMs) {
      checkAborted();
      const handle = remember(await supervisor.waitForPuppet(name, timeoutMs));
      log({ en: `${name} is up (pid ${handle.pid})`, zh: `${name} 已就绪（pid ${handle.pid}）` }, 'event', name);
      return handle;
    },
    name(pid, name) {
      namesByPid.set(pid, name);
    },
    pid(name) {
      const entry = [...namesByPid].find(([, n]) => n === name);
      if (!entry) throw new LessonActionError({ en: `no demo process named ${name}`, zh: `没有名为 ${name} 的演示进程` });
      return entry[0];
    },
    names: () => new Map(namesByPid),
    isPlumbing: (row) => baseline.has(plumbingKey(row.pid, row.fd, row.inode)),
    log,
    // Every snapshot covers all of the lesson's processes and continues the previous one, so a
    // description keeps its letter for the whole lesson and letters compare across processes and
    // across calls (checks and tables alike: both read letters from here); the rows are then narrowed
    // to the processes asked for. Letters are the lesson's own (display-letters.ts): A, B… as shown.
    snapshot(names) {
      const live = supervisor.pids();
      const all = takeSnapshot(pidsOf(undefined, live), { previous });
      previous = all;
      const wanted = new Set(pidsOf(names, live));
      const lettered = reletter(all, (row) => {
        if (!namesByPid.has(row.pid)) return 'later';
        if (isNodePlumbing(row, ctx)) return 'hidden';
        return wanted.has(row.pid) ? 'shown' : 'later';
      });
      const narrowed = { ...lettered, processes: lettered.processes.filter((p) => wanted.has(p.pid)), rows: lettered.rows.filter((r) => wanted.has(r.pid)) };
      return labelSnapshot(narrowed, namesByPid);
    },
    row(name, fd) {
      const pid = ctx.pid(name);
      return ctx.snapshot([name]).rows.find((r) => r.pid === pid && r.fd === fd);
    },
    async until(probe, timeoutMs = 3000, intervalMs = 25) {
      const deadline = Date.now() + Math.min(timeoutMs, waitCapMs?.() ?? Infinity);
      let value = await probe();
      while (!value && Date.now() < deadline) {
        await sleep(intervalMs);
        value = await probe();
      }
      return value;
    },
    sleep,
    t: (text) => pick(text, lang),
  };
  return ctx;
}

/** The fds a puppet's spawner handed down on purpose (HOTRESTART_TUTOR_FDS): lesson fds, never plumbing. */
function declaredFds(pid: number): Set<number> {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
    const entry = environ.find((e) => e.startsWith(`${ENV.fds}=`));
    return new Set((entry?.slice(ENV.fds.length + 1) ?? '').split(',').filter(Boolean).map(Number));
  } catch {
    return new Set();
  }
}

/** Shows lesson names (p1, old, new) instead of "node" in the COMMAND column and in unix peer names. */
export function labelSnapshot(snap: Snapshot, names: Map<number, string>): Snapshot {
  if (names.size === 0) return snap;
  const label = (pid: number, command: string | null) => names.get(pid) ?? command ?? '?';
  const peer = (name: string) => name.replace(/-> (\S+) (\d+) fd (\d+)$/, (_, command: string, pid: string, fd: string) => `-> ${label(Number(pid), command)} ${pid} fd ${fd}`);
  return {
    ...snap,
    processes: snap.processes.map((p) => ({ ...p, command: label(p.pid, p.command) })),
    rows: snap.rows.map((r) => ({ ...r, command: label(r.pid, r.command), name: r.type === 'UNIX' ? peer(r.name) : r.name })),
  };
}

/** A signal aborted when either is (AbortSignal.any is Node 20.3+; the tutor runs on every Node 20). */
function eitherAborts(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (a.aborted) return a;
  if (b.aborted) return b;
  const both = new AbortController();
  const abort = () => both.abort();
  a.addEventListener('abort', abort, { once: true });
  b.addEventListener('abort', abort, { once: true });
  return both.signal;
}

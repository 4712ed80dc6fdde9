// Lesson 17's machinery: making a PID namespace (as root, else in a user namespace, else saying why not),
// finding the processes inside one from outside (/proc/PID/ns/pid names the namespace, NSpid gives a
// process's pid at every level: "NSpid: 48213 1" is pid 48213 here and pid 1 inside), following the
// reports of servers whose pids are namespace pids, and the log hotrestart-run writes on its stderr.
// Every process is started by the lesson's shell puppet, so each carries the run marker and the
// supervisor's cleanup ends it (killing a namespace's PID 1 ends the whole namespace).
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RUN_MARKER } from '../src/demo/sweep.mjs';
import { ReportFile, type ServerReport } from '../src/lesson/demo-servers.js';
import { LessonActionError, type CheckResult, type LessonContext, type Text } from '../src/lesson/types.js';

const PID_NS = ['--pid', '--fork', '--mount-proc'];
const USER_NS = ['--user', '--map-root-user'];

/** How this machine lets the tutor make a PID namespace: the unshare(1) flags, or why it cannot. */
export type NamespaceMode = { flags: string[]; user: boolean } | { reason: string };

/** Tries `unshare --pid --fork --mount-proc true`, then the same in a new user namespace (no root needed). */
export async function probeNamespace(ctx: LessonContext): Promise<NamespaceMode> {
  const reasons: string[] = [];
  for (const flags of [PID_NS, [...USER_NS, ...PID_NS]]) {
    const outcome = await run(ctx, 'unshare', [...flags, 'true']);
    if (outcome.ok) return { flags, user: flags !== PID_NS };
    reasons.push(`unshare ${flags.join(' ')}: ${outcome.error}`);
    if (outcome.error === 'no unshare(1)') break;
  }
  return { reason: reasons.join('; ') };
}

/** A short command run by the tutor itself, with the run marker, waited for; never rejects. */
export async function run(ctx: LessonContext, file: string, args: string[]): Promise<{ ok: boolean; stdout: string; error: string }> {
  try {
    const env = { ...process.env, [RUN_MARKER]: ctx.supervisor.runId };
    const { stdout } = await promisify(execFile)(file, args, { timeout: 5000, signal: ctx.signal, env });
    return { ok: true, stdout: stdout.trim(), error: '' };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    const error1 = failure.code === 'ENOENT' ? `no ${file}(1)` : (String(failure.stderr ?? '').trim().split('\n')[0] || failure.message);
    return { ok: false, stdout: '', error: error1 };
  }
}

/**
 * Starts a program from the tutor itself (with the run marker), for when its exit status is the evidence:
 * `unshare --fork` exits with its child's status. Resolves `exited` with code and signal; never rejects.
 */
export function startWaited(ctx: LessonContext, command: string[], env: Record<string, string>): { pid: number; exited: Promise<{ code: number | null; signal: string | null }> } {
  const child = spawn(command[0], command.slice(1), { stdio: 'ignore', env: { ...process.env, ...env, [RUN_MARKER]: ctx.supervisor.runId }, signal: ctx.signal });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  return { pid: child.pid ?? 0, exited };
}

/** The PID namespace of a process (`pid:[4026532178]`), or undefined once it is gone. */
export function namespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** The NSpid line of /proc/PID/status: the pid in this namespace first, then in each nested one. */
export function nsPids(pid: number): number[] | undefined {
  try {
    const line = /^NSpid:\s+(.+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
    return line?.trim().split(/\s+/).map(Number);
  } catch {
    return undefined;
  }
}

/** The pid a process has inside its own namespace (the last NSpid field). */
export const innerPid = (pid: number) => nsPids(pid)?.at(-1);

/** `NSpid 48213 1`, for logs and check details. */
export const nsPidText = (pid: number) => `NSpid ${nsPids(pid)?.join(' ') ?? '- (gone)'}`;

/** The processes of the namespace whose init is `init` (a pid here), by their pid inside it. */
export function membersOf(init: number): Map<number, number> {
  const namespace = namespaceOf(init);
  const members = new Map<number, number>();
  if (!namespace) return members;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || namespaceOf(pid) !== namespace) continue;
    const inner = innerPid(pid);
    if (inner !== undefined) members.set(inner, pid);
  }
  return members;
}

/** The only child of `parent` (unshare forks PID 1 of its namespace), once it exists. */
export async function childOf(ctx: LessonContext, parent: number, timeoutMs = 10_000): Promise<number> {
  const child = await ctx.until(() => {
    try {
      return Number(readFileSync(`/proc/${parent}/task/${parent}/children`, 'latin1').trim().split(/\s+/)[0]) || undefined;
    } catch {
      return undefined;
    }
  }, timeoutMs);
  if (!child) throw new LessonActionError({ en: `unshare (pid ${parent}) did not fork PID 1 of its namespace within ${timeoutMs} ms`, zh: `unshare（pid ${parent}）在 ${timeoutMs} 毫秒内没有 fork 出其命名空间的 PID 1` });
  return child;
}

/**
 * Starts `command` as PID 1 of a new PID namespace, through the shell puppet's spawn op. Names unshare
 * (here) and PID 1 (`init`); returns both pids as this namespace sees them.
 */
export async function startInNamespace(
  ctx: LessonContext,
  mode: { flags: string[] },
  names: { unshare: string; init: string },
  command: string[],
  options: { env?: Record<string, string>; fds?: Record<number, number> } = {},
): Promise<{ unshare: number; init: number }> {
  const reply = await ctx.call('shell', { op: 'spawn', name: names.unshare, command: ['unshare', ...mode.flags, ...command], env: options.env, fds: options.fds });
  const unshare = reply.result.pid;
  ctx.name(unshare, names.unshare);
  const init = await childOf(ctx, unshare);
  ctx.name(init, names.init);
  ctx.log({ en: `${names.init} is pid ${init} here and pid ${innerPid(init) ?? '?'} in its namespace (${nsPidText(init)})`, zh: `${names.init} 在这里是 pid ${init}，在它的命名空间里是 pid ${innerPid(init) ?? '?'}（${nsPidText(init)}）` });
  return { unshare, init };
}

/**
 * Logs the reports of servers inside the namespace of `init()` as they arrive, each under its process's
 * name. A report carries the pid inside the namespace; the process is found here by that pid while it
 * lives (then named by `nameOf`), so a process that died before it was seen is logged as `ns pid N`.
 * Returns the pump (also run every 50 ms) and the outer pid found for each inner one.
 */
export function followNamespace(ctx: LessonContext, file: ReportFile, init: () => number | undefined, nameOf: (report: ServerReport) => string): { pump: () => void; outer: Map<number, number> } {
  const outer = new Map<number, number>();
  let logged = 0;
  const pump = () => {
    file.read();
    for (const report of file.reports.slice(logged)) {
      logged++;
      const root = init();
      if (!outer.has(report.pid) && root !== undefined) {
        const pid = membersOf(root).get(report.pid);
        if (pid !== undefined) {
          outer.set(report.pid, pid);
          ctx.name(pid, nameOf(report));
        }
      }
      const text = describe(report);
      const pid = outer.get(report.pid);
      if (text !== undefined) ctx.log(text, 'event', pid !== undefined ? (ctx.names().get(pid) ?? `pid ${pid}`) : `ns pid ${report.pid}`);
    }
  };
  const timer = setInterval(pump, 50);
  timer.unref();
  ctx.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  return { pump, outer };
}

function describe(report: ServerReport): Text | string | undefined {
  if (report.event === 'log') return String(report.text);
  if (report.event !== 'listening') return undefined;
  const [port, fd] = [String(report.port), String(report.fd)];
  return report.inherited
    ? { en: `serving 127.0.0.1:${port} on the inherited fd ${fd} (pid ${report.pid} in its namespace)`, zh: `用继承来的 fd ${fd} 在 127.0.0.1:${port} 上提供服务（在它的命名空间里是 pid ${report.pid}）` }
    : { en: `listening on 127.0.0.1:${port} (fd ${fd}; pid ${report.pid} in its namespace)`, zh: `在 127.0.0.1:${port} 上监听（fd ${fd}；在它的命名空间里是 pid ${report.pid}）` };
}

/** Follows a text file (hotrestart-run's stderr): each new whole line, to `onLine`; returns the pump. */
export function followLines(ctx: LessonContext, path: string, onLine: (line: string) => void): { pump: () => void; lines: string[] } {
  const lines: string[] = [];
  let offset = 0;
  let partial = '';
  const pump = () => {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return;
    }
    try {
      const buffer = Buffer.alloc(65536);
      let n;
      while ((n = readSync(fd, buffer, 0, buffer.length, offset)) > 0) {
        offset += n;
        partial += buffer.subarray(0, n).toString('utf8');
      }
    } finally {
      closeSync(fd);
    }
    const fresh = partial.split('\n');
    partial = fresh.pop() ?? '';
    for (const line of fresh) {
      lines.push(line);
      onLine(line);
    }
  };
  const timer = setInterval(pump, 50);
  timer.unref();
  ctx.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  return { pump, lines };
}

/** The restart package's directory, wherever the tutor runs from (sources or dist/). */
function packageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@hotrestart-tutor/restart/package.json'));
}

/** The package's example Dockerfile, shown as it is. */
export function dockerfile(): string {
  return readFileSync(join(packageDir(), 'examples', 'Dockerfile'), 'utf8').trim();
}

/** pid1.mjs, the Node program with no signal handler that step 3 runs. */
export const PID1_PROGRAM = fileURLToPath(new URL('assets/code/node/pid1.mjs', import.meta.url));

/** Whether a program is on PATH (tini, dumb-init), by looking, without running it. */
export function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    try {
      readlinkSync(join(dir, program));
      return join(dir, program);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EINVAL') return join(dir, program); // a file, not a link
    }
  }
  return undefined;
}

/** A check that cannot run without a PID namespace: ○ with the reason; else the check itself. */
export function needsNamespace(mode: NamespaceMode | undefined, check: () => CheckResult): CheckResult {
  if (mode && 'reason' in mode) return { ok: false, skipped: true, detail: mode.reason };
  return check();
}

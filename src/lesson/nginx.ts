// nginx for lessons 14 and 15: the real one (Debian's nginx-light) where installed, otherwise the project's
// stand-in (lessons/servers/mini-nginx.ts), run the same way with the same command line and config.
// The facts this module is built on are in notes/nginx-binary-upgrade.md; in short:
//  - The launcher puppet binds 127.0.0.1:0 and hands the socket to nginx at fd 3 with NGINX="3;", nginx's
//    own inheritance mechanism (the one its binary upgrade uses), so nginx binds nothing itself.
//  - With inherited sockets nginx does not daemonize, and it ignores USR2 while the process that started
//    it is still its parent. So a shell starts it in the background and waits for the PID file, then
//    exits: nginx is re-parented and takes USR2. The binary is started by absolute path, because the
//    upgrade execve()s argv[0] as given.
//  - nginx overwrites its environment with its process title, so the run marker is gone: its processes
//    are found by their cwd, the prefix directory inside the run's private directory (sweep.mjs).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeCommand } from '../demo/entry.js';
import { isAlive } from '../demo/marker.js';
import { isExecutable, onPath } from './executable.js';
import { parentOf } from './procview.js';
import { LessonActionError, type CheckResult, type LessonContext, type Text } from './types.js';

/** Set to `stand-in` to run the stand-in even where nginx is installed. */
export const NGINX_CHOICE_ENV = 'HOTRESTART_TUTOR_NGINX';

export interface NginxProgram {
  kind: 'nginx' | 'stand-in';
  /** The command before nginx's own arguments; its first word is an absolute path. */
  command: string[];
}

/** The program lessons 14 and 15 run, or undefined when neither nginx nor the stand-in is there. */
export function findNginx(env: NodeJS.ProcessEnv = process.env): NginxProgram | undefined {
  if (env[NGINX_CHOICE_ENV] !== 'stand-in') {
    const binary = ['/usr/sbin/nginx', ...onPath('nginx', env)].find(isExecutable);
    if (binary) return { kind: 'nginx', command: [binary] };
  }
  // The stand-in's source beside the lessons: .ts from the sources, .js in the built tree.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const url = new URL(`../../lessons/servers/mini-nginx${extension}`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  const { file, args } = nodeCommand(url.href);
  return { kind: 'stand-in', command: [file, ...args] };
}

/** What a step says about the program it runs: one line, in both languages. */
export function programLine(program: NginxProgram | undefined): Text {
  if (!program) return NO_NGINX;
  if (program.kind === 'nginx') return { en: `This runs the real nginx: ${program.command[0]}.`, zh: `这里运行的是真正的 nginx：${program.command[0]}。` };
  return STAND_IN;
}

const STAND_IN: Text = {
  en: 'nginx is not installed here (or HOTRESTART_TUTOR_NGINX=stand-in), so this runs mini-nginx, the project\'s own stand-in: a small Node master/worker server with nginx\'s command line and signals (USR2, WINCH, QUIT, HUP). To run the real one: apt-get install nginx-light.',
  zh: '这台机器上没有安装 nginx（或设置了 HOTRESTART_TUTOR_NGINX=stand-in），所以这里运行的是本项目自己的替身 mini-nginx：一个小小的 Node master/worker 服务，命令行和信号（USR2、WINCH、QUIT、HUP）都照 nginx 的方式。要运行真正的 nginx：apt-get install nginx-light。',
};

export const NO_NGINX: Text = {
  en: 'The stand-in (lessons/servers/mini-nginx.ts) is not available, and nginx is not installed (or HOTRESTART_TUTOR_NGINX=stand-in set it aside): this step cannot run. To run it with nginx: apt-get install nginx-light.',
  zh: '替身（lessons/servers/mini-nginx.ts）不可用，而 nginx 没有安装（或被 HOTRESTART_TUTOR_NGINX=stand-in 搁在一边）：这一步无法运行。要用 nginx 运行它：apt-get install nginx-light。',
};

/** A check's outcome when the step could not run nginx at all. */
export function noNginx(ctx: LessonContext): CheckResult {
  return { ok: false, skipped: true, detail: ctx.t({ en: 'stand-in not available', zh: '替身不可用' }) };
}

/** One answer of a single request: status, body, and the x-pid header (the worker that answered). */
export interface NginxAnswer {
  status: number;
  body: string;
  pid: number;
}

export interface NginxOptions {
  /** The prefix directory's name inside the run's private directory (e.g. 'nginx14'). */
  name: string;
  /** The puppet that binds the socket, starts nginx and sends the signals (started if not running). */
  launcher: string;
  /** What `return 200` answers. */
  text: string;
  workers?: number;
}

/** The config, in the subset the stand-in reads too: worker_processes, pid, error_log, events, access_log off, one server. */
export function nginxConf(o: { dir: string; port: number; text: string; workers: number; extra?: string }): string {
  return [
    `worker_processes ${o.workers};`,
    `pid ${join(o.dir, 'nginx.pid')};`,
    // notice: the level of nginx's lines about signals and inherited sockets.
    `error_log ${join(o.dir, 'error.log')} notice;`,
    'events {}',
    'http {',
    // Debian's nginx logs requests to /var/log/nginx/access.log by default: not ours to write to.
    '    access_log off;',
    '    server {',
    `        listen 127.0.0.1:${o.port};`,
    // One more line in the server block: the stand-in's tests put a bad directive there.
    ...(o.extra ? [`        ${o.extra}`] : []),
    '        location / {',
    '            add_header x-pid $pid;',
    `            return 200 "${o.text}";`,
    '        }',
    '    }',
    '}',
    '',
  ].join('\n');
}

/** One nginx (master, workers, and the masters its upgrades start) in a private prefix directory. */
export class Nginx {
  readonly dir: string;
  port = 0;
  /** The inode of the socket the launcher bound and handed over (read in the launcher before it closed its copy). */
  handedInode: number | null = null;
  /** Masters by pid, numbered in the order they appeared (master1, master2, ...). */
  private readonly masters = new Map<number, number>();
  private readonly workerCount = new Map<number, number>();

  constructor(
    private readonly ctx: LessonContext,
    readonly program: NginxProgram,
    private readonly options: NginxOptions,
  ) {
    this.dir = join(ctx.supervisor.dir, options.name);
  }

  get pidPath(): string {
    return join(this.dir, 'nginx.pid');
  }

  get confPath(): string {
    return join(this.dir, 'nginx.conf');
  }

  /** Writes nginx.conf answering `text`; a running master reads it again on HUP. */
  writeConf(text: string): void {
    writeFileSync(this.confPath, nginxConf({ dir: this.dir, port: this.port, text, workers: this.options.workers ?? 2 }));
  }

  /** Binds 127.0.0.1:0 in the launcher, starts nginx on it, waits for its PID file and workers. */
  async start(): Promise<number> {
    const { ctx, options } = this;
    mkdirSync(this.dir, { mode: 0o700 });
    if (!ctx.supervisor.puppet(options.launcher)) await ctx.start(options.launcher);
    const listening = await ctx.call(options.launcher, { op: 'listen', port: 0, serve: 'none' });
    this.port = listening.result.port;
    this.handedInode = ctx.row(options.launcher, listening.result.fd)?.inode ?? null;
    this.writeConf(options.text);
    const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;
    const args = [...this.program.command, '-p', `${this.dir}/`, '-c', this.confPath, '-e', join(this.dir, 'error.log')];
    // cd: every process of this nginx keeps the prefix directory as its cwd, which is how the run finds it.
    // The shell waits (10 s at most) for the PID file and exits: nginx is then no longer its starter's child.
    const script = `cd ${quote(this.dir)} && ${args.map(quote).join(' ')} >/dev/null 2>&1 & i=0; while [ ! -s ${quote(this.pidPath)} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done`;
    const shell = await ctx.call(options.launcher, { op: 'spawn', name: 'sh', command: ['/bin/sh', '-c', script], fds: { 3: listening.result.fd }, env: { NGINX: '3;' } });
    const master = await ctx.until(() => this.pidIn('nginx.pid'), 15_000, 25);
    if (!master) throw this.failure({ en: `nginx did not write ${this.pidPath}`, zh: `nginx 没有写出 ${this.pidPath}` });
    // Until its starter has exited, nginx would take a USR2 for a mistake (see above).
    await ctx.until(() => parentOf(master) !== shell.result.pid, 5000, 10);
    // From now on only nginx holds the socket, as when systemd hands one over and steps aside.
    await ctx.call(options.launcher, { op: 'close', fd: listening.result.fd });
    await this.settle(master, options.workers ?? 2);
    return master;
  }

  /** The pid in the PID file `name` (nginx.pid or nginx.pid.oldbin), if it exists and names a live process. */
  pidIn(name: 'nginx.pid' | 'nginx.pid.oldbin'): number | undefined {
    const text = this.fileText(name);
    const pid = Number(text?.trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  }

  /** A file of the prefix directory, or undefined when it does not exist. */
  fileText(name: string): string | undefined {
    try {
      return readFileSync(join(this.dir, name), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** `nginx.pid: 1234 · nginx.pid.oldbin: (none)`: what the PID files hold now. */
  pidFilesText(): string {
    const one = (name: string) => `${name}: ${this.fileText(name)?.trim() || '—'}`;
    return `${one('nginx.pid')} · ${one('nginx.pid.oldbin')}`;
  }

  /** A step's failure, with the last line of error.log (nginx's own words) after it. */
  private failure(text: Text): LessonActionError {
    const lines = (this.fileText('error.log') ?? '').trim().split('\n').filter(Boolean);
    const tail = lines[lines.length - 1];
    return new LessonActionError(tail ? { en: `${text.en}: ${tail}`, zh: `${text.zh}：${tail}` } : text);
  }

  /** error.log lines containing `text`. */
  logLines(text: string): string[] {
    return (this.fileText('error.log') ?? '').split('\n').filter((line) => line.includes(text));
  }

  /** Names a master not seen before (master1, master2, ...) and waits until it has `workers` workers,
   *  each named workerN.K in the fd tables. */
  async settle(master: number, workers: number): Promise<number[]> {
    this.nameMaster(master);
    const found = await this.ctx.until(() => {
      const now = this.workersOf(master);
      return now.length >= workers ? now : undefined;
    }, 10_000, 25);
    if (!found) throw this.failure({ en: `nginx master ${master} did not start ${workers} workers`, zh: `nginx master ${master} 没有启动 ${workers} 个 worker` });
    this.nameWorkers(master);
    return found;
  }

  nameMaster(pid: number): string {
    if (!this.masters.has(pid)) {
      this.masters.set(pid, this.masters.size + 1);
      this.ctx.name(pid, `master${this.masters.size}`);
    }
    return `master${this.masters.get(pid)}`;
  }

  /** Names the master's workers not named yet (workers a HUP started get the next numbers). */
  nameWorkers(master: number): void {
    const n = this.masters.get(master);
    if (n === undefined) return;
    const names = this.ctx.names();
    for (const pid of this.workersOf(master)) {
      if (names.has(pid)) continue;
      const k = (this.workerCount.get(master) ?? 0) + 1;
      this.workerCount.set(master, k);
      this.ctx.name(pid, `worker${n}.${k}`);
    }
  }

  /** Live children of the master that are workers: not a master of ours, and not tsx's esbuild service. */
  workersOf(master: number): number[] {
    return this.ctx.supervisor.pids().filter((pid) => parentOf(pid) === master && !this.masters.has(pid) && pid !== this.pidIn('nginx.pid') && !cmdline(pid).includes('esbuild') && isAlive(pid));
  }

  /** The name given to pid, or the pid itself. */
  nameOf(pid: number): string {
    return this.ctx.names().get(pid) ?? String(pid);
  }

  /** USR2 to `master`: waits until nginx.pid names a new master and nginx.pid.oldbin the old one, and
   *  until the new master has its workers; logs the PID files. */
  async upgrade(master: number, workers = 2): Promise<{ master: number; workers: number[] }> {
    await this.signal(master, 'SIGUSR2');
    const next = await this.ctx.until(() => {
      const now = this.pidIn('nginx.pid');
      return now !== master && this.pidIn('nginx.pid.oldbin') === master ? now : undefined;
    }, 10_000);
    if (!next) throw this.failure({ en: `no new master after USR2 (${this.pidFilesText()})`, zh: `USR2 之后没有新的 master（${this.pidFilesText()}）` });
    const started = await this.settle(next, workers);
    this.ctx.log(this.pidFilesText(), 'event', this.options.launcher);
    return { master: next, workers: started };
  }

  /** The launcher sends `signal` to pid, as `kill -USR2 $(cat nginx.pid)` would. */
  async signal(pid: number, signal: NodeJS.Signals): Promise<void> {
    this.ctx.log({ en: `kill -${signal.slice(3)} ${pid} (${this.nameOf(pid)})`, zh: `kill -${signal.slice(3)} ${pid}（${this.nameOf(pid)}）` }, 'event', this.options.launcher);
    await this.ctx.call(this.options.launcher, { op: 'kill', pid, signal });
  }

  /** One GET /, its own connection. */
  get(): Promise<NginxAnswer> {
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: this.port, path: '/', agent: false, timeout: 2000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim(), pid: Number(res.headers['x-pid']) }));
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 2 s')));
      req.on('error', reject);
    });
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}

// Not a lesson: what lesson 16's real-pm2 step (16-supervisors.realpm2.ts) runs on. pm2 is found where it
// is installed (src/lesson/pm2.ts; nothing installs it) and must be pm2 7, the version the stand-in
// follows. It runs in a home of its own: a 0700 directory inside the run's private directory, set as
// PM2_HOME for every command, so a learner's own pm2 (~/.pm2) is never reached, and every pm2 process
// (its CLI, its daemon, the apps the daemon starts, their successors) carries the run's marker and
// works in that directory: the warden ends them all if the tutor is killed.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_MARKER } from '../src/demo/sweep.mjs';
import { serverCommand } from '../src/lesson/demo-servers.js';
import { findPm2, killPm2, PM2_CHOICE_ENV, pm2Daemon, pm2Run, pm2Version } from '../src/lesson/pm2.js';
import { DEMO_STOPPED, LessonActionError, type LessonContext, type Text } from '../src/lesson/types.js';
import { SERVER } from './16-supervisors.kit.js';

/** The major version the step was written against (the stand-in follows pm2 7.0.4's code). */
export const PM2_MAJOR = '7';
/** The app's name under pm2, as in the stand-in's `pm2 sendSignal SIGUSR2 app`. */
export const APP = 'app';

/** The pm2 to run, or why the step is skipped: one line for the log, and the short reason its ○ checks give. */
export function realPm2(env: NodeJS.ProcessEnv = process.env): { pm2: string; version: string } | { skipped: Text; reason: Text } {
  const chosen = env[PM2_CHOICE_ENV];
  const pm2 = findPm2(env);
  if (!pm2) {
    if (chosen === 'none') {
      const reason = { en: `${PM2_CHOICE_ENV}=none`, zh: `${PM2_CHOICE_ENV}=none` };
      return { reason, skipped: { en: `${PM2_CHOICE_ENV}=none: the real pm2 is not run.`, zh: `${PM2_CHOICE_ENV}=none：不运行真正的 pm2。` } };
    }
    if (chosen) {
      const reason = { en: `${PM2_CHOICE_ENV} names no executable`, zh: `${PM2_CHOICE_ENV} 指向的不是可执行文件` };
      return { reason, skipped: { en: `${PM2_CHOICE_ENV}=${chosen} names no executable file (an absolute path to pm2 is wanted).`, zh: `${PM2_CHOICE_ENV}=${chosen} 指向的不是可执行文件（需要 pm2 的绝对路径）。` } };
    }
    return {
      reason: { en: 'pm2 is not installed', zh: '没有安装 pm2' },
      skipped: {
        en: 'pm2 is not installed here (neither on PATH nor in node_modules/.bin). With it, this step runs the same app under the real pm2 7 and shows on it what the stand-in above showed: status online, restart_time climbing, unstable_restarts 0, and the successor serving on, unmanaged. To get it: npm install -g pm2 (or name one with HOTRESTART_TUTOR_PM2=/path/to/pm2).',
        zh: '这台机器上没有安装 pm2（PATH 上和 node_modules/.bin 里都没有）。装了的话，这一步会在真正的 pm2 7 下运行同一个应用，在它身上看到上面替身演示的一切：状态 online、restart_time 不断上升、unstable_restarts 为 0，以及后继进程无人管理地继续服务。安装方法：npm install -g pm2（或用 HOTRESTART_TUTOR_PM2=/path/to/pm2 指定一个）。',
      },
    };
  }
  const version = pm2Version(pm2);
  if (version.split('.')[0] !== PM2_MAJOR) {
    return {
      reason: { en: `pm2 ${version} found, not ${PM2_MAJOR}`, zh: `找到的是 pm2 ${version}，不是 ${PM2_MAJOR}` },
      skipped: {
        en: `found pm2 ${version} (${pm2}), but this step was written against pm2 ${PM2_MAJOR} and checks what pm2 ${PM2_MAJOR} does: npm install -g pm2@${PM2_MAJOR}.`,
        zh: `找到了 pm2 ${version}（${pm2}），但这一步是照着 pm2 ${PM2_MAJOR} 写的，检查的是 pm2 ${PM2_MAJOR} 的行为：npm install -g pm2@${PM2_MAJOR}。`,
      },
    };
  }
  return { pm2, version };
}

/** One pm2 home: its directory, the app's config and report file, and the commands run in it. */
export class Pm2Home {
  /** The directory the daemon and the app work in (the config and the report file are here). */
  readonly work: string;
  /** PM2_HOME: pm2's sockets, pid file and logs. */
  readonly home: string;
  readonly reportFile: string;
  private killed = false;

  constructor(
    private readonly ctx: LessonContext,
    readonly pm2: string,
  ) {
    this.work = mkdtempSync(join(ctx.supervisor.dir, 'pm2-'));
    this.home = join(this.work, 'home');
    mkdirSync(this.home, { mode: 0o700 });
    this.reportFile = join(this.work, 'app.jsonl');
  }

  /** One pm2 command, logged as typed unless quiet (a poll); its stdout. */
  async run(args: string[], quiet = false): Promise<string> {
    // A command after the stop began would make PM2_HOME again in a directory being removed.
    if (this.ctx.signal.aborted || this.killed) throw new LessonActionError({ en: `pm2 ${args[0]}: ${DEMO_STOPPED.en}`, zh: `pm2 ${args[0]}：${DEMO_STOPPED.zh}` });
    if (!quiet) this.ctx.log(`pm2 ${args.join(' ')}`, 'syscall', 'pm2');
    return pm2Run(this.pm2, this.home, args, { [RUN_MARKER]: this.ctx.supervisor.runId }, { cwd: this.work, signal: this.ctx.signal });
  }

  /** Writes the app's config, lesson 13's handover server on 127.0.0.1:port in fork mode, and starts it. */
  async start(port: number): Promise<void> {
    const command = serverCommand(SERVER);
    // pm2 runs its container, ProcessContainerFork.js, only under an interpreter whose name ends in node.
    const interpreter = /node$/.test(command[0]) ? command[0] : 'node';
    const app = { name: APP, script: command.at(-1), interpreter, node_args: command.slice(1, -1), exec_mode: 'fork', cwd: this.work, env: { PORT: String(port), REPORT_FILE: this.reportFile } };
    const config = join(this.work, 'app.json');
    writeFileSync(config, JSON.stringify({ apps: [app] }, null, 2));
    await this.run(['start', config]);
  }

  /** `pm2 jlist`, the app's entry: what pm2 itself says about it. */
  async app(quiet = false): Promise<Pm2App | undefined> {
    const text = await this.run(['jlist'], quiet);
    const list = JSON.parse(text.slice(text.indexOf('['))) as Array<{ name: string; pid: number; pm2_env: { status: string; restart_time: number; unstable_restarts: number } }>;
    const entry = list.find((item) => item.name === APP);
    return entry && { status: entry.pm2_env.status, pid: entry.pid, restartTime: entry.pm2_env.restart_time, unstableRestarts: entry.pm2_env.unstable_restarts };
  }

  get daemon(): number {
    return pm2Daemon(this.home);
  }

  /** The daemon's log (PM2_HOME/pm2.log), line by line. */
  daemonLog(): string[] {
    return this.file(join(this.home, 'pm2.log'));
  }

  /** The app's stderr as pm2 keeps it (PM2_HOME/logs/app-error.log). */
  errorLog(): string[] {
    return this.file(join(this.home, 'logs', `${APP}-error.log`));
  }

  private file(path: string): string[] {
    try {
      return readFileSync(path, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  /** `pm2 kill` and SIGKILL to the daemon's group. Once the run is being stopped, no pm2 command is
   *  started any more: the supervisor ends every process of the run by its marker. */
  async kill(): Promise<void> {
    if (this.killed) return;
    if (!this.ctx.signal.aborted) {
      this.ctx.log('pm2 kill', 'syscall', 'pm2');
      await killPm2(this.pm2, this.home, { [RUN_MARKER]: this.ctx.supervisor.runId }, { cwd: this.work });
    }
    this.killed = true;
  }
}

/** What `pm2 jlist` says about the app. */
export interface Pm2App {
  status: string;
  pid: number;
  restartTime: number;
  unstableRestarts: number;
}

/** The exit codes pm2's daemon logged for the app ("App [app:0] exited with code [0] via signal [SIGINT]"). */
export const exitCodes = (log: string[]) => log.flatMap((line) => /App \[app:\d+\] exited with code \[(\d+)\]/.exec(line)?.[1] ?? []).map(Number);
/** How many times the daemon started the app ("App [app:0] starting in -fork mode-"). */
export const starts = (log: string[]) => log.filter((line) => /App \[app:\d+\] starting in -fork mode-/.test(line)).length;
/** The errors the app's copies printed for their failed bind, as they stand in pm2's error log. */
export const addrInUse = (log: string[]) => log.filter((line) => /^\w*Error\b.*EADDRINUSE/.test(line));

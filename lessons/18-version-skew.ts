// Lesson 18: version skew. Generation N+1 is a different program: four versions of one server
// (lessons/assets/code/node/skew-v1.mjs ... skew-v4.mjs), each started as `node current.mjs` where
// current.mjs is a symlink the tutor re-points before each upgrade, as a deploy does. v2 adds a listener
// (inherited one kept, new one bound), a rollback to v1 meets state it cannot read (refused, v2 serves on),
// v3 removes the listener (the module closes the fd nobody claimed and keeps its idle connections in the
// old process), a rollback from v3 to v2 works, v4 renames a listener (EADDRINUSE, v2 serves on); each
// upgrade runs under a bounded loopback load that counts every failed request.
import { readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../src/demo/marker.js';
import { tsxLoaderUrl } from '../src/demo/entry.js';
import type { FdRow } from '../src/fdtable/model.js';
import { CODE_DIR, excerpt } from '../src/lesson/excerpt.js';
import { listenersOn } from '../src/lesson/kit.js';
import { formatLoadStats, startLoad, type Load, type LoadStats } from '../src/lesson/load.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { environOf, rowsOf, rowsTogether, sharing } from '../src/lesson/procview.js';
import { LessonActionError, type CheckResult, type Lesson, type LessonContext, type Text } from '../src/lesson/types.js';
import { UpgradeDemo } from '../src/lesson/upgrade-demo.js';
import type { ServerReport } from '../src/lesson/demo-servers.js';

type Version = 'v1' | 'v2' | 'v3' | 'v4';
const PREFIX = 'l18';
const LINK = 'current.mjs';
/** Answers each load must see from the new version before an upgrade counts as over. */
const SEEN_FROM_NEW = 20;

/** One upgrade attempt under load, for the checklist at the end. */
interface Attempt {
  what: string;
  from: Version;
  to: Version;
  /** The successor became current (true) or was refused and the old one served on (false). */
  took: boolean;
  stats: LoadStats;
}

interface Vars {
  demo: UpgradeDemo;
  port: number;
  adminPort: number;
  /** gen1's http listener: its fd and the socket's inode, followed through every generation. */
  httpFd: number;
  httpInode: number | null | undefined;
  adminFd: number;
  load: Load;
  attempts: Attempt[];
  /** Answers of one GET each: the version header, or the error. */
  answer: Answered;
  adminAnswer: Answered;
  adminAfter: Answered;
  /** A keep-alive client of the admin port: its first answer (from gen2), and its second, sent on the
   *  same connection while gen2 drains for a successor that does not serve admin. */
  adminAgent: http.Agent;
  adminFirst: Answered;
  adminKept: Answered;
  /** The hits a process saved on SIGUSR2 and what its successor read: gen1 → gen2, then gen3 → gen4. */
  state: StateCarried;
  rollbackState: StateCarried;
  /** gen2's admin socket (its inode), and the one gen4 bound again on the same port after the rollback. */
  adminInode: number | null | undefined;
  adminInodeAgain: number | null | undefined;
  /** Reports of successors that refused to start. */
  refusedV1: ServerReport;
  refusedV4: ServerReport;
  refusedPids: number[];
  mark: number;
  release: () => Promise<ServerReport>;
}

interface StateCarried {
  format: number;
  saved: number;
  read: number;
}

interface Answered {
  version: string | null;
  pid: number | null;
  body: string;
  error: string | null;
  /** The response's Connection header, and whether the request went on a connection used before. */
  connection?: string;
  reused?: boolean;
}

const demoOf = (ctx: LessonContext<Vars>): UpgradeDemo =>
  (ctx.vars.demo ??= new UpgradeDemo(ctx, { shell: 'shell', moduleUrl: linkUrl(ctx), prefix: PREFIX }));
const linkPath = (ctx: LessonContext): string => `${ctx.supervisor.dir}/${LINK}`;
const linkUrl = (ctx: LessonContext): string => `file://${linkPath(ctx)}`;
const versionFile = (version: Version): string => fileURLToPath(new URL(`node/skew-${version}.mjs`, CODE_DIR));
const isListener = (row: FdRow) => row.socket?.state === 'LISTEN';
const onPort = (port: number) => (row: FdRow) => row.socket?.local === `127.0.0.1:${port}`;

/** Re-points current.mjs at a version the way a deploy does it: a new link renamed over the old one (atomic). */
function deploy(ctx: LessonContext, version: Version): void {
  const link = linkPath(ctx);
  rmSync(`${link}.new`, { force: true });
  symlinkSync(versionFile(version), `${link}.new`);
  renameSync(`${link}.new`, link);
  ctx.log(`ln -s .../skew-${version}.mjs ${LINK}.new && mv -T ${LINK}.new ${LINK}   → ${readlinkSync(link).split('/').pop()}`, 'event', 'shell');
}

/** One GET, on a fresh connection or on a keep-alive agent's; never rejects. */
function ask(port: number, agent: http.Agent | false = false): Promise<Answered> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          version: (response.headers['x-version'] as string) ?? null,
          pid: Number(response.headers['x-pid']) || null,
          body: body.trim(),
          error: null,
          connection: response.headers.connection,
          reused: request.reusedSocket,
        }),
      );
    });
    request.setTimeout(3000, () => request.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ version: null, pid: null, body: '', error: error.code ?? error.message }));
  });
}

/** A bounded loopback load on the http port; answers are tallied by x-version. */
function startVersionLoad(ctx: LessonContext<Vars>): void {
  ctx.vars.load = startLoad({
    port: ctx.vars.port,
    concurrency: 2,
    pauseMs: 5,
    maxRequests: 4000,
    maxDurationMs: 20_000,
    tickMs: 500,
    countHeader: 'x-version',
    signal: ctx.signal,
    onTick: (stats) => ctx.log(formatLoadStats(stats, ctx.lang), 'event', 'load'),
  });
}

/** Waits until the load has `more` answers from `version` than now. */
async function answersFrom(ctx: LessonContext<Vars>, version: Version, more: number): Promise<void> {
  const target = (ctx.vars.load.stats().byHeader[version] ?? 0) + more;
  if (!(await ctx.until(() => (ctx.vars.load.stats().byHeader[version] ?? 0) >= target, 10_000, 10))) {
    throw new LessonActionError({ en: `the load saw fewer than ${more} answers from ${version}`, zh: `负载从 ${version} 收到的回答少于 ${more} 个` });
  }
}

/** Stops the load, logs and keeps its counts as one attempt. */
async function finishAttempt(ctx: LessonContext<Vars>, attempt: Omit<Attempt, 'stats'>): Promise<LoadStats> {
  const stats = await ctx.vars.load.stop();
  const by = Object.entries(stats.byHeader).map(([version, n]) => `${version}: ${n}`).join(', ');
  ctx.log(`${formatLoadStats(stats, ctx.lang)} — ${by}`, 'event', 'load');
  (ctx.vars.attempts ??= []).push({ ...attempt, stats });
  return stats;
}

/** Starts generation 1 from current.mjs (through the shell puppet, under the run's supervisor). */
async function startFirst(ctx: LessonContext<Vars>): Promise<ServerReport> {
  const demo = demoOf(ctx);
  if (!ctx.supervisor.puppet('shell')) await ctx.start('shell');
  demo.setKnobs({});
  // From TypeScript sources the module's entry is TypeScript too (the hotrestart-source condition): tsx loads it.
  const fromSource = import.meta.url.endsWith('.ts');
  const command = [process.execPath, ...(fromSource ? ['--import', tsxLoaderUrl()] : []), linkPath(ctx)];
  const reply = await ctx.call('shell', { op: 'spawn', name: 'gen1', command, env: { KNOB_FILE: demo.path(`${PREFIX}-knobs.json`), REPORT_FILE: demo.reports.name } });
  ctx.name(reply.result.pid, 'gen1');
  return demo.waitForEvent('gen1', 'ready');
}

/** The listener a process reported under `name`. */
function reported(ready: ServerReport, name: string): { fd: number; address: string; inherited: boolean } | undefined {
  return (ready.listeners as Array<{ name: string; fd: number; address: string; inherited: boolean }>).find((listener) => listener.name === name);
}

/** Sends SIGUSR2 to `from` with current.mjs on a version that will refuse to start; waits for `from`'s "upgrade failed". */
async function refusedUpgrade(ctx: LessonContext<Vars>, from: string, label: string): Promise<ServerReport> {
  const demo = demoOf(ctx);
  demo.setKnobs({ port: ctx.vars.port, label });
  const mark = demo.mark();
  await demo.signal(from, 'SIGUSR2');
  await demo.waitForLog(from, /upgrade failed/, mark);
  const refusal = await demo.waitFor((r) => r.label === label && /cannot (start|listen)/.test(String(r.text ?? '')), { en: `${label}'s refusal`, zh: `${label} 的拒绝` }, mark);
  (ctx.vars.refusedPids ??= []).push(refusal.pid);
  await demo.waitGone(refusal.pid);
  return refusal;
}

/** A release under load that will be refused: current.mjs on `to`, SIGUSR2 to `fromName` (running `from`),
 *  which must serve on; returns the refusing successor's last word. */
async function refusedRelease(ctx: LessonContext<Vars>, fromName: string, [from, to]: [Version, Version], label: string): Promise<ServerReport> {
  deploy(ctx, to);
  startVersionLoad(ctx);
  await answersFrom(ctx, from, 10);
  const refusal = await refusedUpgrade(ctx, fromName, label);
  await answersFrom(ctx, from, SEEN_FROM_NEW);
  await finishAttempt(ctx, { what: `${from}→${to}`, from, to, took: false });
  ctx.vars.answer = await ask(ctx.vars.port);
  return refusal;
}

/** A release under load, its successor held before ready(); finishRelease lets it go. */
async function heldRelease(ctx: LessonContext<Vars>, [fromName, toName]: [string, string], [from, to]: [Version, Version], knobs: Record<string, unknown> = {}): Promise<void> {
  deploy(ctx, to);
  startVersionLoad(ctx);
  await answersFrom(ctx, from, 10);
  const { mark, release } = await demoOf(ctx).beginUpgrade(fromName, toName, { port: ctx.vars.port, ...knobs });
  [ctx.vars.mark, ctx.vars.release] = [mark, release];
}

/** The held successor says ready, answers, and its predecessor leaves (`whileDraining` runs before that);
 *  the load's counts are kept. */
async function finishRelease(ctx: LessonContext<Vars>, fromName: string, [from, to]: [Version, Version], whileDraining?: () => Promise<void>): Promise<void> {
  await ctx.vars.release();
  await whileDraining?.();
  await answersFrom(ctx, to, SEEN_FROM_NEW);
  await demoOf(ctx).waitGone(demoOf(ctx).pid(fromName));
  await finishAttempt(ctx, { what: `${from}→${to}`, from, to, took: true });
}

/** What `from` said it saved on SIGUSR2 and what `to` said it read (from their log lines since the mark). */
function stateCarried(ctx: LessonContext<Vars>, from: string, to: string): StateCarried {
  const demo = demoOf(ctx);
  const line = (name: string, text: RegExp) => String(demo.find((r) => demo.nameOf(r) === name && text.test(String(r.text ?? '')), ctx.vars.mark)?.text ?? '');
  const saved = line(from, /saved the state as format/);
  const read = line(to, /read the state/);
  const hits = (text: string) => Number(/hits (\d+)/.exec(text)?.[1] ?? NaN);
  return { format: Number(/format (\d+)/.exec(saved)?.[1] ?? NaN), saved: hits(saved), read: hits(read) };
}

function stateCheck(state: StateCarried | undefined, format: number): CheckResult {
  const ok = !!state && state.format === format && state.saved > 0 && state.saved === state.read;
  return { ok, detail: state ? `format ${state.format}: saved ${state.saved}, read ${state.read}` : 'no state' };
}

/** A successor refused for `reason` and is gone. */
function refusedFor(refusal: ServerReport | undefined, reason: RegExp): CheckResult {
  const text = String(refusal?.text ?? '');
  return { ok: !!refusal && reason.test(text) && !isAlive(refusal.pid), detail: refusal ? `pid ${refusal.pid}: ${text}` : 'no refusal' };
}

/** What the kernel kept of the environment `name` was started with: was it handed exactly these listener names? */
function handed(ctx: LessonContext, name: string, names: string[]): CheckResult {
  const env = environOf(ctx.pid(name));
  const ok = env.get('LISTEN_FDS') === String(names.length) && env.get('LISTEN_FDNAMES') === names.join(':');
  return { ok, detail: ['LISTEN_FDS', 'LISTEN_FDNAMES'].map((key) => `${key}=${env.get(key) ?? '-'}`).join(' ') };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).pop() ?? '';
  } catch {
    return '';
  }
}

function answerText(answer: Answered | undefined): string {
  if (!answer) return '-';
  return answer.error ?? (answer.version ? `${answer.version} (pid ${answer.pid ?? '-'})` : answer.body);
}

/** Every successor that refused is gone, and the load of each attempt lost nothing. */
function noFailures(ctx: LessonContext<Vars>, what: string): CheckResult {
  const attempt = (ctx.vars.attempts ?? []).find((a) => a.what === what);
  if (!attempt) return { ok: false, detail: 'no load ran' };
  return { ok: attempt.stats.ok > 0 && attempt.stats.failed === 0, detail: formatLoadStats(attempt.stats, ctx.lang) };
}

const CHAPTER: Text = { en: 'Chapter 3 · Operations', zh: '第三章 · 运维' };

export const lesson: Lesson<Vars> = {
  id: 'version-skew',
  number: 18,
  chapter: CHAPTER,
  title: { en: 'Version skew', zh: '版本偏差' },
  summary: {
    en: 'A hot restart is usually a deploy: generation N+1 runs new code. The two versions meet twice — the new one takes the listeners by name and reads the state the old one left, and a rollback makes the old code read what the new one wrote. This lesson deploys four versions of one server under load — a listener added, a state format changed and a rollback refused, a listener removed, a rollback that works, a listener renamed — and reads what the kernel shows.',
    zh: '热重启通常就是一次发布：第 N+1 代运行的是新代码。新旧两个版本会有两次交集——新版本按名字接过监听 socket，并读取旧版本留下的状态；而回滚时，旧代码得读懂新版本写下的东西。本课在负载下发布同一个服务的四个版本——新增一个监听 socket、状态格式变了而回滚被拒绝、删掉一个监听 socket、一次成功的回滚、给监听 socket 改名——并查看内核呈现的结果。',
  },
  recap: [
    { en: 'Listeners pass between versions by name (LISTEN_FDNAMES): a name the old version did not pass is bound afresh, an inherited one keeps its socket — the same description, the same accept queue.', zh: '监听 socket 按名字在版本之间传递（LISTEN_FDNAMES）：旧版本没有传过来的名字会重新绑定，继承来的则沿用原来的 socket——同一个打开文件描述，同一个 accept 队列。' },
    { en: 'An inherited listener nobody claims is closed at ready(), with a log line: a listening socket no process accepts from would queue connections nobody answers.', zh: '没人认领的继承监听 socket 会在 ready() 时被关闭，并记一行日志：一个没有进程 accept 的监听 socket 只会把连接排进队列，却没人回应。' },
    { en: 'A renamed listener is a removal plus an addition: on a fixed port the fresh bind fails with EADDRINUSE. Names are an interface between versions; change them in two deploys, never one.', zh: '给监听 socket 改名等于删除加新增：端口固定时，重新绑定会以 EADDRINUSE 失败。名字是版本之间的接口；要改就分两次发布，别一次改完。' },
    { en: 'State handed over must carry its format: the new code reads the old format, and a version that meets a format it does not know exits before ready(), so the old generation serves on without dropping a request.', zh: '交接的状态必须带上格式版本：新代码要能读旧格式；遇到不认识的格式，版本就在 ready() 之前退出，这样旧的一代照常服务，一个请求都不丢。' },
    { en: 'Before a rolling upgrade, test both directions under load: N → N+1 and the rollback N+1 → N, with the state N+1 writes.', zh: '滚动升级之前，两个方向都要在负载下测试：N → N+1，以及带着 N+1 写下的状态回滚 N+1 → N。' },
  ],
  steps: [
    {
      id: 'one-command-line',
      title: { en: 'One command line, several programs', zh: '一条命令行，几个程序' },
      text: {
        en: 'The module starts a successor with its own command line: the same node, the same arguments, the same script path. So how does generation N+1 run new code? The way most deploys do it: the path is a symlink, current.mjs, and a deploy re-points it at the new release (a new link renamed over the old one, which is atomic) before it signals the running server. Node resolves the symlink when it loads the script, so each process runs whatever current.mjs pointed at when it started.\n\nHere the shell starts gen1 from current.mjs → skew-v1.mjs: version 1, one listener named http, on a port the kernel chose. Every answer says which version gave it (x-version).',
        zh: '模块用自己的命令行启动后继进程：同一个 node、同样的参数、同一个脚本路径。那第 N+1 代怎么运行新代码？就像大多数发布流程那样：这个路径是一个符号链接 current.mjs，发布时先把它指向新版本（新建一个链接再 rename 覆盖旧的，这是原子操作），再给正在运行的服务发信号。Node 加载脚本时会解析符号链接，所以每个进程运行的，是它启动那一刻 current.mjs 指向的代码。\n\n这里 shell 从 current.mjs → skew-v1.mjs 启动 gen1：版本 1，只有一个名叫 http 的监听 socket，端口由内核选定。每个回应都带着是哪个版本给出的（x-version）。',
      },
      code: {
        node: excerpt('node/skew-v1.mjs', 'listen'),
        other: { label: 'shell', code: 'ln -s releases/v2/server.mjs current.mjs.new && mv -T current.mjs.new current.mjs\nkill -USR2 $(cat /run/app.pid)' },
      },
      async run(ctx) {
        deploy(ctx, 'v1');
        const ready = await startFirst(ctx);
        const http = reported(ready, 'http');
        if (!http) throw new LessonActionError({ en: 'gen1 reported no http listener', zh: 'gen1 没有报告 http 监听 socket' });
        ctx.vars.port = Number(http.address.split(':').pop());
        ctx.vars.httpFd = http.fd;
        ctx.vars.httpInode = ctx.row('gen1', http.fd)?.inode;
        // The operator's configuration names the port from now on, as a real one would.
        demoOf(ctx).setKnobs({ port: ctx.vars.port });
        ctx.vars.answer = await ask(ctx.vars.port);
      },
      show: { processes: ['gen1'], only: isListener, caption: { en: 'gen1 (v1): one listener, http', zh: 'gen1（v1）：一个监听 socket，http' } },
      expect: [
        {
          text: { en: "gen1's command line names current.mjs, which points at skew-v1.mjs", zh: 'gen1 的命令行写的是 current.mjs，它指向 skew-v1.mjs' },
          check: (ctx) => {
            const script = cmdline(ctx.pid('gen1'));
            const target = readlinkSync(linkPath(ctx));
            return { ok: script.endsWith(`/${LINK}`) && target.endsWith('skew-v1.mjs'), detail: `${script.split('/').pop()} → ${target.split('/').pop()}` };
          },
        },
        {
          text: { en: 'gen1 listens on the http port, and v1 answers', zh: 'gen1 在 http 端口上监听，由 v1 回应' },
          check: (ctx) => {
            const row = ctx.row('gen1', ctx.vars.httpFd);
            return { ok: row?.socket?.state === 'LISTEN' && ctx.vars.answer.version === 'v1', detail: `fd ${ctx.vars.httpFd} ${row?.name ?? '-'}; GET / → ${answerText(ctx.vars.answer)}` };
          },
        },
      ],
    },
    {
      id: 'add-listener',
      title: { en: 'v2 adds a listener: one inherited, one new', zh: 'v2 新增一个监听 socket：一个继承，一个新建' },
      text: {
        en: 'The deploy re-points current.mjs at v2, which also serves an admin port. The shell sends SIGUSR2 to gen1, with a load running on the http port. gen1 saves its state and starts the successor, gen2, passing what it has: one fd, at 3, with LISTEN_FDS=1 and LISTEN_FDNAMES=http — the systemd convention, read back here from /proc/PID/environ, where the kernel keeps the environment a process was started with.\n\ngen2 asks for two names. http is among the inherited ones: the module checks that fd 3 really is a TCP socket listening on that address, and serves on it. admin is not: it binds a new socket. gen2 is held before ready() so both tables can be read: the http rows of gen1 and gen2 carry the same DESC letter (one open file description, one socket, one accept queue), admin\'s letter is gen2\'s alone.',
        zh: '发布把 current.mjs 指向 v2，它还要在一个管理端口上提供服务。http 端口上跑着负载，shell 给 gen1 发送 SIGUSR2。gen1 先保存状态，再启动后继进程 gen2，把手里有的交出去：一个 fd，位于 3，附带 LISTEN_FDS=1 和 LISTEN_FDNAMES=http——这是 systemd 的约定，这里从 /proc/PID/environ 读回来，内核在那里保存着进程启动时拿到的环境变量。\n\ngen2 要两个名字。http 在继承来的名字里：模块先确认 fd 3 确实是一个在该地址上监听的 TCP socket，然后在上面提供服务。admin 不在：模块为它绑定一个新 socket。gen2 在 ready() 之前被按住，好让你同时看两张表：gen1 和 gen2 的 http 行 DESC 字母相同（同一个打开文件描述、同一个 socket、同一个 accept 队列），admin 的字母只有 gen2 有。',
      },
      code: { node: excerpt('node/skew-v2.mjs', 'listen') },
      async run(ctx) {
        const demo = demoOf(ctx);
        await heldRelease(ctx, ['gen1', 'gen2'], ['v1', 'v2']);
        const admin = await demo.waitFor((r) => demo.nameOf(r) === 'gen2' && r.event === 'listening' && r.name === 'admin', { en: 'gen2 listening on admin', zh: 'gen2 在 admin 上监听' }, ctx.vars.mark);
        ctx.vars.adminFd = Number(admin.fd);
        ctx.vars.adminPort = Number(admin.port);
      },
      show: {
        processes: ['gen1', 'gen2'],
        only: isListener,
        focus: (row, ctx) => row.fd === ctx.vars.adminFd && row.pid === ctx.pid('gen2'),
        caption: { en: 'gen2 is held before ready(): http shared with gen1, admin its own', zh: 'gen2 在 ready() 之前被按住：http 与 gen1 共享，admin 是它自己的' },
      },
      expect: [
        {
          text: { en: 'gen2 was handed one fd, named http: LISTEN_FDS=1, LISTEN_FDNAMES=http', zh: 'gen2 拿到一个 fd，名叫 http：LISTEN_FDS=1，LISTEN_FDNAMES=http' },
          check: (ctx) => handed(ctx, 'gen2', ['http']),
        },
        {
          text: { en: "gen2's fd 3 and gen1's http listener are one open file description (same DESC)", zh: 'gen2 的 fd 3 和 gen1 的 http 监听 socket 是同一个打开文件描述（DESC 相同）' },
          check: (ctx) => {
            const shared = sharing(ctx, [['gen1', ctx.vars.httpFd], ['gen2', 3]]);
            return { ok: shared.count === 1, detail: shared.detail };
          },
        },
        {
          text: { en: "gen2's admin listener is new: a description no other process has, bound by gen2 itself", zh: 'gen2 的 admin 监听 socket 是新的：别的进程都没有这个打开文件描述，是 gen2 自己绑定的' },
          check: (ctx) => {
            const [admin] = rowsTogether(ctx, [['gen2', ctx.vars.adminFd]]);
            const all = ctx.snapshot(['gen1', 'gen2']).rows;
            const holders = admin ? all.filter((row) => row.description === admin.description) : [];
            const gen1OnAdmin = all.filter((row) => row.pid === ctx.pid('gen1') && onPort(ctx.vars.adminPort)(row));
            return {
              ok: !!admin && isListener(admin) && admin.description !== '?' && holders.length === 1 && gen1OnAdmin.length === 0,
              detail: `gen2 fd ${ctx.vars.adminFd} DESC ${admin?.description ?? '-'} ×${holders.length}; gen1 on :${ctx.vars.adminPort}: ${gen1OnAdmin.length}`,
            };
          },
        },
        {
          text: { en: 'gen1 and gen2 run the very same command line — the code differs', zh: 'gen1 和 gen2 的命令行一模一样——代码却不同' },
          check: (ctx) => {
            const [a, b] = [cmdline(ctx.pid('gen1')), cmdline(ctx.pid('gen2'))];
            return { ok: a !== '' && a === b, detail: `${a.split('/').pop()} = ${b.split('/').pop()}` };
          },
        },
      ],
      hint: {
        en: "Read what a process was handed yourself: tr '\\0' '\\n' < /proc/PID/environ | grep ^LISTEN_. The module removes the variables from process.env at start-up (a child it spawns must not think the fds are its own), but /proc keeps the environment execve gave.",
        zh: "自己读一读进程拿到了什么：tr '\\0' '\\n' < /proc/PID/environ | grep ^LISTEN_。模块在启动时会把这些变量从 process.env 中删掉（免得它再启动的子进程以为这些 fd 是自己的），但 /proc 保留着 execve 给出的环境。",
      },
    },
    {
      id: 'v2-serves',
      title: { en: 'v2 is ready: the state it read, the port it kept', zh: 'v2 就绪：它读到的状态，它留住的端口' },
      text: {
        en: "The tutor lets gen2 finish its start-up. It had already read the state gen1 saved on SIGUSR2, a small JSON file in format 1 ({format: 1, hits}), and it reads that format although it writes format 2. gen2 says ready, gen1 drains and exits, and the load counts what happened meanwhile: answers from v1, then from v2, and not one failed request. The admin port, which did not exist before, now answers too.\n\nThe state's `format` field is what makes the next step possible at all: code that meets a blob can tell whether it understands it.",
        zh: '教程让 gen2 完成启动。它之前已经读取了 gen1 在收到 SIGUSR2 时保存的状态——一个格式 1 的小 JSON 文件（{format: 1, hits}）；虽然它自己写的是格式 2，但它读得懂格式 1。gen2 报告就绪，gen1 排空后退出，负载统计了其间发生的一切：先是 v1 的回应，然后是 v2 的，没有一个请求失败。之前不存在的管理端口，现在也有回应了。\n\n状态里的 `format` 字段正是下一步得以成立的前提：代码拿到一段数据时，能判断自己是否读得懂它。',
      },
      code: { node: excerpt('node/skew-v2.mjs', 'state') },
      async run(ctx) {
        await finishRelease(ctx, 'gen1', ['v1', 'v2']);
        ctx.vars.state = stateCarried(ctx, 'gen1', 'gen2');
        ctx.vars.adminInode = ctx.row('gen2', ctx.vars.adminFd)?.inode;
        ctx.vars.answer = await ask(ctx.vars.port);
        ctx.vars.adminAnswer = await ask(ctx.vars.adminPort);
      },
      show: { processes: ['gen2'], only: isListener, caption: { en: 'gen1 has exited; gen2 serves http (inherited) and admin (new)', zh: 'gen1 已退出；gen2 提供 http（继承）和 admin（新建）' } },
      expect: [
        {
          text: { en: 'not one request failed while v1 handed over to v2, and both versions answered', zh: 'v1 交接给 v2 的过程中没有一个请求失败，两个版本都回应过' },
          check: (ctx) => {
            const result = noFailures(ctx, 'v1→v2');
            const by = (ctx.vars.attempts ?? []).find((a) => a.what === 'v1→v2')?.stats.byHeader ?? {};
            return { ...result, ok: result.ok && (by.v1 ?? 0) > 0 && (by.v2 ?? 0) > 0, detail: `${result.detail} (v1 ${by.v1 ?? 0}, v2 ${by.v2 ?? 0})` };
          },
        },
        {
          text: { en: 'gen2 read the state gen1 saved in format 1: the same hit count', zh: 'gen2 读到了 gen1 以格式 1 保存的状态：命中数相同' },
          check: (ctx) => stateCheck(ctx.vars.state, 1),
        },
        {
          text: { en: 'gen1 is gone; gen2 holds the very socket gen1 bound (same inode) and answers on admin too', zh: 'gen1 已不在；gen2 持有的正是 gen1 绑定的那个 socket（inode 相同），admin 端口也有回应' },
          check: (ctx) => {
            const inode = ctx.row('gen2', 3)?.inode;
            const ok = !isAlive(ctx.pid('gen1')) && inode !== undefined && inode === ctx.vars.httpInode && ctx.vars.answer.version === 'v2' && /^v2 admin/.test(ctx.vars.adminAnswer.body);
            return { ok, detail: `inode ${ctx.vars.httpInode} → ${inode ?? '-'}; GET / → ${answerText(ctx.vars.answer)}; admin → ${ctx.vars.adminAnswer.body || ctx.vars.adminAnswer.error}` };
          },
        },
      ],
    },
    {
      id: 'rollback-refused',
      title: { en: 'Rollback to v1: state it cannot read', zh: '回滚到 v1：读不懂的状态' },
      text: {
        en: "Something is wrong with v2, says the on-call engineer, and rolls back: current.mjs points at v1 again, SIGUSR2 to gen2, the load still running. gen2 saves its state — in format 2, the only one it writes. The successor (labelled v1-again) is v1's code: it knows format 1 only, says so in one line and exits with code 1 before ready().\n\nThat is the safe way to fail. The module in gen2 sees the readiness pipe close and the child exit, kills nothing, logs \"upgrade failed … goes on serving\", and keeps its listeners: gen2 never stopped accepting, so the load counts no failure. The rollback did not happen — and it was refused cleanly, not half-done. A v1 that skipped the check would have read `blob.hits`, which format 2 does not have, and served with a counter it did not understand.\n\nThe lesson for a team: N+1 must write what N can read for as long as N may come back (or N must already read N+1's format), and the rollback must be tested with the state N+1 wrote.",
        zh: '值班工程师说 v2 有问题，于是回滚：current.mjs 重新指向 v1，给 gen2 发送 SIGUSR2，负载还在跑。gen2 保存状态——用格式 2，它只会写这一种。后继进程（标记为 v1-again）运行的是 v1 的代码：它只认得格式 1，于是用一行日志说明原因，在 ready() 之前以退出码 1 退出。\n\n这才是安全的失败方式。gen2 里的模块看到就绪管道关闭、子进程退出，什么也不用杀，记下「upgrade failed … goes on serving」，监听 socket 仍在自己手里：gen2 从未停止 accept，所以负载没有记录到任何失败。回滚没有发生——而且是被干净地拒绝了，而不是做了一半。假如 v1 不做这个检查，它就会去读 `blob.hits`——格式 2 里根本没有这个字段——然后带着一个它并不理解的计数继续服务。\n\n给团队的教训：只要 N 还可能回来，N+1 就必须写 N 读得懂的格式（或者 N 事先就要读得懂 N+1 的格式），而且回滚必须用 N+1 写下的状态来测试。',
      },
      code: { node: excerpt('node/skew-v1.mjs', 'state') },
      async run(ctx) {
        ctx.vars.refusedV1 = await refusedRelease(ctx, 'gen2', ['v2', 'v1'], 'v1-again');
      },
      show: { processes: ['gen2'], only: isListener, caption: { en: 'gen2 (v2) serves on: its listeners never left it', zh: 'gen2（v2）照常服务：它的监听 socket 从未离手' } },
      expect: [
        {
          text: { en: 'v1 refused the state: "state format 2 is unknown to v1", exit before ready()', zh: 'v1 拒绝了这份状态：「state format 2 is unknown to v1」，在 ready() 之前退出' },
          check: (ctx) => refusedFor(ctx.vars.refusedV1, /state format 2 is unknown to v1/),
        },
        {
          text: { en: 'gen2 still holds the http socket (same inode as gen1 had) and answers as v2', zh: 'gen2 仍然持有 http socket（inode 与 gen1 当初的相同），并以 v2 的身份回应' },
          check: (ctx) => {
            const listening = listenersOn(ctx.vars.port);
            const inode = ctx.row('gen2', 3)?.inode;
            const ok = listening.length === 1 && listening[0].inode === ctx.vars.httpInode && inode === ctx.vars.httpInode && ctx.vars.answer.version === 'v2';
            return { ok, detail: `LISTEN ×${listening.length}, inode ${listening[0]?.inode ?? '-'}; GET / → ${answerText(ctx.vars.answer)}` };
          },
        },
        {
          text: { en: 'not one request failed during the refused rollback', zh: '这次被拒绝的回滚过程中没有一个请求失败' },
          check: (ctx) => noFailures(ctx, 'v2→v1'),
        },
      ],
      quiz: {
        question: { en: 'v2 writes state format 2; v1 reads only format 1. What keeps a rollback from v2 to v1 possible?', zh: 'v2 写状态格式 2；v1 只读格式 1。怎样才能让从 v2 回滚到 v1 成为可能？' },
        choices: [
          { en: 'Ship v2 writing format 1 (reading both); switch the writer to format 2 only in a later deploy, once v1 can no longer come back', zh: '发布的 v2 仍写格式 1（两种都能读）；等到 v1 不会再回来了，在之后的一次发布里才改成写格式 2' },
          { en: 'Nothing: the module converts state between versions', zh: '什么都不用做：模块会在版本之间转换状态' },
          { en: 'Let v1 ignore the format field and read what it can', zh: '让 v1 忽略 format 字段，能读多少读多少' },
        ],
        answer: 0,
        explanation: {
          en: 'The module hands over listeners and connections, never application state; the format is the application\'s contract. Expand, then contract: first a version that reads the new format but still writes the old one, then one that writes the new one. Ignoring the field is how a rollback starts, says ready and serves with wrong state — worse than the clean refusal shown here.',
          zh: '模块交接的是监听 socket 和连接，从不涉及应用状态；格式是应用自己的契约。先扩展、再收缩：先发布一个能读新格式、但仍写旧格式的版本，再发布一个写新格式的版本。忽略这个字段，会让回滚照常启动、报告就绪、然后带着错误的状态提供服务——比这里演示的干净拒绝糟糕得多。',
        },
      },
      hint: {
        en: 'The state file is in the run\'s private directory: skew-state.json. Its format field is what v1 checked.',
        zh: '状态文件在本次运行的私有目录里：skew-state.json。v1 检查的正是它的 format 字段。',
      },
    },
    {
      id: 'remove-listener',
      title: { en: 'v3 removes the admin listener', zh: 'v3 删掉了 admin 监听 socket' },
      text: {
        en: 'Next deploy: v3, without the admin port. gen2 passes both of its listeners, as it must — it cannot know what v3 will ask for: LISTEN_FDNAMES=http:admin, fds 3 and 4. gen3 claims http and nothing else. Held before ready(), it still holds fd 4, the admin socket, with the same DESC letter as gen2\'s: a listener nobody in gen3 accepts from, while gen2 still does. A client of the admin port (think of a metrics scraper) has made one request through a keep-alive connection, which it keeps open.',
        zh: '下一次发布：v3，没有管理端口了。gen2 把它的两个监听 socket 都交出去，它也只能这样——它不可能知道 v3 会要什么：LISTEN_FDNAMES=http:admin，fd 3 和 4。gen3 只认领了 http。在 ready() 之前被按住时，它仍然持有 fd 4，也就是 admin socket，DESC 字母与 gen2 的相同：gen3 里没有谁在上面 accept，而 gen2 仍然在 accept。admin 端口上有一个客户端（比如采集监控指标的程序）通过一条 keep-alive 连接发过一个请求，并且一直保持着这条连接。',
      },
      code: { node: excerpt('node/skew-v3.mjs', 'listen') },
      async run(ctx) {
        await heldRelease(ctx, ['gen2', 'gen3'], ['v2', 'v3']);
        // A client that keeps its admin connection open (a metrics scraper), answered by gen2 once.
        ctx.vars.adminAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        ctx.vars.adminFirst = await ask(ctx.vars.adminPort, ctx.vars.adminAgent);
        ctx.log(`GET :${ctx.vars.adminPort}/ (keep-alive) → ${ctx.vars.adminFirst.body || ctx.vars.adminFirst.error}`, 'event', 'client');
      },
      show: {
        processes: ['gen2', 'gen3'],
        only: isListener,
        focus: (row, ctx) => onPort(ctx.vars.adminPort)(row),
        caption: { en: 'gen3 held before ready(): fd 4 is the admin socket it will not use', zh: 'gen3 在 ready() 之前被按住：fd 4 是它不会使用的 admin socket' },
      },
      expect: [
        {
          text: { en: 'gen3 was handed both names: LISTEN_FDS=2, LISTEN_FDNAMES=http:admin', zh: 'gen3 拿到了两个名字：LISTEN_FDS=2，LISTEN_FDNAMES=http:admin' },
          check: (ctx) => handed(ctx, 'gen3', ['http', 'admin']),
        },
        {
          text: { en: "gen3's fd 4 is gen2's admin listener: one description", zh: 'gen3 的 fd 4 就是 gen2 的 admin 监听 socket：同一个打开文件描述' },
          check: (ctx) => {
            const shared = sharing(ctx, [['gen2', ctx.vars.adminFd], ['gen3', 4]]);
            return { ok: shared.count === 1 && onPort(ctx.vars.adminPort)(shared.rows[1]!), detail: shared.detail };
          },
        },
      ],
    },
    {
      id: 'unclaimed-closed',
      title: { en: 'What the module does with a listener nobody asks for', zh: '没人要的监听 socket，模块怎么处理' },
      text: {
        en: "The tutor lets gen3 finish. In ready() the module closes every inherited fd nobody claimed, and says so: \"closing inherited listener admin (fd 4): nothing listened on it\". Then gen2 drains and exits, taking the last reference to the admin socket with it: the kernel destroys the socket, and a client now gets ECONNREFUSED at once.\n\nIs closing right? Keeping it would be worse: a listening socket in a process that never accepts from it is a black hole — the kernel completes every handshake and parks the connection in the accept queue, and the client waits for an answer that never comes (lesson 11 showed such a queue). Refused is an answer; a hang is not.\n\nThe keep-alive client's connection is the other thing nobody in gen3 can answer. The module used to hand it over anyway (every idle connection goes to the successor, under its listener's name), and gen3, with no admin server, held it for 10 s and then closed it: a request sent on it meanwhile hung, then failed. Found while writing this lesson and fixed in the module: the successor now names the listeners it serves in its readiness line (LISTENERS http, just before READY), and gen2 keeps the connections of any other name, ending them itself — a request within a second is answered, with Connection: close. Both sides still understand a version without the line. The client here sends its next request while gen2 drains.\n\nWhat a team must still do is the other half: stop sending traffic to the port (load balancer, health checks, firewall) before the deploy that removes it.",
        zh: '教程让 gen3 完成启动。在 ready() 中，模块会关闭所有没人认领的继承 fd，并且记一行日志：「closing inherited listener admin (fd 4): nothing listened on it」。接着 gen2 排空并退出，带走了 admin socket 的最后一个引用：内核销毁这个 socket，客户端现在会立刻收到 ECONNREFUSED。\n\n关掉对吗？留着只会更糟：一个监听 socket 留在一个从不 accept 它的进程里，就是个黑洞——内核照样完成每一次握手，把连接放进 accept 队列，客户端就一直等一个永远不会来的回应（第 11 课展示过这样的队列）。被拒绝也是一种回答；挂住不是。\n\nkeep-alive 客户端的那条连接，是 gen3 里同样没人能回应的另一样东西。模块过去照样把它交接出去（每条空闲连接都按它所属监听 socket 的名字交给后继进程），而没有 admin 服务的 gen3 会把它攥上 10 秒再关掉：其间在这条连接上发出的请求先是挂住，然后失败。这是编写本课时发现的问题，已经在模块里修好：后继进程现在会在就绪消息里列出它服务的监听 socket 名字（LISTENERS http，紧挨在 READY 之前），gen2 则把其他名字的连接留在自己手里自行结束——一秒之内到达的请求仍会得到回应，并带上 Connection: close。没有这一行的旧版本，两边也都还能理解。这里的客户端正是在 gen2 排空时发出了下一个请求。\n\n团队仍需做好另一半：在删掉端口的那次发布之前，先停止往这个端口送流量（负载均衡、健康检查、防火墙）。',
      },
      code: { node: excerpt('node/skew-v3.mjs', 'listen') },
      async run(ctx) {
        const demo = demoOf(ctx);
        const agent = ctx.vars.adminAgent;
        await finishRelease(ctx, 'gen2', ['v2', 'v3'], async () => {
          // gen2 drains; its idle admin connection has no taker in gen3. The client sends on it now.
          await demo.waitForLog('gen2', /does not listen on admin/, ctx.vars.mark);
          ctx.vars.adminKept = await ask(ctx.vars.adminPort, agent);
          ctx.log(`GET :${ctx.vars.adminPort}/ (same connection) → ${answerText(ctx.vars.adminKept)}, Connection: ${ctx.vars.adminKept.connection ?? '-'}`, 'event', 'client');
          agent?.destroy();
        });
        await ctx.until(() => listenersOn(ctx.vars.adminPort).length === 0, 3000, 10);
        ctx.vars.adminAfter = await ask(ctx.vars.adminPort);
        ctx.vars.answer = await ask(ctx.vars.port);
      },
      show: { processes: ['gen3'], only: isListener, caption: { en: 'gen3 (v3): http only', zh: 'gen3（v3）：只有 http' } },
      expect: [
        {
          text: { en: 'gen3 logged that it closed the inherited admin listener nobody claimed', zh: 'gen3 记下了一行日志：关闭了没人认领的继承 admin 监听 socket' },
          check: (ctx) => {
            const demo = demoOf(ctx);
            const line = demo.find((r) => demo.nameOf(r) === 'gen3' && /closing inherited listener admin/.test(String(r.text ?? '')), ctx.vars.mark);
            return { ok: !!line, detail: String(line?.text ?? 'no such line') };
          },
        },
        {
          text: { en: "the keep-alive admin client's next request was answered by gen2, with Connection: close — not handed to gen3, which could not answer it", zh: 'admin 端口上那个 keep-alive 客户端的下一个请求由 gen2 回应，并带着 Connection: close——连接没有交给无法回应它的 gen3' },
          check: (ctx) => {
            const [first, kept] = [ctx.vars.adminFirst, ctx.vars.adminKept];
            const ok = !!first && !!kept && kept.reused === true && kept.error === null && /^v2 admin/.test(kept.body) && kept.body === first.body && kept.connection === 'close';
            return { ok, detail: `${answerText(first)} → ${kept ? `${kept.error ?? kept.body}, reused ${kept.reused}, Connection: ${kept.connection ?? '-'}` : '-'}` };
          },
        },
        {
          text: { en: 'gen3 has no socket on the admin port any more; it serves http on the same inode', zh: 'gen3 在 admin 端口上已经没有任何 socket；它在同一个 inode 上提供 http 服务' },
          check: (ctx) => {
            const rows = rowsOf(ctx, 'gen3');
            const admin = rows.filter(onPort(ctx.vars.adminPort));
            const http = rows.find((row) => row.fd === 3);
            return { ok: admin.length === 0 && http?.inode === ctx.vars.httpInode && ctx.vars.answer.version === 'v3', detail: `admin fds ${admin.length}; fd 3 inode ${http?.inode ?? '-'}; GET / → ${answerText(ctx.vars.answer)}` };
          },
        },
        {
          text: { en: 'with gen2 gone, nothing listens on the admin port: connecting is refused, not left hanging', zh: 'gen2 退出后，admin 端口上不再有监听者：连接被拒绝，而不是挂住' },
          check: (ctx) => ({
            ok: !isAlive(ctx.pid('gen2')) && listenersOn(ctx.vars.adminPort).length === 0 && ctx.vars.adminAfter.error === 'ECONNREFUSED',
            detail: `LISTEN on :${ctx.vars.adminPort}: ${listenersOn(ctx.vars.adminPort).length}; GET → ${answerText(ctx.vars.adminAfter)}`,
          }),
        },
        {
          text: { en: 'not one request on the http port failed during v2 → v3', zh: 'v2 → v3 期间，http 端口上没有一个请求失败' },
          check: (ctx) => noFailures(ctx, 'v2→v3'),
        },
      ],
    },
    {
      id: 'rollback-works',
      title: { en: 'A rollback that works: v3 → v2', zh: '一次成功的回滚：v3 → v2' },
      text: {
        en: "Rolled back once more, this time from v3 to v2, and now it works: v2 reads format 2, which v3 writes. The configuration names the admin port, so v2 asks for that very port again. gen3 passes only what it has — http — so gen4 (v2) is handed one name and binds admin afresh: the same port number as gen2 had, but a new socket (a new inode), because the old one died with gen2. The bind succeeds: nothing listens on that port any more.\n\nSo a rollback is an upgrade like any other, with an older program: the same three questions — which names it is handed, which it binds, which state it reads — in the other direction.",
        zh: '再回滚一次，这回是从 v3 回到 v2，而这次成功了：v2 读得懂 v3 写的格式 2。配置里写着管理端口，所以 v2 又要求绑定那个端口。gen3 只能交出它手里有的——http——所以 gen4（v2）只拿到一个名字，admin 需要重新绑定：端口号和 gen2 当初的一样，却是一个新 socket（新的 inode），因为旧的那个已随 gen2 一起消亡。绑定成功了：那个端口上已经没有监听者。\n\n所以回滚就是一次普通的升级，只不过换成了更旧的程序：同样的三个问题——拿到哪些名字、自己绑定哪些、读取哪种状态——只是方向相反。',
      },
      code: { node: excerpt('node/skew-v2.mjs', 'listen') },
      async run(ctx) {
        await heldRelease(ctx, ['gen3', 'gen4'], ['v3', 'v2'], { adminPort: ctx.vars.adminPort });
        await finishRelease(ctx, 'gen3', ['v3', 'v2']);
        ctx.vars.rollbackState = stateCarried(ctx, 'gen3', 'gen4');
        const admin = demoOf(ctx).find((r) => demoOf(ctx).nameOf(r) === 'gen4' && r.event === 'listening' && r.name === 'admin', ctx.vars.mark);
        ctx.vars.adminInodeAgain = admin ? ctx.row('gen4', Number(admin.fd))?.inode : undefined;
        ctx.vars.answer = await ask(ctx.vars.port);
        ctx.vars.adminAnswer = await ask(ctx.vars.adminPort);
      },
      show: { processes: ['gen4'], only: isListener, caption: { en: 'gen4 (v2 again): http inherited, admin bound again on its old port', zh: 'gen4（又是 v2）：http 继承而来，admin 在原端口上重新绑定' } },
      expect: [
        {
          text: { en: 'gen4 was handed http only: LISTEN_FDS=1, LISTEN_FDNAMES=http', zh: 'gen4 只拿到 http：LISTEN_FDS=1，LISTEN_FDNAMES=http' },
          check: (ctx) => handed(ctx, 'gen4', ['http']),
        },
        {
          text: { en: 'admin answers on its old port again, from a new socket (another inode than gen2\'s)', zh: 'admin 又在原来的端口上回应了，用的是一个新 socket（inode 与 gen2 的不同）' },
          check: (ctx) => {
            const [before, again] = [ctx.vars.adminInode, ctx.vars.adminInodeAgain];
            const ok = !!before && !!again && before !== again && /^v2 admin/.test(ctx.vars.adminAnswer.body) && ctx.vars.adminAnswer.body.endsWith(String(ctx.pid('gen4')));
            return { ok, detail: `:${ctx.vars.adminPort} inode ${before ?? '-'} → ${again ?? '-'}; GET → ${answerText(ctx.vars.adminAnswer)}` };
          },
        },
        {
          text: { en: 'v2 read the state v3 saved in format 2, and http kept its socket', zh: 'v2 读懂了 v3 以格式 2 保存的状态，http 仍是原来的 socket' },
          check: (ctx) => {
            const state = stateCheck(ctx.vars.rollbackState, 2);
            const inode = ctx.row('gen4', 3)?.inode;
            return { ok: state.ok && inode === ctx.vars.httpInode && ctx.vars.answer.version === 'v2', detail: `${state.detail}; fd 3 inode ${inode ?? '-'}; GET / → ${answerText(ctx.vars.answer)}` };
          },
        },
        {
          text: { en: 'not one request failed during the rollback v3 → v2', zh: '回滚 v3 → v2 期间没有一个请求失败' },
          check: (ctx) => noFailures(ctx, 'v3→v2'),
        },
      ],
    },
    {
      id: 'rename',
      title: { en: 'v4 renames http to web', zh: 'v4 把 http 改名为 web' },
      text: {
        en: 'A tidy-up in v4 (the code of v3, one listener): it is called web now, on the same port. The module matches inherited fds by name, and no fd is named web, so it binds the port afresh — while gen4 and the successor itself (fd 3, still named http) hold a socket listening on it. bind fails with EADDRINUSE; v4 exits before ready(); gen4 serves on, and the load sees nothing.\n\nA rename is a removal plus an addition. Names are part of the interface between versions, like a state format: rename in two deploys (first listen under both names, then drop the old one), never in one.',
        zh: 'v4（v3 的代码，只有一个监听 socket）里做了一次整理：它现在叫 web，端口不变。模块按名字匹配继承来的 fd，而没有一个 fd 叫 web，于是它重新绑定这个端口——可 gen4 和这个后继进程自己（fd 3，仍然叫 http）都持有一个在该端口上监听的 socket。bind 以 EADDRINUSE 失败；v4 在 ready() 之前退出；gen4 照常服务，负载什么也没察觉。\n\n改名等于删除加新增。名字和状态格式一样，是版本之间接口的一部分：改名要分两次发布（先同时用新旧两个名字监听，再去掉旧名字），别一次完成。',
      },
      code: { node: excerpt('node/skew-v4.mjs', 'listen') },
      async run(ctx) {
        ctx.vars.refusedV4 = await refusedRelease(ctx, 'gen4', ['v2', 'v4'], 'v4-renamed');
        // Back to the version that runs, as a deploy tool would after a failed release.
        deploy(ctx, 'v2');
      },
      show: { processes: ['gen4'], only: isListener, caption: { en: 'gen4 (v2) serves on', zh: 'gen4（v2）照常服务' } },
      expect: [
        {
          text: { en: 'v4 could not bind web: EADDRINUSE, and exited before ready()', zh: 'v4 无法绑定 web：EADDRINUSE，并在 ready() 之前退出' },
          check: (ctx) => refusedFor(ctx.vars.refusedV4, /EADDRINUSE/),
        },
        {
          text: { en: 'gen4 still serves the port from the first socket, and not one request failed', zh: 'gen4 仍然用最初那个 socket 服务这个端口，没有一个请求失败' },
          check: (ctx) => {
            const result = noFailures(ctx, 'v2→v4');
            const listening = listenersOn(ctx.vars.port);
            const ok = result.ok && listening.length === 1 && listening[0].inode === ctx.vars.httpInode && ctx.vars.answer.version === 'v2';
            return { ok, detail: `${result.detail}; LISTEN ×${listening.length}; GET / → ${answerText(ctx.vars.answer)}` };
          },
        },
      ],
      hint: {
        en: 'To rename safely, one version listens under both names (the old one inherited, the new one on a second address), clients move, and the next version drops the old name.',
        zh: '要安全地改名：先发布一个同时用两个名字监听的版本（旧名字继承而来，新名字用第二个地址），等客户端迁移过去，下一个版本再去掉旧名字。',
      },
    },
    {
      id: 'checklist',
      title: { en: 'Before a rolling upgrade: test both directions', zh: '滚动升级之前：两个方向都要测' },
      looksOnly: true,
      text: {
        en: "Five deploys, a rollback among them and two refused, and the load counted every request of each. What to test before a rolling upgrade, in both directions (N → N+1, and the rollback N+1 → N with the state N+1 wrote):\n\n• Listener names: the new version claims every name it needs (LISTEN_FDNAMES of its process shows what it was handed); a new name binds, a removed one is closed at ready() and its traffic was moved away first; no rename in one step.\n• State: each version reads the format its neighbours write, in both directions, and refuses an unknown format before ready() — never half-reads it.\n• Connections: keep-alive clients of a listener the new version drops are answered by the old process and closed, not handed over (the LISTENERS line of this module's readiness message); with a module that has no such line, check that they are not left hanging.\n• Failure: a successor that refuses leaves the old generation serving, with no failed request under load, and leaves no process behind.\n• The deploy itself: it re-points what the command line names (the symlink) before the signal, and points it back after a refused release.",
        zh: '五次发布，其中一次是回滚，两次被拒绝，负载统计了每次发布期间的每一个请求。滚动升级之前要测的东西，两个方向都要测（N → N+1，以及带着 N+1 写下的状态回滚 N+1 → N）：\n\n• 监听 socket 的名字：新版本认领它需要的每一个名字（它进程里的 LISTEN_FDNAMES 显示它拿到了什么）；新名字会重新绑定，删掉的名字会在 ready() 时被关闭，而它的流量要事先迁走；不要一步完成改名。\n• 状态：每个版本都读得懂相邻版本写的格式，两个方向都是；遇到不认识的格式就在 ready() 之前拒绝——绝不读一半。\n• 连接：新版本去掉的监听 socket 上的 keep-alive 客户端，由旧进程回应并关闭，而不是交接出去（本模块就绪消息里的 LISTENERS 一行）；如果用的模块没有这一行，要确认这些连接不会被挂住。\n• 失败：拒绝启动的后继进程让旧的一代继续服务，负载下没有失败的请求，也不留下任何进程。\n• 发布本身：先把命令行所指的东西（符号链接）重新指向，再发信号；发布被拒绝后再指回去。',
      },
      async run(ctx) {
        for (const a of ctx.vars.attempts ?? []) {
          const outcome = ctx.t(a.took ? { en: 'took over', zh: '已接手' } : { en: 'refused, old one served on', zh: '被拒绝，旧进程照常服务' });
          ctx.log(`${a.what.padEnd(7)} ${outcome} · ${formatLoadStats(a.stats, ctx.lang)}`);
        }
      },
      show: { processes: ['*'], only: isListener, caption: { en: 'what is left: gen4 and its listeners', zh: '剩下的：gen4 和它的监听 socket' } },
      expect: [
        {
          text: { en: 'five upgrade attempts under load, in both directions, and not one failed request', zh: '负载下的五次升级尝试，两个方向都有，没有一个请求失败' },
          check: (ctx) => {
            const attempts = ctx.vars.attempts ?? [];
            const failed = attempts.reduce((sum, a) => sum + a.stats.failed, 0);
            const ok = attempts.reduce((sum, a) => sum + a.stats.ok, 0);
            return { ok: attempts.length === 5 && failed === 0 && ok > 0, detail: `${attempts.map((a) => a.what).join(', ')}: ok ${ok}, failed ${failed}` };
          },
        },
        {
          text: { en: 'the refused successors left nothing behind; only gen4 listens on the http port', zh: '被拒绝的后继进程没有留下任何东西；http 端口上只有 gen4 在监听' },
          check: (ctx) => {
            const refused = ctx.vars.refusedPids ?? [];
            const current = rowsOf(ctx, 'gen4').find((row) => row.fd === 3);
            const listening = listenersOn(ctx.vars.port);
            const ok = refused.length === 2 && !refused.some(isAlive) && listening.length === 1 && current?.inode === listening[0].inode;
            return { ok, detail: `refused pids ${refused.join(', ')}: ${refused.filter(isAlive).length} alive; LISTEN ×${listening.length}` };
          },
        },
      ],
      quiz: {
        question: { en: 'Version N+1 drops a listener named metrics. What happens to the inherited metrics socket?', zh: '版本 N+1 去掉了名为 metrics 的监听 socket。继承来的 metrics socket 会怎样？' },
        choices: [
          { en: 'N+1 closes it in ready() with a log line; once N has drained, the port refuses connections', zh: 'N+1 在 ready() 中关闭它并记一行日志；等 N 排空退出后，这个端口拒绝连接' },
          { en: 'It stays open in N+1 so a rollback can use it', zh: '它在 N+1 里一直开着，以便回滚时使用' },
          { en: 'N+1 fails to start because a name is missing', zh: 'N+1 因为缺了一个名字而启动失败' },
        ],
        answer: 0,
        explanation: {
          en: "An unclaimed inherited fd is closed at ready(), as this lesson's gen3 did with admin. The old process still held its own copy until it drained, so the port kept answering until then. Kept open, the socket would queue connections nobody accepts; and an extra name never stops a start-up — only a name that cannot be bound does.",
          zh: '没人认领的继承 fd 会在 ready() 时被关闭，就像本课 gen3 对 admin 做的那样。旧进程在排空之前仍持有自己的那份引用，所以在那之前端口仍有回应。如果一直开着，socket 只会把连接排进没人 accept 的队列；而多出来的名字从不会阻止启动——只有绑定不了的名字才会。',
        },
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

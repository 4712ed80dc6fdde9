// Exercise 11, reload, don't restart (lesson 15): on SIGHUP the server reads its config file again and
// serves the new greeting from the same process and the same listening socket; a request in flight
// completes; a file that does not parse is rejected. Read from the kernel (the program's pids, the
// listener's inode in its fd tables and machine-wide) and from the HTTP answers, never from its output.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineExercise, httpGet, machineListeners, pidsOf, tcpListeners, type FdRow, type ProgramRun, type Text, type VerifyContext } from '../../src/exercise/define.js';
// The verifier's held request (exercise 4's): headers sent but not ended, in progress across the reload.
import { holdRequest } from '../04-scm-rights/held-request.js';

const CONFIG = 'config.json';
const RELOAD_MS = 3000; // a reload is a function call: generous on two loaded cores
const SETTLE_MS = 400; // after a SIGHUP the verifier cannot see from the kernel: time to handle it

type Answer = Awaited<ReturnType<typeof httpGet>>;

const said = (answer: Answer): string => (answer.status === null ? String(answer.error) : `${answer.status} "${answer.body.trim().slice(0, 40)}"`);
const answers = (answer: Answer, greeting: string): boolean => answer.status === 200 && answer.body.trim() === greeting;

/** "pid 956 inode 12035282 (fd 3, 4)" per holder of the listener: language-neutral. */
const holders = (rows: FdRow[]): string => pidsOf(rows).map((holder) => {
  const own = rows.filter((row) => row.pid === holder);
  return `pid ${holder} inode ${[...new Set(own.map((row) => row.inode))].join('/')} (fd ${own.map((row) => row.fd).join(', ')})`;
}).join('; ');

/** How the program's main process ended (waits a little for the keeper's word). */
async function howEnded(ctx: VerifyContext, run: ProgramRun): Promise<Text> {
  const exit = await ctx.waitFor(() => run.mainExit(), 1000);
  if (exit?.signal) return { en: `was killed by ${exit.signal}`, zh: `被 ${exit.signal} 杀死了` };
  if (exit) return { en: `exited with code ${exit.code}`, zh: `以退出码 ${exit.code} 退出了` };
  return { en: 'ended', zh: '结束了' };
}

/** GET / until it answers `greeting`, or no process of the run is left; the last answer. */
async function untilGreeting(ctx: VerifyContext, run: ProgramRun, port: number, greeting: string): Promise<Answer> {
  let last: Answer = { status: null, body: '', error: 'none', ms: 0 };
  await ctx.waitFor(async () => {
    last = await httpGet(port, { timeoutMs: 1000 });
    return answers(last, greeting) || run.pids().length === 0;
  }, RELOAD_MS, 30);
  return last;
}

export default defineExercise({
  id: 'reload-not-restart',
  number: 11,
  lesson: 'reload-not-restart',
  title: { en: "Reload, don't restart", zh: '重新加载，而不是重启' },
  summary: {
    en: 'On SIGHUP the server reads its config again and serves the new greeting: same pid, same listening socket, the request in flight completes, a broken file is rejected.',
    zh: '收到 SIGHUP 时，服务器重新读取配置并回答新的问候语：pid 不变，监听 socket 不变，正在进行的请求照常完成，坏掉的文件被拒绝。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 15_000,
  checks: [
    {
      id: 'first-greeting',
      title: { en: 'GET / answers 200 with the greeting of the config file', zh: 'GET / 回答 200 和配置文件里的问候语' },
      hint: { en: 'The config file is your first argument; answer GET / with its "greeting" followed by a newline, on 127.0.0.1 port 0.', zh: '配置文件是程序的第一个参数；在 127.0.0.1 的 0 号端口上，用其中的 "greeting" 加一个换行回答 GET /。' },
    },
    {
      id: 'reloads',
      title: { en: 'changing the file alone changes nothing; after SIGHUP GET / answers the new greeting', zh: '只改文件什么都不变；SIGHUP 之后 GET / 回答新的问候语' },
      hint: {
        en: 'Read the file at start and on every SIGHUP, not per request. With no handler SIGHUP ends the process (Go: signal.Notify; Node: process.on). Not SIGUSR1: the verifier sends SIGHUP (as kill -HUP and nginx -s reload do), and in Node SIGUSR1 starts the inspector.',
        zh: '在启动时和每次收到 SIGHUP 时读取文件，而不是每个请求都读。没有处理函数时，SIGHUP 会结束进程（Go：signal.Notify；Node：process.on）。不要用 SIGUSR1：验证器发送的是 SIGHUP（和 kill -HUP、nginx -s reload 一样），而在 Node 里 SIGUSR1 会启动调试器（inspector）。',
      },
    },
    {
      id: 'same-process',
      title: { en: 'after the reload the same process holds the same listening socket (pid and inode unchanged), and no other process appeared', zh: '重新加载之后，还是同一个进程持有同一个监听 socket（pid 和 inode 都没变），也没有出现别的进程' },
      hint: {
        en: 'A new config needs no new process: no successor, no re-listen. Swap the config inside the running process; the fd of the listener is never touched.',
        zh: '换配置不需要换进程：不要后继进程，也不要重新 listen。在运行中的进程里替换配置即可；监听 socket 的 fd（文件描述符）完全不用动。',
      },
    },
    {
      id: 'in-flight',
      title: { en: 'a request in progress during the reload completes with 200', zh: '重新加载期间正在进行的请求以 200 完成' },
      hint: {
        en: 'A reload touches no connection. A process that exec()s itself, even with the listener kept, loses every accepted connection: Go and Node open them close-on-exec.',
        zh: '重新加载不碰任何连接。一个 exec() 自身的进程，即使保留了监听 socket，也会失去所有已接受的连接：Go 和 Node 打开它们时都设置了 close-on-exec。',
      },
    },
    {
      id: 'rejects-bad-config',
      title: { en: 'a config that does not parse is rejected: the same process keeps the old greeting, and the next good file reloads', zh: '无法解析的配置被拒绝：同一个进程保留旧的问候语，下一个正确的文件照常重新加载' },
      hint: {
        en: 'Parse and check the whole file before it replaces anything; on an error keep the old config, say why on stderr, and keep running. A half-written file is a normal event for a reload.',
        zh: '在替换任何东西之前，先完整地解析并检查文件；出错时保留旧配置，在 stderr 上说明原因，继续运行。对重新加载来说，写到一半的文件是常有的事。',
      },
    },
  ],
  hints: [
    { en: 'Lesson 15 shows the reload in Go (on SIGUSR1, as the article) and in Node (on SIGHUP), and what SIGUSR1 does to a Node server.', zh: '第 15 课演示了 Go 的重新加载（和文章一样用 SIGUSR1）和 Node 的重新加载（用 SIGHUP），以及 SIGUSR1 会对 Node 服务做什么。' },
    { en: 'A reload is a function call: read the file, parse it, check it, and only then replace the config the handlers read. Nothing about sockets.', zh: '重新加载就是一次函数调用：读文件、解析、检查，然后才替换处理函数读取的配置。与 socket 无关。' },
    { en: 'Go: signal.Notify(ch, syscall.SIGHUP), a goroutine ranging over ch, an atomic.Pointer for the config. Node: process.on(\'SIGHUP\', ...), with try/catch around JSON.parse.', zh: 'Go：signal.Notify(ch, syscall.SIGHUP)，一个 range ch 的 goroutine，用 atomic.Pointer 存配置。Node：process.on(\'SIGHUP\', ...)，JSON.parse 外面包上 try/catch。' },
  ],
  wrong: [
    { dir: 'node-reloads-on-usr1', code: 'node', fails: 'reloads', mistake: 'reloads on SIGUSR1 (the Go habit); SIGHUP ends it' },
    { dir: 'node-restarts', code: 'node', fails: 'same-process', mistake: 'restarts (a successor inherits the listener, the old one drains)' },
    { dir: 'node-crashes-on-bad-config', code: 'node', fails: 'rejects-bad-config', mistake: 'JSON.parse throws uncaught in the SIGHUP handler' },
    { dir: 'go-restarts', code: 'go', fails: 'same-process', mistake: 'restarts (a successor inherits the listener, the old one drains)' },
    { dir: 'go-takes-bad-config', code: 'go', fails: 'rejects-bad-config', mistake: 'logs the parse error and serves an empty config' },
    { dir: 'go-reexecs', code: 'go', fails: 'in-flight', mistake: 're-execs itself keeping the listener (same pid, same socket)' },
  ],

  async scenario(ctx) {
    const path = join(ctx.dir, CONFIG);
    const tag = randomBytes(3).toString('hex');
    const [g1, g2, g3] = ['hello', 'bonjour', 'ni hao'].map((word) => `${word} ${tag}`);
    const writeConfig = (greeting: string) => writeFileSync(path, `${JSON.stringify({ greeting })}\n`);

    writeConfig(g1);
    const run = await ctx.start({ args: [path] });
    const { port, row: listener, snap } = await ctx.waitForListener(run);
    const { pid, inode } = listener;
    const pidsBefore = run.pids();
    const first = await httpGet(port);
    ctx.record('first-greeting', answers(first, g1), {
      pass: { en: `GET / → 200 "${g1}" (process ${pid}, port ${port}).`, zh: `GET / → 200 "${g1}"（进程 ${pid}，端口 ${port}）。` },
      fail: { en: `GET / → ${said(first)}, expected 200 "${g1}" (the greeting in ${CONFIG}).`, zh: `GET / → ${said(first)}，应为 200 "${g1}"（${CONFIG} 里的问候语）。` },
    }, ctx.rows(snap, [listener]));

    // A request in progress across the reload; the file changes, then SIGHUP.
    const held = await holdRequest(port);
    writeConfig(g2);
    await ctx.sleep(150);
    const unchanged = await httpGet(port);
    run.signal(pid, 'SIGHUP');
    const after = await untilGreeting(ctx, run, port, g2);
    if (run.pids().length === 0) {
      const how = await howEnded(ctx, run);
      ctx.fail('reloads', { en: `After SIGHUP the program ${how.en}: that is what SIGHUP does to a process with no handler for it.`, zh: `收到 SIGHUP 后程序${how.zh}：对一个没有为它安装处理函数的进程，SIGHUP 就是这个效果。` });
      ctx.fault('crash', { en: `SIGHUP ended the program (it ${how.en}); nothing else could be checked.`, zh: `SIGHUP 结束了程序（它${how.zh}）；其余各项无法检查。` });
    }
    ctx.record('reloads', answers(unchanged, g1) && answers(after, g2), {
      pass: { en: `With the new file alone GET / still answered "${g1}"; after SIGHUP it answered "${g2}".`, zh: `只改文件时 GET / 仍回答 "${g1}"；SIGHUP 之后回答 "${g2}"。` },
      fail: {
        en: `With the new file alone GET / → ${said(unchanged)} (expected "${g1}": no reload yet); within ${RELOAD_MS / 1000} s of SIGHUP → ${said(after)} (expected "${g2}").`,
        zh: `只改文件时 GET / → ${said(unchanged)}（应为 "${g1}"：还没有重新加载）；SIGHUP 之后 ${RELOAD_MS / 1000} 秒内 → ${said(after)}（应为 "${g2}"）。`,
      },
    });

    // The kernel's word: who holds the listener now, in the program's tables and machine-wide.
    const snapAfter = run.snapshot();
    const rows = tcpListeners(snapAfter, port);
    const machine = machineListeners(port).filter((entry) => entry.local.startsWith('127.0.0.1:'));
    const pidsAfter = run.pids();
    const samePids = pidsAfter.length === pidsBefore.length && pidsAfter.every((p) => pidsBefore.includes(p));
    const sameSocket = rows.length > 0 && rows.every((row) => row.pid === pid && row.inode === inode) && machine.length === 1 && machine[0].inode === inode;
    ctx.record('same-process', run.isAlive(pid) && samePids && sameSocket, {
      pass: { en: `Process ${pid} still holds the listener, socket inode ${inode}, as before SIGHUP; processes: ${pidsAfter.join(', ')}.`, zh: `进程 ${pid} 仍持有监听 socket，socket inode ${inode}，与 SIGHUP 之前相同；进程：${pidsAfter.join('、')}。` },
      fail: {
        en: `Before SIGHUP: process ${pidsBefore.join(', ')}, listener inode ${inode}. After: process(es) ${pidsAfter.join(', ') || 'none'}; the listener is held by ${holders(rows) || 'nobody in the program'}; machine-wide inode(s) ${machine.map((entry) => entry.inode).join(', ') || 'none'}.`,
        zh: `SIGHUP 之前：进程 ${pidsBefore.join('、')}，监听 socket inode ${inode}。之后：进程 ${pidsAfter.join('、') || '无'}；监听 socket 由 ${holders(rows) || '程序里没有任何进程'} 持有；全机范围的 inode：${machine.map((entry) => entry.inode).join('、') || '无'}。`,
      },
    }, ctx.rows(snapAfter, rows));

    const status = await held.finish(1500); // a reload answers it in milliseconds
    ctx.record('in-flight', status === 200, {
      pass: { en: 'The request in progress since before SIGHUP was answered 200.', zh: 'SIGHUP 之前就在进行的请求得到了 200。' },
      fail: { en: `The request in progress since before SIGHUP got ${status ?? 'no answer (its connection was closed)'}.`, zh: `SIGHUP 之前就在进行的请求得到的是 ${status ?? '没有响应（它的连接被关闭了）'}。` },
    });

    // A file cut off mid-write, then a good one. Signal whoever serves now (a restarting server moved).
    const server = tcpListeners(run.snapshot(), port)[0]?.pid ?? pid;
    writeFileSync(path, `{"greeting": "${g3}`);
    run.signal(server, 'SIGHUP');
    await ctx.sleep(SETTLE_MS);
    const kept = await httpGet(port);
    const alive = run.isAlive(server);
    writeConfig(g3);
    run.signal(server, 'SIGHUP');
    const later = alive ? await untilGreeting(ctx, run, port, g3) : null;
    const how = alive ? null : await howEnded(ctx, run);
    ctx.record('rejects-bad-config', alive && answers(kept, g2) && later !== null && answers(later, g3), {
      pass: { en: `After SIGHUP with a broken file, process ${server} still answered "${g2}"; with a good file again, "${g3}".`, zh: `文件坏掉时收到 SIGHUP 后，进程 ${server} 仍回答 "${g2}"；文件恢复正确后回答 "${g3}"。` },
      fail: how
        ? { en: `After SIGHUP with a file that does not parse, process ${server} ${how.en} (GET / → ${said(kept)}).`, zh: `文件无法解析时收到 SIGHUP 后，进程 ${server} ${how.zh}（GET / → ${said(kept)}）。` }
        : {
            en: `After SIGHUP with a file that does not parse, GET / → ${said(kept)} (expected "${g2}", the old greeting); then with a good file → ${later ? said(later) : '-'} (expected "${g3}").`,
            zh: `文件无法解析时收到 SIGHUP 后，GET / → ${said(kept)}（应为旧的问候语 "${g2}"）；之后文件恢复正确 → ${later ? said(later) : '-'}（应为 "${g3}"）。`,
          },
    });
  },
});

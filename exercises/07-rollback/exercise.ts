// Exercise 7, rollback (lesson 11): an upgrade may fail. A successor that crashes, or never says READY,
// must not take the old process down; a second trigger during an upgrade is refused; after failures a
// good upgrade still goes through. All the while, no client notices.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineExercise, httpGet, startLoad, tcpListeners } from '../../src/exercise/define.js';

const READY_DEADLINE_MS = 1500; // the program's contract

export default defineExercise({
  id: 'rollback',
  number: 7,
  lesson: 'signals-readiness',
  title: { en: 'Roll back a failed upgrade', zh: '回滚失败的升级' },
  summary: {
    en: 'A successor that crashes or never gets ready must not take the old process down; a second trigger during an upgrade is refused.',
    zh: '崩溃或始终不就绪的后继进程不能拖垮旧进程；升级进行中的第二次触发要被拒绝。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 25_000,
  checks: [
    {
      id: 'serves',
      title: { en: 'the server answers GET / with its configured version', zh: '服务器对 GET / 回应它配置的版本' },
      hint: { en: 'Listen on 127.0.0.1 port 0 and answer 200 with the version from config.json.', zh: '监听 127.0.0.1 的 0 号端口，用 config.json 里的版本回 200。' },
    },
    {
      id: 'survives-crash',
      title: { en: 'a successor that crashes at start leaves the old process serving the same socket', zh: '启动时崩溃的后继进程走了，旧进程仍在服务同一个 socket' },
      hint: {
        en: 'The end of the readiness channel comes with READY, or with the successor\'s death: only READY is a handover. Without it, stay.',
        zh: '就绪通道的 EOF 可能伴随着 READY，也可能是因为后继进程死了：只有 READY 才算交接。没有 READY，就留下。',
      },
    },
    {
      id: 'refuses-second',
      title: { en: 'a second SIGHUP during an upgrade starts no second successor and kills nobody', zh: '升级进行中的第二个 SIGHUP 不会启动第二个后继进程，也不会杀死任何进程' },
      hint: {
        en: 'Remember that an upgrade is running and ignore the trigger until it ends. And keep the SIGHUP handler installed: the default action of SIGHUP is to terminate.',
        zh: '记住升级正在进行，在它结束之前忽略新的触发。并且要一直保留 SIGHUP 的处理函数：SIGHUP 的默认动作是终止进程。',
      },
    },
    {
      id: 'gives-up',
      title: { en: `a successor not READY within ${READY_DEADLINE_MS} ms is killed; the old process serves on`, zh: `${READY_DEADLINE_MS} 毫秒内没有 READY 的后继进程被杀掉；旧进程继续服务` },
      hint: { en: 'Wait for READY with a deadline. Past it, kill the successor (SIGKILL) and reap it: an abandoned successor holding the listener would accept clients it will never serve.', zh: '等待 READY 要有截止时间。超时后杀掉后继进程（SIGKILL）并回收它：被放弃却仍持有监听 socket 的后继进程，会接受它永远不会服务的客户端。' },
    },
    {
      id: 'upgrades-after',
      title: { en: 'after the failures, a good upgrade goes through: the successor serves the new version alone', zh: '失败之后，一次正常的升级能够完成：后继进程独自以新版本服务' },
      hint: { en: 'A rollback ends the upgrade: the next trigger must be able to start a new one.', zh: '回滚意味着这次升级结束了：下一次触发必须能够开始新的升级。' },
    },
    {
      id: 'no-failed',
      title: { en: 'no request of the load fails through all of it', zh: '整个过程中负载里没有一个请求失败' },
      hint: { en: 'The old process never stops accepting until a successor is READY.', zh: '在后继进程 READY 之前，旧进程从不停止接受连接。' },
    },
  ],
  hints: [
    { en: 'Lesson 11 shows a successor that crashes taking nobody down, and a second upgrade refused in the middle of one.', zh: '第 11 课演示了崩溃的后继进程不会拖垮任何人，以及升级进行中拒绝第二次升级。' },
    { en: 'Three outcomes of one upgrade: READY (leave), end-of-file without READY (crashed: stay), nothing before the deadline (kill it, stay). Only the first ends the old process.', zh: '一次升级有三种结局：READY（离开）、没有 READY 的 EOF（崩溃了：留下）、截止时间前什么都没有（杀掉它，留下）。只有第一种会让旧进程结束。' },
    { en: 'Node: process.on (not once) with an `upgrading` flag; setTimeout for the deadline; the child\'s \'exit\' event. Go: a select over the READY result and time.After, then cmd.Process.Kill() and cmd.Wait().', zh: 'Node：用 process.on（而不是 once）加一个 `upgrading` 标志；用 setTimeout 做截止时间；监听子进程的 \'exit\' 事件。Go：对 READY 的结果和 time.After 做 select，然后 cmd.Process.Kill() 和 cmd.Wait()。' },
  ],
  wrong: [
    { dir: 'node-second-upgrade', code: 'node', fails: 'refuses-second', mistake: 'every SIGHUP starts another successor' },
    { dir: 'node-dies-with-successor', code: 'node', fails: 'survives-crash', mistake: 'end-of-file taken for READY' },
    { dir: 'go-no-deadline', code: 'go', fails: 'gives-up', mistake: 'waits for READY forever' },
    { dir: 'go-dies-with-successor', code: 'go', fails: 'survives-crash', mistake: 'leaves when the upgrade ends, READY or not' },
  ],

  async scenario(ctx) {
    const configure = (text: string) => writeFileSync(join(ctx.dir, 'config.json'), text);
    configure(JSON.stringify({ version: 'v1', warmUpMs: 0 }));
    const run = await ctx.start();
    const { port, row: original } = await ctx.waitForListener(run);
    const oldPid = original.pid;
    const hello = await httpGet(port);
    ctx.record('serves', hello.status === 200 && hello.body.trim() === 'v1', {
      pass: { en: `GET / answered ${hello.status} "v1" on port ${port}.`, zh: `GET / 在端口 ${port} 上得到 ${hello.status} "v1"。` },
      fail: { en: `GET / on port ${port} got ${hello.status ?? hello.error} "${hello.body.trim().slice(0, 30)}", expected 200 "v1".`, zh: `GET / 在端口 ${port} 上得到 ${hello.status ?? hello.error} "${hello.body.trim().slice(0, 30)}"，应为 200 "v1"。` },
    });
    const load = startLoad({ port, keepAlive: false, concurrency: 2, pauseMs: 10, requestTimeoutMs: 1000, countHeader: 'x-version', maxRequests: 10_000, maxDurationMs: 20_000 });
    const others = () => run.pids().filter((pid) => pid !== oldPid);
    /** The old process is alive, alone holds the original listener, and answers v1. */
    const oldServes = async () => {
      const snap = run.snapshot();
      const holders = tcpListeners(snap, port);
      const answer = await httpGet(port, { timeoutMs: 1500 });
      const ok = run.isAlive(oldPid) && holders.length > 0 && holders.every((row) => row.pid === oldPid && row.inode === original.inode) && answer.status === 200 && answer.body.trim() === 'v1';
      const said = `process ${oldPid} ${run.isAlive(oldPid) ? 'alive' : 'gone'}, listener held by ${holders.map((row) => row.pid).join(', ') || 'nobody'}, GET / ${answer.status ?? answer.error} "${answer.body.trim().slice(0, 20)}"`;
      return { ok, said, evidence: ctx.rows(snap, holders) };
    };
    const giveUpOnOld = (after: string) => {
      for (const id of ['refuses-second', 'gives-up', 'upgrades-after']) {
        ctx.fail(id, { en: `Not checked: the old process is gone (${after}).`, zh: `未检查：旧进程已经不在了（${after}）。` });
      }
    };
    const finishLoad = async () => {
      const stats = await load.stop();
      ctx.record('no-failed', stats.failed === 0 && stats.ok > 0, {
        pass: { en: `${stats.ok} requests answered, 0 failed.`, zh: `${stats.ok} 个请求得到响应，0 个失败。` },
        fail: { en: `${stats.failed} of ${stats.ok + stats.failed} requests failed (refused ${stats.refused}, reset ${stats.reset}, timeout ${stats.timeout}).`, zh: `${stats.ok + stats.failed} 个请求中 ${stats.failed} 个失败（拒绝 ${stats.refused}，重置 ${stats.reset}，超时 ${stats.timeout}）。` },
      });
    };
    await ctx.sleep(150);

    // 1. A successor that crashes at start (its configuration is broken).
    configure('{ "version": "v2", broken');
    run.signal(oldPid, 'SIGHUP');
    // Seen, then gone; a successor that crashes within milliseconds may never be seen: 0.6 s is enough.
    let seen = false;
    const crashSent = Date.now();
    await ctx.waitFor(() => {
      seen ||= others().length > 0;
      return seen ? others().length === 0 : Date.now() - crashSent > 600;
    }, 3000, 10);
    await ctx.sleep(200);
    const afterCrash = await oldServes();
    // A successor that dies within milliseconds may never show in a poll: judged by the old one alone.
    ctx.record('survives-crash', afterCrash.ok, {
      pass: { en: `${seen ? 'The successor crashed' : 'The successor crashed (too fast to be seen)'}; ${afterCrash.said}.`, zh: `${seen ? '后继进程崩溃了' : '后继进程崩溃了（快得没被看到）'}；${afterCrash.said}。` },
      fail: { en: `The successor crashed; ${afterCrash.said}.`, zh: `后继进程崩溃了；${afterCrash.said}。` },
    }, afterCrash.evidence);
    if (!run.isAlive(oldPid)) {
      giveUpOnOld('after the crashed successor');
      await finishLoad();
      return;
    }

    // 2. A successor that never gets ready, and a second trigger in the middle of its upgrade.
    configure(JSON.stringify({ version: 'v2', warmUpMs: 60_000 }));
    const triggeredAt = Date.now();
    run.signal(oldPid, 'SIGHUP');
    const first = await ctx.waitFor(() => others()[0], 3000, 10);
    await ctx.sleep(300);
    run.signal(oldPid, 'SIGHUP');
    let most = others().length;
    await ctx.waitFor(() => {
      most = Math.max(most, others().length);
      return false;
    }, 300, 20);
    const aliveAfterSecond = run.isAlive(oldPid);
    ctx.record('refuses-second', first !== undefined && aliveAfterSecond && most <= 1, {
      pass: { en: `The second SIGHUP changed nothing: process ${oldPid} alive, one successor (${first}).`, zh: `第二个 SIGHUP 什么也没改变：进程 ${oldPid} 还活着，只有一个后继进程（${first}）。` },
      fail: { en: `After the second SIGHUP: process ${oldPid} ${aliveAfterSecond ? 'alive' : 'gone'}, ${most} successor(s) at once${first === undefined ? ' (no successor was started by the first one)' : ''}.`, zh: `第二个 SIGHUP 之后：进程 ${oldPid} ${aliveAfterSecond ? '还活着' : '已经不在了'}，同时有 ${most} 个后继进程${first === undefined ? '（第一个 SIGHUP 没有启动后继进程）' : ''}。` },
    });
    if (!aliveAfterSecond) {
      for (const id of ['gives-up', 'upgrades-after']) ctx.fail(id, { en: 'Not checked: the second SIGHUP ended the old process.', zh: '未检查：第二个 SIGHUP 结束了旧进程。' });
      await finishLoad();
      return;
    }
    const limit = READY_DEADLINE_MS + 1500;
    const abandoned = await ctx.waitFor(() => others().length === 0, Math.max(0, triggeredAt + limit - Date.now()), 20);
    const afterHang = await oldServes();
    const still = others();
    ctx.record('gives-up', abandoned === true && afterHang.ok, {
      pass: { en: `The successor that never got ready was gone ${Date.now() - triggeredAt} ms after SIGHUP; ${afterHang.said}.`, zh: `始终不就绪的后继进程在 SIGHUP 之后 ${Date.now() - triggeredAt} 毫秒内消失了；${afterHang.said}。` },
      fail: { en: `${still.length > 0 ? `Successor(s) ${still.join(', ')} still running ${limit} ms after SIGHUP` : 'The successor is gone'}; ${afterHang.said}.`, zh: `${still.length > 0 ? `SIGHUP 之后 ${limit} 毫秒，后继进程 ${still.join('、')} 仍在运行` : '后继进程已经不在了'}；${afterHang.said}。` },
    }, [...afterHang.evidence, ...(still.length > 0 ? ctx.rows(run.snapshot(still), tcpListeners(run.snapshot(still))) : [])]);
    // A successor left over by a program that waits forever would still hold the listener: end it
    // before the last upgrade, so that step is judged on its own.
    for (const pid of still) run.signal(pid, 'SIGKILL');
    if (still.length > 0) await ctx.waitFor(() => others().length === 0, 1000, 20);

    // 3. A good upgrade.
    configure(JSON.stringify({ version: 'v3', warmUpMs: 0 }));
    run.signal(oldPid, 'SIGHUP');
    const left = await ctx.waitFor(() => !run.isAlive(oldPid), 4000, 20);
    await ctx.sleep(200);
    const pids = run.pids();
    const after = await httpGet(port, { timeoutMs: 1500 });
    const snap = run.snapshot(pids);
    const holders = tcpListeners(snap, port);
    const ok = left === true && pids.length === 1 && after.status === 200 && after.body.trim() === 'v3' && holders.every((row) => row.inode === original.inode);
    ctx.record('upgrades-after', ok, {
      pass: { en: `Process ${oldPid} handed over and exited; process ${pids[0]} answers "v3" alone on the same socket.`, zh: `进程 ${oldPid} 完成交接并退出；进程 ${pids[0]} 在同一个 socket 上独自回答 "v3"。` },
      fail: { en: `${left ? `Process ${oldPid} exited` : `Process ${oldPid} still runs 4 s after the last SIGHUP`}; ${pids.length} process(es) left; GET / got ${after.status ?? after.error} "${after.body.trim().slice(0, 20)}" (expected "v3").`, zh: `${left ? `进程 ${oldPid} 已退出` : `最后一个 SIGHUP 之后 4 秒，进程 ${oldPid} 仍在运行`}；还剩 ${pids.length} 个进程；GET / 得到 ${after.status ?? after.error} "${after.body.trim().slice(0, 20)}"（应为 "v3"）。` },
    }, ctx.rows(snap, holders));
    await finishLoad();
  },
});


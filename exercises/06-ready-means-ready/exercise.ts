// Exercise 6, readiness that means ready (lesson 11): the successor must be warm and serving when it
// says READY. The verifier watches the readiness channel in the kernel (the successor's fd 4) and
// fires requests the instant it closes; every answer must carry the warmed-up data, none may wait.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineExercise, httpGet, startLoad, tcpListeners, type FdRow, type Snapshot } from '../../src/exercise/define.js';

const PATIENCE_MS = 800; // a client gives up after this: longer than any honest answer, far shorter than a warm-up
const FIRST_WARM_UP_MS = 300;
const SUCCESSOR_WARM_UP_MS = 1500; // long against PATIENCE_MS, so a wait for it shows even on a loaded machine
const BURST_WAVES = 6;
const BURST_SIZE = 4;

/** The environment a process was started with (/proc/PID/environ): tells an exec'd successor from a
 *  fork that has not exec'd yet. */
function startedWith(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false;
  }
}

/** The fd numbers of pid that refer to the socket with this inode (readlink only: cheap enough to poll). */
function fdsOfInode(pid: number, inode: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map(Number).filter((fd) => fdLink(pid, fd) === `socket:[${inode}]`);
  } catch {
    return [];
  }
}

function fdLink(pid: number, fd: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return null;
  }
}

export default defineExercise({
  id: 'ready-means-ready',
  number: 6,
  lesson: 'signals-readiness',
  title: { en: 'Readiness that means ready', zh: '就绪就是真的就绪' },
  summary: {
    en: 'A successor that needs a warm-up says READY only when it is warm and serving; requests sent that instant all get the warmed-up data.',
    zh: '需要预热的后继进程只有在预热完成并开始服务时才说 READY；那一刻发出的请求全部拿到预热后的数据。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 20_000,
  checks: [
    {
      id: 'warm-first',
      title: { en: 'the first generation answers its first request with the warmed-up data', zh: '第一代进程对第一个请求就用预热后的数据响应' },
      hint: { en: 'The verifier asks as soon as your listener shows in the kernel. Warm up before you accept: a request that waits in the accept queue is fine, a cold answer (503) is not.', zh: '你的监听 socket 一出现在内核的表里，验证器就发请求。先预热再 accept：请求在接受队列里等一会儿没关系，冷响应（503）不行。' },
    },
    {
      id: 'handover',
      title: { en: 'on SIGHUP a successor started with LISTEN_FDS=1 holds the same listening socket', zh: '收到 SIGHUP 后，以 LISTEN_FDS=1 启动的后继进程持有同一个监听 socket' },
      hint: { en: 'Start the same program with LISTEN_FDS=1, the listener as fd 3 and the write end of a pipe (Node: a \'pipe\' stdio entry) as fd 4.', zh: '用 LISTEN_FDS=1 启动同一个程序，监听 socket 作为 fd 3，管道的写端（Node：stdio 里的一个 \'pipe\'）作为 fd 4。' },
    },
    {
      id: 'ready-means-ready',
      title: { en: 'requests sent the instant fd 4 closes are all answered at once, with the warmed-up data', zh: 'fd 4 关闭的那一刻发出的请求全部立即得到响应，而且是预热后的数据' },
      hint: {
        en: 'READY is a promise: warm up, start serving the inherited listener, and only then write READY and close fd 4. Said earlier, the old process leaves while nobody can answer.',
        zh: 'READY 是一个承诺：先预热，再开始服务继承来的监听 socket，然后才写 READY 并关闭 fd 4。说早了，旧进程就会在没人能响应的时候离开。',
      },
    },
    {
      id: 'never-cold',
      title: { en: `through the upgrade every request is answered within ${PATIENCE_MS} ms with warmed-up data`, zh: `整个升级过程中，每个请求都在 ${PATIENCE_MS} 毫秒内得到预热后的数据` },
      hint: {
        en: 'Two processes accept from one queue: a successor that serves before it is warm answers its share of the clients cold. And the old one keeps serving until READY.',
        zh: '两个进程从同一个队列里 accept：还没预热就开始服务的后继进程，会用冷数据回应它分到的那部分客户端。旧进程则要一直服务到 READY。',
      },
    },
    {
      id: 'old-leaves',
      title: { en: 'after READY the old process exits; the successor serves the new data alone', zh: 'READY 之后旧进程退出；后继进程独自用新数据服务' },
      hint: { en: 'On READY (or end-of-file after it), stop accepting, finish what is in flight and exit.', zh: '收到 READY（或它之后的 EOF）时，停止接受连接，处理完正在进行的请求，然后退出。' },
    },
  ],
  hints: [
    { en: 'Lesson 11 shows the readiness pipe, and endless\'s order (READY before warm-up) against a warm successor\'s, under a load of impatient clients.', zh: '第 11 课演示了就绪管道，以及在一群没耐心的客户端下，endless 的顺序（先 READY 后预热）与已预热的后继进程的顺序的对比。' },
    { en: 'The successor\'s order: take fd 3, warm up, serve fd 3, write READY to fd 4, close fd 4. The old one\'s: start the successor, close its own copy of the write end, keep serving, read until READY, then drain.', zh: '后继进程的顺序：拿到 fd 3，预热，服务 fd 3，向 fd 4 写 READY，关闭 fd 4。旧进程的顺序：启动后继进程，关闭自己那份写端，继续服务，读到 READY，然后排空。' },
    { en: 'Go: os.Pipe(), cmd.ExtraFiles = []*os.File{listenerFile, writeEnd}, writeEnd.Close() after Start, io.ReadAll(readEnd). Node: spawn(..., { stdio: [\'ignore\', \'inherit\', \'inherit\', sys.fdOf(server), \'pipe\'] }), child.stdio[4].on(\'data\', ...).', zh: 'Go：os.Pipe()，cmd.ExtraFiles = []*os.File{listenerFile, writeEnd}，Start 之后 writeEnd.Close()，io.ReadAll(readEnd)。Node：spawn(..., { stdio: [\'ignore\', \'inherit\', \'inherit\', sys.fdOf(server), \'pipe\'] })，child.stdio[4].on(\'data\', ...)。' },
  ],
  wrong: [
    { dir: 'node-listens-cold', code: 'node', fails: 'never-cold', mistake: 'the successor serves before its warm-up (503 meanwhile)' },
    { dir: 'node-ready-too-early', code: 'node', fails: 'ready-means-ready', mistake: 'READY before the warm-up (endless\'s order)' },
    { dir: 'go-listens-cold', code: 'go', fails: 'never-cold', mistake: 'the successor serves before its warm-up (503 meanwhile)' },
    { dir: 'go-ready-too-early', code: 'go', fails: 'ready-means-ready', mistake: 'READY before the warm-up (endless\'s order)' },
  ],

  async scenario(ctx) {
    const dataFile = join(ctx.dir, 'data.json');
    const v1 = `v1-${randomBytes(4).toString('hex')}`;
    const v2 = `v2-${randomBytes(4).toString('hex')}`;
    writeFileSync(dataFile, JSON.stringify({ data: v1, warmUpMs: FIRST_WARM_UP_MS }));
    const run = await ctx.start();
    const { port, row: original } = await ctx.waitForListener(run);
    const oldPid = original.pid;
    const first = await httpGet(port, { timeoutMs: 4000 });
    ctx.record('warm-first', first.status === 200 && first.body.trim() === v1, {
      pass: { en: `The first GET / got ${first.status} "${v1}" after ${first.ms} ms.`, zh: `第一个 GET / 在 ${first.ms} 毫秒后得到 ${first.status} "${v1}"。` },
      fail: { en: `The first GET / got ${first.status ?? first.error} "${first.body.trim().slice(0, 40)}", expected 200 "${v1}" (the data in data.json).`, zh: `第一个 GET / 得到 ${first.status ?? first.error} "${first.body.trim().slice(0, 40)}"，应为 200 "${v1}"（data.json 里的数据）。` },
    });

    // Impatient clients through the upgrade; the data changes, so the successor warms up to v2.
    const load = startLoad({ port, keepAlive: false, concurrency: 2, pauseMs: 10, requestTimeoutMs: PATIENCE_MS, countHeader: 'x-data', maxRequests: 5000, maxDurationMs: 15_000 });
    await ctx.sleep(200);
    writeFileSync(dataFile, JSON.stringify({ data: v2, warmUpMs: SUCCESSOR_WARM_UP_MS }));
    run.signal(oldPid, 'SIGHUP');

    // The successor, once exec'd (its environ says LISTEN_FDS=1): fd 3 the listener, fd 4 the channel.
    const seen = await ctx.waitFor(() => {
      for (const pid of run.pids()) {
        if (pid === oldPid || !startedWith(pid, 'LISTEN_FDS=1')) continue;
        // The listener came in at fd 3 (Go's FileListener moves it to a dup of its own at once). fd 4
        // may already be closed: a successor that says READY at once.
        if (fdsOfInode(pid, original.inode!).length > 0) return { pid, link: fdLink(pid, 4) };
      }
      return undefined;
    }, 4000, 5);
    const found = seen && (() => {
      const snap: Snapshot = run.snapshot([seen.pid]);
      const listener = snap.rows.filter((row) => row.inode === original.inode);
      const fd4 = snap.rows.find((row) => row.fd === 4 && row.inode !== original.inode);
      return { ...seen, snap, rows: [...listener, ...(fd4 ? [fd4] : [])] as FdRow[] };
    })();
    ctx.record('handover', found !== undefined, {
      pass: { en: `Successor ${found?.pid}: holds socket inode ${original.inode}, fd 4 is ${found?.link ?? 'closed already'}.`, zh: `后继进程 ${found?.pid}：持有 socket inode ${original.inode}，fd 4 是 ${found?.link ?? '已经关闭'}。` },
      fail: { en: `Within 4 s of SIGHUP no process started with LISTEN_FDS=1 held the listener (inode ${original.inode}).`, zh: `SIGHUP 之后 4 秒内，没有一个以 LISTEN_FDS=1 启动的进程持有监听 socket（inode ${original.inode}）。` },
    }, found ? ctx.rows(found.snap, found.rows) : []);

    if (found) {
      // READY: the successor's fd 4 closes. Fire at that instant, in waves.
      // Already closed (or the number reused) when first seen: READY came before we looked; fire now.
      const channel = found.link !== null && /^(pipe|socket):/.test(found.link) ? found.link : null;
      const readyAt = channel === null ? Date.now() : await ctx.waitFor(() => (fdLink(found.pid, 4) !== channel ? Date.now() : undefined), 6000, 5);
      if (readyAt === undefined) {
        ctx.fail('ready-means-ready', { en: 'The successor never closed fd 4 within 6 s.', zh: '后继进程 6 秒内始终没有关闭 fd 4。' });
      } else {
        const answers = [];
        for (let wave = 0; wave < BURST_WAVES; wave++) {
          answers.push(...Array.from({ length: BURST_SIZE }, () => httpGet(port, { timeoutMs: PATIENCE_MS })));
          await ctx.sleep(50);
        }
        const settled = await Promise.all(answers);
        const warm = settled.filter((answer) => answer.status === 200 && [v1, v2].includes(answer.body.trim()));
        const bad = settled.filter((answer) => !warm.includes(answer));
        const example = bad[0] ? `${bad[0].status ?? bad[0].error} "${bad[0].body.trim().slice(0, 30)}" after ${bad[0].ms} ms` : '';
        ctx.record('ready-means-ready', bad.length === 0, {
          pass: { en: `${settled.length} requests from the instant fd 4 closed: all answered with warm data (slowest ${Math.max(...settled.map((answer) => answer.ms))} ms).`, zh: `从 fd 4 关闭那一刻起的 ${settled.length} 个请求：全部得到预热后的数据（最慢 ${Math.max(...settled.map((answer) => answer.ms))} 毫秒）。` },
          fail: { en: `${bad.length} of ${settled.length} requests sent from the instant fd 4 closed were not answered warm within ${PATIENCE_MS} ms (e.g. ${example}).`, zh: `从 fd 4 关闭那一刻起发出的 ${settled.length} 个请求中，有 ${bad.length} 个没有在 ${PATIENCE_MS} 毫秒内得到预热后的数据（例如 ${example}）。` },
        });
      }
    } else {
      ctx.fail('ready-means-ready', { en: 'There was no successor whose readiness could be watched.', zh: '没有可以观察就绪状态的后继进程。' });
    }

    const left = await ctx.waitFor(() => !run.isAlive(oldPid), 5000, 30);
    await ctx.sleep(200);
    const stats = await load.stop();
    const tags = Object.entries(stats.byHeader);
    const foreign = tags.filter(([tag]) => tag !== v1 && tag !== v2);
    const untagged = stats.ok - tags.reduce((sum, [, n]) => sum + n, 0);
    const counts = tags.map(([tag, n]) => `${tag}: ${n}`).join(', ');
    ctx.record('never-cold', stats.failed === 0 && foreign.length === 0 && untagged === 0 && stats.ok > 0, {
      pass: { en: `${stats.ok} requests, all warm (${counts}).`, zh: `${stats.ok} 个请求，全部是预热后的数据（${counts}）。` },
      fail: {
        en: `${stats.failed} of ${stats.ok + stats.failed} failed (timeout ${stats.timeout}, refused ${stats.refused}, reset ${stats.reset}, other ${stats.other}${stats.examples.other ? `: ${stats.examples.other}` : ''}); ${untagged + foreign.reduce((sum, [, n]) => sum + n, 0)} answered without the warmed-up data.`,
        zh: `${stats.ok + stats.failed} 个请求中 ${stats.failed} 个失败（超时 ${stats.timeout}，拒绝 ${stats.refused}，重置 ${stats.reset}，其他 ${stats.other}${stats.examples.other ? `：${stats.examples.other}` : ''}）；${untagged + foreign.reduce((sum, [, n]) => sum + n, 0)} 个响应不是预热后的数据。`,
      },
    });

    const pids = run.pids();
    const after = await httpGet(port, { timeoutMs: 2000 });
    const snap = run.snapshot(pids);
    const ok = left === true && pids.length === 1 && after.status === 200 && after.body.trim() === v2;
    ctx.record('old-leaves', ok, {
      pass: { en: `Process ${oldPid} exited; process ${pids[0]} answers "${v2}" alone.`, zh: `进程 ${oldPid} 已退出；只剩进程 ${pids[0]} 回答 "${v2}"。` },
      fail: {
        en: `${left ? `Process ${oldPid} exited` : `Process ${oldPid} still runs`}; ${pids.length} process(es) left; GET / got ${after.status ?? after.error} "${after.body.trim().slice(0, 30)}" (expected "${v2}").`,
        zh: `${left ? `进程 ${oldPid} 已退出` : `进程 ${oldPid} 仍在运行`}；还剩 ${pids.length} 个进程；GET / 得到 ${after.status ?? after.error} "${after.body.trim().slice(0, 30)}"（应为 "${v2}"）。`,
      },
    }, ctx.rows(snap, tcpListeners(snap, port)));
  },
});

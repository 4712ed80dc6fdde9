// Exercise 10, a PID file a supervisor can trust (lessons 8 and 11): across a hot restart the PID file
// must always name the process that serves. Read from the kernel: the listener's pid in the fd tables,
// the process table, and inotify (fs.watch) on the private directory: a PID file rewritten in place
// shows as a modification of server.pid itself, an atomic replacement only as a rename onto it.
import { spawnSync } from 'node:child_process';
import { existsSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineExercise, httpGet, tcpListeners } from '../../src/exercise/define.js';
// The verifier's held request (exercise 4's): the old process must outlive the successor's first write.
import { holdRequest } from '../04-scm-rights/held-request.js';
import { pidInFile } from '../08-graceful-drain/pid-file.js';

const PID_FILE = 'server.pid';

export default defineExercise({
  id: 'trusted-pid-file',
  number: 10,
  lesson: 'signals-readiness',
  title: { en: 'A PID file a supervisor can trust', zh: '一个 supervisor 可以信任的 PID 文件' },
  summary: {
    en: 'Across a hot restart, server.pid always names the process that serves: a stale one is replaced, it is swapped in one step, and no old generation removes its successor\'s.',
    zh: '在热重启的全过程中，server.pid 始终指向正在服务的进程：过期的文件被替换，更新一步完成，旧一代不会删掉后继进程的 PID 文件。',
  },
  entry: { node: 'server.mjs', go: 'main.go' },
  timeoutMs: 20_000,
  checks: [
    {
      id: 'starts-despite-stale',
      title: { en: 'with a stale server.pid (a dead process) left behind, the server starts and answers GET /', zh: '留有一个过期的 server.pid（进程已死）时，服务器照样启动并响应 GET /' },
      hint: { en: 'A PID file outlives a crash. "The file exists" does not mean "the server runs": replace a stale file instead of refusing to start.', zh: 'PID 文件会在崩溃后留下来。"文件存在"不等于"服务器在运行"：替换过期的文件，而不是拒绝启动。' },
    },
    {
      id: 'names-server',
      title: { en: 'server.pid names the process that holds the listener', zh: 'server.pid 写的是持有监听 socket 的那个进程' },
      hint: { en: 'Write your own pid once you serve, into $EXERCISE_DIR/server.pid, followed by a newline.', zh: '开始服务后，把你自己的 pid 写进 $EXERCISE_DIR/server.pid，后面跟一个换行。' },
    },
    {
      id: 'follows-restart',
      title: { en: 'after SIGHUP, once the old process is gone, server.pid names the successor', zh: 'SIGHUP 之后，旧进程退出时，server.pid 写的是后继进程' },
      hint: {
        en: 'The successor writes its pid once it serves; the old process must not remove the file on its way out: it no longer names the old process. Remove it only while it names you.',
        zh: '后继进程开始服务后写入自己的 pid；旧进程退出时不能删除这个文件：它写的已经不是旧进程了。只有当它写的是你自己时才删除。',
      },
    },
    {
      id: 'atomic',
      title: { en: 'server.pid is never rewritten in place: it only ever appears by a rename onto it', zh: 'server.pid 从不原地改写：它只通过 rename 出现' },
      hint: {
        en: 'Opening with O_TRUNC and then writing leaves a moment where the file is empty: a supervisor reading then signals nobody, or kill(0) — the whole group. Write a temporary file in the same directory, then rename(2) it over server.pid.',
        zh: '先用 O_TRUNC 打开再写入，中间有一刻文件是空的：这时读它的 supervisor 就会给"没有人"发信号，或者 kill(0)——整个进程组。先在同一目录里写一个临时文件，再用 rename(2) 把它覆盖到 server.pid 上。',
      },
    },
    {
      id: 'removed-at-exit',
      title: { en: 'on SIGTERM the server exits and removes server.pid', zh: '收到 SIGTERM 时，服务器退出并删除 server.pid' },
      hint: { en: 'A clean exit leaves no PID file behind: remove it last, while it still names you.', zh: '正常退出不留下 PID 文件：最后再删除它，前提是它写的仍然是你。' },
    },
  ],
  hints: [
    { en: 'A supervisor trusts three things: the file names a live process, that process is the server, and the file is never half-written. Each check of this exercise is one of them, plus the handover.', zh: 'supervisor 信任三件事：文件里是一个活着的进程，这个进程就是服务器，文件从来不会只写了一半。本练习的每项检查对应其中一件，再加上交接。' },
    { en: 'Atomic replacement: write server.pid.<pid>.tmp, then rename it to server.pid. rename(2) within one directory replaces the name in one step.', zh: '原子替换：先写 server.pid.<pid>.tmp，再把它 rename 成 server.pid。同一目录内的 rename(2) 一步替换这个名字。' },
    { en: 'Before removing server.pid, read it: remove it only if it holds your own pid.', zh: '删除 server.pid 之前先读一下：只有里面是你自己的 pid 时才删除。' },
  ],
  wrong: [
    { dir: 'node-in-place', code: 'node', fails: 'atomic', mistake: 'writes server.pid in place' },
    { dir: 'node-refuses-stale', code: 'node', fails: 'starts-despite-stale', mistake: 'refuses to start when server.pid exists' },
    { dir: 'go-in-place', code: 'go', fails: 'atomic', mistake: 'writes server.pid in place' },
    { dir: 'go-old-removes', code: 'go', fails: 'follows-restart', mistake: 'the old generation removes server.pid at its exit' },
  ],

  async scenario(ctx) {
    const pidFile = join(ctx.dir, PID_FILE);
    // A stale PID file: the pid of a process that has just ended.
    const dead = spawnSync('true').pid ?? 999_999;
    writeFileSync(pidFile, `${dead}\n`);
    // inotify on the private directory: 'change' = server.pid modified in place; 'rename' = created,
    // deleted, or renamed onto.
    let inPlace = 0;
    let renamed = 0;
    const watcher = watch(ctx.dir, (event, name) => {
      if (name !== PID_FILE) return;
      if (event === 'change') inPlace++;
      else renamed++;
    });
    try {
      const run = await ctx.start();
      const found = await ctx.waitFor(() => {
        if (run.pids().length === 0) return 'ended' as const;
        const snap = run.snapshot();
        const row = tcpListeners(snap).find((candidate) => candidate.socket?.local?.startsWith('127.0.0.1:'));
        return row ? { snap, row } : undefined;
      }, 5000, 40);
      if (!found || found === 'ended') {
        const exit = run.mainExit();
        const how = exit ? `exit code ${exit.code ?? exit.signal}` : 'still running';
        ctx.fail('starts-despite-stale', { en: `With a stale server.pid (pid ${dead}, not running) the program listened on nothing within 5 s (${how}).`, zh: `有一个过期的 server.pid（pid ${dead}，已不在运行）时，程序 5 秒内没有监听任何端口（${how}）。` });
        for (const id of ['names-server', 'follows-restart', 'atomic', 'removed-at-exit']) ctx.fail(id, { en: 'Not checked: the server did not start.', zh: '未检查：服务器没有启动。' });
        return;
      }
      const { row: listener } = found;
      const port = Number(/:(\d+)$/.exec(listener.socket!.local!)![1]);
      const hello = await httpGet(port);
      ctx.record('starts-despite-stale', hello.status === 200, {
        pass: { en: `Despite server.pid naming dead pid ${dead}, the server started; GET / answered ${hello.status}.`, zh: `尽管 server.pid 里是已死的 pid ${dead}，服务器仍然启动了；GET / 得到 ${hello.status}。` },
        fail: { en: `GET / on port ${port} got ${hello.status ?? hello.error}.`, zh: `GET / 在端口 ${port} 上得到 ${hello.status ?? hello.error}。` },
      });
      const first = await ctx.waitFor(() => pidInFile(pidFile) === listener.pid, 2000, 20);
      ctx.record('names-server', first === true, {
        pass: { en: `server.pid holds ${listener.pid}, the listener's process.`, zh: `server.pid 里是 ${listener.pid}，即持有监听 socket 的进程。` },
        fail: { en: `server.pid holds ${pidInFile(pidFile) ?? 'nothing'}; the listener is held by process ${listener.pid}.`, zh: `server.pid 里是 ${pidInFile(pidFile) ?? '空'}；监听 socket 由进程 ${listener.pid} 持有。` },
      }, ctx.rows(found.snap, [listener]));

      // The hot restart, with a request in flight on the old process until the successor has written its
      // pid: the old one drains while the successor serves.
      const oldPid = listener.pid;
      const held = await holdRequest(port);
      await ctx.sleep(100);
      run.signal(oldPid, 'SIGHUP');
      const successor = await ctx.waitFor(() => {
        const snap = run.snapshot();
        const rows = tcpListeners(snap, port).filter((row) => row.pid !== oldPid);
        return rows.length > 0 ? { snap, row: rows[0] } : undefined;
      }, 4000, 30);
      const named = successor ? await ctx.waitFor(() => pidInFile(pidFile) === successor.row.pid, 2000, 20) : undefined;
      await held.finish(3000); // now the old process may finish its drain and leave
      const left = await ctx.waitFor(() => !run.isAlive(oldPid), 5000, 30);
      await ctx.sleep(300); // the old process's last moments are over: nothing may change the file now
      const holds = pidInFile(pidFile);
      ctx.record('follows-restart', left === true && successor !== undefined && named === true && holds === successor.row.pid, {
        pass: { en: `Process ${oldPid} exited; server.pid holds ${holds}, the successor that holds the listener.`, zh: `进程 ${oldPid} 已退出；server.pid 里是 ${holds}，即持有监听 socket 的后继进程。` },
        fail: {
          en: `${left ? `Process ${oldPid} exited` : `Process ${oldPid} still runs`}; ${successor ? `the listener is held by ${successor.row.pid}` : 'no successor holds the listener'}; server.pid ${existsSync(pidFile) ? `holds ${holds ?? 'nothing'}` : 'is gone'}.`,
          zh: `${left ? `进程 ${oldPid} 已退出` : `进程 ${oldPid} 仍在运行`}；${successor ? `监听 socket 由 ${successor.row.pid} 持有` : '没有后继进程持有监听 socket'}；server.pid ${existsSync(pidFile) ? `里是 ${holds ?? '空'}` : '已不存在'}。`,
        },
      }, successor ? ctx.rows(successor.snap, [successor.row]) : []);

      // SIGTERM to whoever serves now.
      const current = successor?.row.pid ?? run.pids()[0];
      if (current !== undefined) run.signal(current, 'SIGTERM');
      const gone = await ctx.waitForNoProcesses(run, 3000);
      const leftOver = existsSync(pidFile);
      ctx.record('removed-at-exit', gone && !leftOver, {
        pass: { en: `Process ${current} exited and server.pid is gone.`, zh: `进程 ${current} 已退出，server.pid 已删除。` },
        fail: { en: `${gone ? 'Every process exited' : `Still running 3 s after SIGTERM: ${run.pids().join(', ')}`}; server.pid ${leftOver ? `is left behind (holds ${pidInFile(pidFile) ?? 'nothing'})` : 'is gone'}.`, zh: `${gone ? '所有进程都已退出' : `SIGTERM 3 秒后仍在运行：${run.pids().join('、')}`}；server.pid ${leftOver ? `被留了下来（里面是 ${pidInFile(pidFile) ?? '空'}）` : '已删除'}。` },
      });

      await ctx.sleep(100); // the last inotify events
      ctx.record('atomic', inPlace === 0 && renamed > 0, {
        pass: { en: `server.pid changed ${renamed} time(s), each by a rename onto it (inotify), never in place.`, zh: `server.pid 变化了 ${renamed} 次，每次都是 rename 覆盖上去的（inotify），从未原地改写。` },
        fail: inPlace > 0
          ? { en: `inotify saw server.pid itself modified ${inPlace} time(s): written in place, so a reader can find it empty or half-written.`, zh: `inotify 看到 server.pid 本身被修改了 ${inPlace} 次：这是原地写入，读者可能读到空的或只写了一半的文件。` }
          : { en: 'server.pid never changed: the program never wrote it.', zh: 'server.pid 从未变化：程序根本没有写它。' },
      });
    } finally {
      watcher.close();
    }
  },
});

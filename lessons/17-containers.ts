// Lesson 17: containers. A server that is PID 1 of its PID namespace (`unshare --pid --fork --mount-proc`,
// what `docker run node server.js` makes) hot-restarts: its successor starts, takes the listener, says
// ready — and dies with its predecessor, because when PID 1 exits the kernel kills every process of the
// namespace. Then what PID 1 means for signals (one without a handler is dropped, SIGKILL and SIGSTOP from
// the parent namespace are not), tini in front (it leaves with its child), and the fix: the restart
// package's container mode, hotrestart-run, a stable PID 1 that holds the listener and outlives every
// generation. Steps: 17-containers.pid1.ts and .fix.ts; their state: .vars.ts; namespaces: .kit.ts.
import { isMain, playLessonMain } from '../src/lesson/main.js';
import type { Lesson } from '../src/lesson/types.js';
import { fixSteps } from './17-containers.fix.js';
import { pid1Steps } from './17-containers.pid1.js';
import type { Vars } from './17-containers.vars.js';

export const lesson: Lesson<Vars> = {
  id: 'containers',
  number: 17,
  chapter: { en: 'Chapter 3 · Operations', zh: '第三章 · 运维' },
  title: { en: 'Containers: PID 1', zh: '容器：1 号进程' },
  summary: {
    en: "In a container the server is usually PID 1 of a PID namespace, and PID 1 is special: when it exits, the kernel kills every other process of the namespace, and signals it has no handler for are dropped. This lesson makes real PID namespaces with unshare, watches a hot-restarted successor die with its PID-1 predecessor while a load outside counts refused connections, sends PID 1 the signals a container runtime sends, and then runs the same server under the restart package's container mode, hotrestart-run: a stable PID 1 that holds the listener through every generation.",
    zh: '在容器里，服务通常是一个 PID 命名空间的 1 号进程，而 1 号进程很特殊：它一退出，内核就杀掉这个命名空间里的所有其他进程；它没有处理函数的信号会被丢弃。本课用 unshare 创建真实的 PID 命名空间，看着一个热重启出来的后继进程随它的 1 号前任一起死去，同时命名空间外的负载统计被拒绝的连接；给 1 号进程发送容器运行时会发的信号；然后让同一个服务运行在重启包的容器模式 hotrestart-run 之下：一个稳定的 1 号进程，在每一代之间一直持有监听 socket。',
  },
  recap: [
    { en: 'When PID 1 of a PID namespace exits, the kernel kills every process left in it: a successor forked by PID 1 dies with it, ready or not.', zh: 'PID 命名空间的 1 号进程一退出，内核就杀掉其中剩下的所有进程：由 1 号进程 fork 出来的后继进程，不管是否就绪，都随它一起死去。' },
    { en: "PID 1 gets only the signals it has a handler for; SIGKILL (and SIGSTOP) from the parent namespace still get through. Node's own SIGTERM handler does not count: it re-raises the signal, which PID 1 then drops (Go's runtime exits anyway, with status 2).", zh: '1 号进程只收到它装了处理函数的信号；来自父命名空间的 SIGKILL（和 SIGSTOP）照样送达。Node 自带的 SIGTERM 处理函数不算数：它会重新发出这个信号，而 1 号进程随即把它丢掉（Go 运行时则照样退出，状态 2）。' },
    { en: 'The fix is a stable parent as PID 1 that holds the listeners and outlives every generation: hotrestart-run binds, passes LISTEN_FDS to generation 1, follows MAINPID= and forwards signals.', zh: '解决办法是让一个稳定的父进程当 1 号进程，它持有监听 socket、活得比每一代都长：hotrestart-run 负责绑定，用 LISTEN_FDS 把 socket 交给第 1 代，跟踪 MAINPID=，并转发信号。' },
    { en: 'tini forwards signals and reaps zombies, but it follows its one child and holds no listener: when generation 1 exits, tini exits and the namespace ends. dumb-init is built the same way.', zh: 'tini 会转发信号、回收僵尸进程，但它只跟着自己唯一的子进程，也不持有监听 socket：第 1 代一退出，tini 就退出，命名空间随之结束。dumb-init 的设计也一样。' },
    { en: 'From outside, a process in a namespace has two pids: /proc/PID/status NSpid lists both.', zh: '从外面看，命名空间里的进程有两个 pid：/proc/PID/status 的 NSpid 把两个都列出来。' },
  ],
  steps: [...pid1Steps, ...fixSteps],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);

// A Node program with no signal handler of its own, as many servers are: lesson 17 runs it as PID 1 of a
// PID namespace (`unshare --pid --fork --mount-proc node pid1.mjs`) and outside one, and sends both SIGTERM.
// Node itself catches SIGTERM at start-up (SigCgt shows it), only to restore the terminal: its handler
// resets SIGTERM to the default action and raises it again. Outside a namespace that default ends the
// process; for PID 1 of a namespace the kernel drops a signal whose action is the default.
// [no-handler]
// no process.on('SIGTERM'): the default action applies | zh: 没有 process.on('SIGTERM')：走默认动作
setInterval(() => {}, 60_000) // keeps the event loop alive, like a server | zh: 像服务一样让事件循环一直活着
// [/no-handler]
// [handler]
// what a PID 1 must do itself: handle the signals it is meant to obey | zh: 1 号进程必须自己做的：处理它该服从的信号
if (process.env.PID1_HANDLES_SIGTERM) process.on('SIGTERM', () => process.exit(0))
// [/handler]
// The tutor waits for this file before it sends a signal: by then every handler is installed.
if (process.env.PID1_READY_FILE) (await import('node:fs')).writeFileSync(process.env.PID1_READY_FILE, String(process.pid))

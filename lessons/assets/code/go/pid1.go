// A Go program with no signal.Notify, the twin of node/pid1.mjs: lesson 17 runs it as PID 1 of a PID
// namespace and sends it SIGTERM from the parent namespace. Go's runtime catches SIGTERM at start-up; with
// no Notify it resets the signal to the default action and raises it again, and when that does not end
// the process (PID 1 drops it) the runtime exits anyway, with status 2. Node's runtime does not: it runs on.
package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if os.Getenv("PID1_HANDLES_SIGTERM") != "" {
		// [handler]
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM) // the signal is the program's now | zh: 信号从此归程序处理
		go func() { <-stop; os.Exit(0) }()
		// [/handler]
	}
	// The tutor waits for this file before it sends a signal: by then the runtime's handlers are installed.
	if ready := os.Getenv("PID1_READY_FILE"); ready != "" {
		_ = os.WriteFile(ready, []byte("ready"), 0o644)
	}
	// [no-handler]
	// no signal.Notify(…, syscall.SIGTERM): the runtime's default applies | zh: 没有 signal.Notify(…, syscall.SIGTERM)：走运行时的默认处理
	time.Sleep(time.Hour) // like a server's accept loop | zh: 就像服务的 accept 循环
	// [/no-handler]
}

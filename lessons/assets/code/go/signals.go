// Signals in Go (lesson 11): signal.Notify for the upgrade and stop signals, and SIGUSR1 to reload the
// configuration, as many Go servers do (a Node server cannot: Node keeps SIGUSR1 for its inspector).
// Notify accepts SIGKILL without complaint, but nothing ever arrives: the kernel refuses a handler for it.
// Usage: signals (prints each signal it receives; SIGTERM ends it).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// [notify]
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR2)
	signal.Notify(sig, syscall.SIGUSR1) // reload the configuration | zh: 重新加载配置
	signal.Notify(sig, syscall.SIGKILL) // accepted, never delivered: SIGKILL cannot be caught | zh: 调用被接受，但永远收不到：SIGKILL 无法捕获
	// [/notify]
	fmt.Println("pid", os.Getpid())
	for s := range sig {
		fmt.Println("received", s)
		if s == syscall.SIGTERM {
			return
		}
	}
}

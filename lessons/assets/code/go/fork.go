// No fork() in Go (lesson 2): package syscall offers fork only fused with exec. This program starts
// /bin/true that way and waits for it.
// Usage: fork
package main

import (
	"fmt"
	"log"
	"os"
	"syscall"
)

func main() {
	// [no-fork]
	// Go has no fork() either: its runtime is multi-threaded (scheduler, GC, netpoller), | zh: Go 也没有 fork()：它的运行时是多线程的（调度器、GC、netpoller），
	// so package syscall only offers fork fused with exec: syscall.ForkExec (step 6). | zh: 所以 syscall 包只提供和 exec 绑在一起的 fork：syscall.ForkExec（第 6 步）。
	pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{Files: []uintptr{0, 1, 2}})
	// [/no-fork]
	if err != nil {
		log.Fatal(err)
	}
	var status syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &status, 0, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "ForkExec started %d, which exited with %d\n", pid, status.ExitStatus())
}

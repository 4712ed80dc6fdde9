// The dup reference-count leak (lesson 5), in Go: File() returns a dup of the listener; hand it to a
// helper that never serves it, close the listener, and the port still listens — held by the helper (and
// by f, until f.Close()). Prints the port; `ss -ltnp` then shows sleep holding it.
// Usage: leak (starts `sleep 600` with the listener at its fd 3 and exits).
package main

import (
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
)

func main() {
	// [listen]
	ln, err := net.Listen("tcp", "127.0.0.1:0") // the backlog is net.core.somaxconn: Go does not let you choose | zh: backlog 就是 net.core.somaxconn：Go 不让你选
	// [/listen]
	if err != nil {
		log.Fatal(err)
	}
	// [file]
	f, err := ln.(*net.TCPListener).File() // F_DUPFD_CLOEXEC: a second fd, same description | zh: F_DUPFD_CLOEXEC：第二个 fd，同一个打开文件描述
	// [/file]
	if err != nil {
		log.Fatal(err)
	}
	// [leak]
	cmd := exec.Command("sleep", "600")
	cmd.ExtraFiles = []*os.File{f} // fd 3 in a child that never serves it | zh: 放进一个根本不提供服务的子进程的 fd 3
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	ln.Close() // the port still listens, held by sleep (and by f: no f.Close()) | zh: 端口仍在监听，由 sleep 持有（还有 f：没有 f.Close()）
	// [/leak]
	fmt.Printf("port %d held by sleep, pid %d\n", ln.Addr().(*net.TCPAddr).Port, cmd.Process.Pid)
}

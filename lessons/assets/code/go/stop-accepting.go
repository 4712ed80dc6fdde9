// Two ways to stop accepting (lesson 12): close(2) drops this process's fd only, so a successor holding
// the same socket goes on listening; shutdown(2) acts on the socket itself, for every process that holds
// it. The fd for shutdown comes through SyscallConn, which (unlike Fd()) leaves the socket non-blocking.
// Usage: stop-accepting (makes two listeners, stops both, prints what connecting to each gives).
package main

import (
	"fmt"
	"net"
	"syscall"
)

func main() {
	a, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	b, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	raw, err := b.(*net.TCPListener).SyscallConn()
	if err != nil {
		panic(err)
	}
	// [stop]
	a.Close() // close(fd): this process only | zh: close(fd)：只影响本进程
	raw.Control(func(fd uintptr) {
		syscall.Shutdown(int(fd), syscall.SHUT_RD) // the socket: every process that holds it | zh: 作用于 socket：所有持有它的进程都受影响
	})
	// [/stop]
	for _, ln := range []net.Listener{a, b} {
		_, err := net.Dial("tcp", ln.Addr().String())
		fmt.Println(ln.Addr(), "->", err)
	}
}

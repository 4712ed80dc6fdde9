// SO_REUSEPORT (lesson 7), in Go: two listeners on one port, two sockets with two accept queues; a second
// copy joins the group as easily; closing one resets the connections still in its queue.
// Usage: reuseport (prints the shared address; eight connections wait in the queues, then one socket closes).
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"syscall"
)

// [listen]
const SO_REUSEPORT = 0xf // frozen package syscall lacks it on Linux; golang.org/x/sys/unix has it | zh: 已冻结的 syscall 包在 Linux 上没有它；golang.org/x/sys/unix 里有

var lc = net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
	var setErr error
	err := c.Control(func(fd uintptr) {
		setErr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, SO_REUSEPORT, 1)
	})
	if err != nil {
		return err
	}
	return setErr
}}

// [/listen]

func main() {
	ctx := context.Background()
	// [listen]
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	// [/listen]
	if err != nil {
		log.Fatal(err)
	}
	addr := ln.Addr().String()
	// [second]
	// a second copy of the same binary, started by mistake, joins just as well: | zh: 误启动的同一程序的第二个副本，也照样能加入：
	other, err := lc.Listen(ctx, "tcp", addr) // err == nil | zh: err == nil
	// [/second]
	if err != nil {
		log.Fatal(err)
	}
	defer other.Close()
	for i := 0; i < 8; i++ {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			log.Fatal(err)
		}
		defer conn.Close()
	}
	fmt.Printf("two listeners on %s, each with its own accept queue\n", addr)
	// [close]
	ln.Close() // every connection still in this socket's accept queue gets a RST | zh: 这个 socket 的 accept 队列里所有还没被 accept 的连接都会收到 RST
	// [/close]
}

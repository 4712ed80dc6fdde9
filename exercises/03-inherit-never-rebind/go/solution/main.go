// Exercise 3 — inherit, never rebind. On SIGHUP this server starts its successor (the same program)
// and leaves; the successor must serve the very same listening socket.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func listener() (net.Listener, error) {
	// A successor finds its listener where systemd would put it: LISTEN_FDS=1 means fd 3.
	if os.Getenv("LISTEN_FDS") == "1" {
		os.Unsetenv("LISTEN_FDS") // meant for this process only, not for its own children
		f := os.NewFile(3, "listener")
		defer f.Close() // FileListener made its own dup
		return net.FileListener(f)
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

func main() {
	ln, err := listener()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %d\n", os.Getpid())
	})}
	go server.Serve(ln)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	<-hup
	tcp := ln.(*net.TCPListener)
	f, err := tcp.File()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	self, _ := os.Executable()
	successor := exec.Command(self)
	successor.Stdout, successor.Stderr = os.Stdout, os.Stderr
	successor.Env = append(os.Environ(), "LISTEN_FDS=1")
	successor.ExtraFiles = []*os.File{f}
	if err := successor.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
	// Start() left the shared description blocking (exercise 2): repair it before Shutdown closes it.
	if raw, err := tcp.SyscallConn(); err == nil {
		raw.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	server.Shutdown(ctx)
}

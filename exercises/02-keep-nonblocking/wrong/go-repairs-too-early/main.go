// Exercise 2 — keep it non-blocking. An HTTP server that hands its listener to a watchdog child.
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

func main() {
	if len(os.Args) > 1 && os.Args[1] == "watchdog" {
		// Keeps the listener it was handed as fd 3 open, and otherwise just waits.
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM)
		<-stop
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tcp := ln.(*net.TCPListener)
	// Wrong: repaired before File() and Start(), which switch it to blocking afterwards.
	if raw, err := tcp.SyscallConn(); err == nil {
		raw.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
	}
	f, err := tcp.File() // a dup of the listener's fd, for the child
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	self, _ := os.Executable()
	watchdog := exec.Command(self, "watchdog")
	watchdog.ExtraFiles = []*os.File{f}
	if err := watchdog.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()

	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	})}
	go server.Serve(ln)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	<-stop
	watchdog.Process.Kill()
	watchdog.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	server.Shutdown(ctx) // closes the listener: with a blocking description this waits for a client
}

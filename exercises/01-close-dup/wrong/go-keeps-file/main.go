// Exercise 1 — close the dup. An HTTP server that lends its listener to a helper process.
// The verifier builds this package and runs it; `hotrestart-tutor verify` checks it.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "helper" {
		runHelper()
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tcp := ln.(*net.TCPListener)

	// Lend the listener to the helper: File() returns a dup of the listener's fd, and ExtraFiles
	// makes it the helper's fd 3.
	f, err := tcp.File()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	self, _ := os.Executable()
	helper := exec.Command(self, "helper")
	helper.Stdout, helper.Stderr = os.Stdout, os.Stderr
	helper.ExtraFiles = []*os.File{f}
	if err := helper.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Wrong: f, the dup, is kept open for the life of the server.
	defer f.Close()
	keepNonBlocking(tcp)

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" { // the verifier keeps this one in flight across a SIGTERM
			time.Sleep(time.Second)
		}
		fmt.Fprintln(w, "hello")
	})
	server := &http.Server{Handler: mux}
	go server.Serve(ln)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	<-stop
	// Stop accepting, and wait for the requests in flight to be answered.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	server.Shutdown(ctx)
	helper.Process.Signal(syscall.SIGTERM)
	helper.Wait()
}

// keepNonBlocking: File() and ExtraFiles put the shared description into blocking mode, which would
// make Shutdown's close wait for a client. Exercise 2 is about this; here it is given.
func keepNonBlocking(tcp *net.TCPListener) {
	if raw, err := tcp.SyscallConn(); err == nil {
		raw.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
	}
}

// runHelper reads the address of the listener it was lent (fd 3), records it and lets the fd go.
// Then it keeps running (a real sidecar would export metrics) until the server stops it.
func runHelper() {
	sa, err := syscall.Getsockname(3)
	if err == nil {
		if in4, ok := sa.(*syscall.SockaddrInet4); ok {
			line := fmt.Sprintf("%v:%d\n", net.IP(in4.Addr[:]), in4.Port)
			os.WriteFile(filepath.Join(os.Getenv("EXERCISE_DIR"), "listener.txt"), []byte(line), 0o600)
		}
	}
	syscall.Close(3) // the helper only needed the address
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	<-stop
}

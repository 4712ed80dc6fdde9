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
	// TODO: a successor binds the port again (PORT). Take the listener it inherited instead.
	//       (LISTEN_FDS=1 means fd 3: os.NewFile(3, ...) and net.FileListener.)
	port := os.Getenv("PORT")
	if port == "" {
		port = "0"
	}
	return net.Listen("tcp", "127.0.0.1:"+port)
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
	port := ln.Addr().(*net.TCPAddr).Port
	// The port must be free before the successor can bind it: close first, then start the successor.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	server.Shutdown(ctx)
	// TODO: hand the listener over instead (File() + ExtraFiles: the successor's fd 3, LISTEN_FDS=1).
	self, _ := os.Executable()
	successor := exec.Command(self)
	successor.Stdout, successor.Stderr = os.Stdout, os.Stderr
	successor.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	if err := successor.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

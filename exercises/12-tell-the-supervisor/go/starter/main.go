// Exercise 12 — tell the supervisor. Your server runs under a Type=notify service manager, which named
// a unix datagram socket in NOTIFY_SOCKET. The hot restart already works (SIGUSR2: the successor takes
// the listener at fd 3 and writes READY on fd 4, then this process leaves); what the manager is told,
// by which process and when, does not. See README.md. The TODOs are where to work.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Stands in for what a server does before it can answer: configuration, caches, pools.
const startup = 1200 * time.Millisecond

// sdNotify is sd_notify(3) without libsystemd: one datagram of KEY=VALUE lines to $NOTIFY_SOCKET.
func sdNotify(state string) {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return // not under a manager
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

func main() {
	// A successor finds its listener where systemd would put it: LISTEN_FDS=1 means fd 3.
	successor := os.Getenv("LISTEN_FDS") == "1"
	os.Unsetenv("LISTEN_FDS") // meant for this process only
	var ln net.Listener
	var err error
	if successor {
		f := os.NewFile(3, "listener")
		ln, err = net.FileListener(f)
		f.Close() // FileListener made its own dup
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGUSR2, syscall.SIGTERM)

	// TODO: is this the moment to say READY=1? And which process does the manager think the service is?
	sdNotify("READY=1")

	time.Sleep(startup)
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ok %d\n", os.Getpid())
	})}
	go server.Serve(ln)
	if successor {
		ready := os.NewFile(4, "ready")
		ready.Write([]byte("READY\n")) // the predecessor may leave now
		ready.Close()
	}

	for sig := range signals {
		if sig == syscall.SIGTERM {
			// TODO: the manager should hear that the service is stopping.
			shutdown(server)
			return
		}
		if handOver(ln) {
			shutdown(server)
			return
		}
	}
}

// handOver starts the successor with the listener at fd 3 and a pipe at fd 4, and waits for its READY.
func handOver(ln net.Listener) bool {
	tcp := ln.(*net.TCPListener)
	f, err := tcp.File()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return false
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return false
	}
	defer r.Close()
	self, _ := os.Executable()
	cmd := exec.Command(self)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1")
	cmd.ExtraFiles = []*os.File{f, w}
	err = cmd.Start()
	w.Close()
	// Start() left the shared description blocking (exercise 2): repair it.
	if raw, rawErr := tcp.SyscallConn(); rawErr == nil {
		raw.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return false
	}
	go cmd.Wait()
	said, _ := io.ReadAll(r) // EOF when the successor closed fd 4, or died
	return strings.Contains(string(said), "READY")
}

func shutdown(server *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	server.Shutdown(ctx)
}

// Exercise 8 — graceful drain. On SIGTERM: stop accepting, close idle keep-alive connections, let the
// requests in flight finish, cut what is still running at the deadline, run the exit hooks, exit.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

const drainDeadline = 2 * time.Second

var active atomic.Int32

var pidFile = filepath.Join(os.Getenv("EXERCISE_DIR"), "server.pid")

func handler(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/slow": // a request that takes a while
		time.Sleep(800 * time.Millisecond)
		fmt.Fprintln(w, "slow")
	case "/stuck": // stuck on a backend that never answers: only the deadline ends it
		<-r.Context().Done()
	default:
		fmt.Fprintln(w, "hello")
	}
}

// exitHooks: what must happen last, after every request has been answered or cut: remove the PID file.
func exitHooks() {
	os.Remove(pidFile)
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.WriteFile(pidFile, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644)
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		active.Add(1)
		defer active.Add(-1)
		handler(w, r)
	})}
	go server.Serve(ln)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	<-stop
	// Known-wrong: closes the listener and waits for the requests in flight, but idle keep-alive
	// connections stay open until the process ends.
	ln.Close()
	deadline := time.Now().Add(drainDeadline)
	for active.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	exitHooks()
}

// Exercise 10 — a PID file a supervisor can trust. This server hot-restarts on SIGHUP (its successor
// inherits the listener, exercise 3) and keeps $EXERCISE_DIR/server.pid naming the process that
// serves: replaced in one step, never torn, never removed by a process it no longer names.
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
	"strconv"
	"strings"
	"syscall"
	"time"
)

var pidFile = filepath.Join(os.Getenv("EXERCISE_DIR"), "server.pid")

// writePidFile replaces server.pid with our pid in one step: a reader sees the old content or the new
// one, never an empty or half-written file. rename(2) within one directory is atomic. A stale file
// from a dead process is simply replaced.
func writePidFile() error {
	temporary := fmt.Sprintf("%s.%d.tmp", pidFile, os.Getpid())
	if err := os.WriteFile(temporary, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644); err != nil {
		return err
	}
	return os.Rename(temporary, pidFile)
}

// removePidFile removes server.pid, but only while it names us: after a handover it names the successor.
func removePidFile() {
	raw, err := os.ReadFile(pidFile)
	if err == nil && strings.TrimSpace(string(raw)) == strconv.Itoa(os.Getpid()) {
		os.Remove(pidFile)
	}
}

func listener() (net.Listener, error) {
	if os.Getenv("LISTEN_FDS") == "1" {
		os.Unsetenv("LISTEN_FDS") // meant for this process only
		f := os.NewFile(3, "listener")
		defer f.Close()
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
	if err := writePidFile(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGHUP, syscall.SIGTERM)
	sig := <-signals
	if sig == syscall.SIGHUP {
		handOver(ln.(*net.TCPListener))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	server.Shutdown(ctx)
	// Known-wrong: the PID file goes with whoever exits, even after the successor has replaced it.
	os.Remove(pidFile)
	// After a handover the successor writes its own pid once it serves; server.pid is not ours any more.
}

// handOver starts the successor with our listener as its fd 3.
func handOver(tcp *net.TCPListener) {
	f, err := tcp.File()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	self, _ := os.Executable()
	cmd := exec.Command(self)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1")
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	f.Close()
	// Start() left the shared description blocking (exercise 2): repair it before Shutdown closes it.
	if raw, err := tcp.SyscallConn(); err == nil {
		raw.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
	}
}

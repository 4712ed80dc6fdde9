// Exercise 7 — rollback. On SIGHUP this server starts a successor with its listener (fd 3) and a
// readiness channel (fd 4). A successor that crashes, or is not READY in time, must be abandoned while
// the old process keeps serving. One upgrade at a time.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

const readyDeadline = 1500 * time.Millisecond // the contract: give up on a successor not READY by then

var _ = readyDeadline

type config struct {
	Version  string `json:"version"`
	WarmUpMs int    `json:"warmUpMs"`
}

// loadConfig: a broken file makes this process fail at start (exit 1).
func loadConfig() config {
	var c config
	raw, err := os.ReadFile(filepath.Join(os.Getenv("EXERCISE_DIR"), "config.json"))
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(1)
	}
	return c
}

func main() {
	cfg := loadConfig()
	successor := os.Getenv("LISTEN_FDS") == "1"
	os.Unsetenv("LISTEN_FDS") // meant for this process only
	var ln net.Listener
	var err error
	if successor {
		f := os.NewFile(3, "listener")
		ln, err = net.FileListener(f)
		f.Close()
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	time.Sleep(time.Duration(cfg.WarmUpMs) * time.Millisecond) // the warm-up
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Version", cfg.Version)
		fmt.Fprintln(w, cfg.Version)
	})}
	go server.Serve(ln)
	if successor {
		ready := os.NewFile(4, "ready")
		ready.Write([]byte("READY\n"))
		ready.Close()
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	<-hup
	signal.Reset(syscall.SIGHUP) // TODO: a second SIGHUP during the upgrade now kills this process.
	// TODO: leave only if the successor is READY; otherwise keep serving and accept the next trigger.
	upgrade(ln)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	server.Shutdown(ctx)
}

// upgrade starts a successor and reports whether it became READY. A successor that crashes or misses
// the deadline is killed and reaped.
func upgrade(ln net.Listener) bool {
	tcp := ln.(*net.TCPListener)
	f, err := tcp.File()
	if err != nil {
		return false
	}
	defer f.Close()
	readEnd, writeEnd, err := os.Pipe()
	if err != nil {
		return false
	}
	defer readEnd.Close()
	self, _ := os.Executable()
	cmd := exec.Command(self)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1")
	cmd.ExtraFiles = []*os.File{f, writeEnd}
	err = cmd.Start()
	writeEnd.Close() // only the successor holds it: its death means end-of-file here
	// Start() left the shared description blocking (exercise 2): repair it.
	if raw, err := tcp.SyscallConn(); err == nil {
		raw.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
	}
	if err != nil {
		return false
	}
	// TODO: end-of-file comes with READY or with the successor's death: tell them apart. And a
	//       successor that never gets ready: give up after readyDeadline (kill it, reap it).
	io.ReadAll(readEnd)
	go cmd.Wait()
	return true
}

// Exercise 6 — readiness that means ready. A server that needs a warm-up before it can answer; on
// SIGHUP it starts a successor that must warm up, serve, and say READY; only then may the old one go.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

var data atomic.Value // the warmed-up data; unset while cold

// warmUp reads data.json ({"data": "...", "warmUpMs": 300}) and takes warmUpMs: a wait standing in for
// filling caches, loading configuration, opening pools.
func warmUp() {
	var loaded struct {
		Data     string `json:"data"`
		WarmUpMs int    `json:"warmUpMs"`
	}
	raw, err := os.ReadFile(filepath.Join(os.Getenv("EXERCISE_DIR"), "data.json"))
	if err == nil {
		err = json.Unmarshal(raw, &loaded)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	time.Sleep(time.Duration(loaded.WarmUpMs) * time.Millisecond)
	data.Store(loaded.Data)
}

func handler(w http.ResponseWriter, r *http.Request) {
	token, warm := data.Load().(string)
	if !warm {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "cold")
		return
	}
	w.Header().Set("X-Data", token)
	fmt.Fprintln(w, token)
}

func main() {
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
	// TODO: this process says READY (fd 4) the moment it starts, then serves, then warms up. Put the
	//       three in the order that makes READY mean ready (the first generation has no fd 4).
	if successor {
		ready := os.NewFile(4, "ready")
		ready.Write([]byte("READY\n"))
		ready.Close()
	}
	server := &http.Server{Handler: http.HandlerFunc(handler)}
	go server.Serve(ln)
	warmUp()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	<-hup
	upgrade(ln)
	// Keep serving until here; then stop accepting, finish what is in flight, leave.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	server.Shutdown(ctx)
}

// upgrade starts the successor with our listener as its fd 3 and the write end of a pipe as its fd 4,
// and returns once the successor said READY.
func upgrade(ln net.Listener) {
	tcp := ln.(*net.TCPListener)
	f, err := tcp.File()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	readEnd, writeEnd, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	self, _ := os.Executable()
	cmd := exec.Command(self)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1")
	cmd.ExtraFiles = []*os.File{f, writeEnd}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
	writeEnd.Close() // only the successor holds it: its exit means end-of-file here
	// Start() left the shared description blocking (exercise 2): repair it.
	if raw, err := tcp.SyscallConn(); err == nil {
		raw.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
	}
	// TODO: return only once the successor said READY: read the pipe (readEnd) until end-of-file.
	_ = readEnd
}

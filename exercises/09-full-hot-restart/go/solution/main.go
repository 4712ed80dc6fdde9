// Exercise 9 — the whole hot restart. SIGHUP: start a successor that inherits the listener; once it
// serves, it tells us (SIGTERM) and we drain: no request in flight is lost, no keep-alive client hits a
// closed connection, and exactly one generation is left.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var draining atomic.Bool

func handler(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/slow" {
		ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
		if err != nil || ms <= 0 || ms > 2000 {
			ms = 100
		}
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	// While draining, every answer tells its keep-alive client to go: the client closes the connection
	// itself, after a complete response, and opens the next one to whoever accepts (the successor).
	if draining.Load() {
		w.Header().Set("Connection", "close")
	}
	fmt.Fprintf(w, "hello from %d\n", os.Getpid())
}

// 1. Inherit: LISTEN_FDS=1 means our listener is fd 3.
func listen() (net.Listener, bool, error) {
	if os.Getenv("LISTEN_FDS") == "1" {
		f := os.NewFile(3, "listener")
		defer f.Close() // FileListener made its own dup
		ln, err := net.FileListener(f)
		return ln, true, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	return ln, false, err
}

func main() {
	ln, inherited, err := listen()
	predecessor, _ := strconv.Atoi(os.Getenv("READY_PID"))
	for _, name := range []string{"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "READY_PID"} {
		os.Unsetenv(name)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tcp := ln.(*net.TCPListener)

	var open sync.WaitGroup // connections not yet closed
	server := &http.Server{Handler: http.HandlerFunc(handler), ConnState: func(c net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Done()
		}
	}}
	go server.Serve(ln)
	// 3. Ready means serving: only now may the predecessor leave.
	if inherited && predecessor == os.Getppid() {
		syscall.Kill(predecessor, syscall.SIGTERM)
	}

	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGHUP, syscall.SIGTERM)
	upgrading := make(chan bool, 1) // holds a value while a successor runs
	for sig := range signals {
		if sig == syscall.SIGHUP {
			// 2. Restart: one successor at a time; one that dies early changes nothing for us.
			select {
			case upgrading <- true:
				if err := startSuccessor(tcp, upgrading); err != nil {
					fmt.Fprintln(os.Stderr, "successor:", err)
					<-upgrading
				}
			default:
			}
			continue
		}
		// 4. Drain: stop accepting (Shutdown would also close idle connections, racing a client that
		//    is just sending on one), answer with Connection: close, exit when the last connection
		//    has gone, and at the latest after 10 s.
		draining.Store(true)
		tcp.Close()
		done := make(chan struct{})
		go func() { open.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
		os.Exit(0)
	}
}

func startSuccessor(tcp *net.TCPListener, upgrading chan bool) error {
	f, err := tcp.File()
	if err != nil {
		return err
	}
	defer f.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1", "LISTEN_FDNAMES=http", fmt.Sprintf("READY_PID=%d", os.Getpid()))
	cmd.ExtraFiles = []*os.File{f}
	err = cmd.Start()
	// Start() left the shared description blocking (exercise 2): make it non-blocking again.
	if raw, rawErr := tcp.SyscallConn(); rawErr == nil {
		raw.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
	}
	if err != nil {
		return err
	}
	go func() { cmd.Wait(); <-upgrading }()
	return nil
}

// A Go server that drains on SIGTERM (lesson 12): http.Server.Shutdown closes the listeners, then idle
// connections, and waits for the requests in flight. Serve returns http.ErrServerClosed at once, when
// Shutdown begins — so main must wait for Shutdown, not for Serve, or it exits mid-drain. Each event goes
// to the log file as one line, `<unix ms> <what>`, so that the lesson can order them.
// Usage: drain LOG (listens on 127.0.0.1, port chosen by the kernel; GET /slow?ms=N answers after N ms).
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

var logFile = os.Stdout

// logf writes one line to the log (each line is a single write, so lines never interleave).
func logf(format string, args ...any) {
	fmt.Fprintf(logFile, "%d %s\n", time.Now().UnixMilli(), fmt.Sprintf(format, args...))
}

func exitHooks() { logf("exit hooks: flushing the access log, closing the database pool") }

func main() {
	if len(os.Args) == 2 {
		f, err := os.OpenFile(os.Args[1], os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		logFile = f
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		logf("listen: %v", err)
		os.Exit(1)
	}
	logf("pid %d listening on port %d", os.Getpid(), ln.Addr().(*net.TCPAddr).Port)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-pid", strconv.Itoa(os.Getpid()))
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		logf("GET %s: answering in %d ms", r.URL, ms)
		time.Sleep(time.Duration(ms) * time.Millisecond)
		w.Header().Set("x-pid", strconv.Itoa(os.Getpid()))
		fmt.Fprintln(w, "done")
		logf("GET %s: answered", r.URL)
	})
	srv := &http.Server{Handler: mux}
	// [hooks]
	srv.RegisterOnShutdown(func() { logf("RegisterOnShutdown hook: Shutdown began") }) // for what Shutdown cannot drain (WebSockets) | zh: 用于 Shutdown 排空不了的东西（WebSocket）
	// [/hooks]

	// [drain]
	drained := make(chan struct{})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		logf("SIGTERM received: Shutdown")
		// [deadline]
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil { // closes listeners, then idle connections, waits for the rest | zh: 先关监听 socket，再关空闲连接，然后等其余的请求
			logf("drain cut short: %v", err) // the deadline passed | zh: 截止时间已过
			srv.Close()                      // close what is left | zh: 关掉剩下的
		}
		// [/deadline]
		logf("Shutdown returned")
		close(drained)
	}()
	err = srv.Serve(ln) // returns as soon as Shutdown begins | zh: Shutdown 一开始，Serve 就返回
	logf("Serve returned: %v (errors.Is ErrServerClosed: %t)", err, errors.Is(err, http.ErrServerClosed))
	if !errors.Is(err, http.ErrServerClosed) {
		os.Exit(1)
	}
	<-drained // so wait for Shutdown itself: the requests in flight are still running | zh: 所以要等 Shutdown 本身：进行中的请求还在跑
	// [/drain]
	// [hooks]
	exitHooks() // after the drain: they may still be needed until then | zh: 在排空之后：在那之前可能还用得着它们
	// [/hooks]
	logf("exiting")
}

// The restart lab's Go server, restarted the way cloudflare/tableflip's README shows: SIGUSR2 calls
// Upgrade(), the successor inherits the listener through tableflip's Fds, calls Ready(), and the old
// process then runs http.Server.Shutdown (which also closes idle keep-alive connections) and exits.
// Answers `ok <pid>` with an x-pid header; prints {"pid":..,"port":..} on stdout once it serves.
// Built by bench/restart-lab.ts in GOPATH mode against Debian's golang-github-cloudflare-tableflip-dev.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cloudflare/tableflip"
)

func main() {
	upg, err := tableflip.New(tableflip.Options{PIDFile: os.Getenv("PID_FILE")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer upg.Stop()

	go func() {
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGUSR2)
		for range signals {
			if err := upg.Upgrade(); err != nil {
				fmt.Fprintln(os.Stderr, "upgrade failed:", err)
			}
		}
	}()

	port := os.Getenv("PORT")
	if port == "" {
		port = "0"
	}
	listener, err := upg.Fds.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pid := strconv.Itoa(os.Getpid())
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-pid", pid)
		fmt.Fprintf(w, "ok %s\n", pid)
	})}
	go server.Serve(listener)

	if err := upg.Ready(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("{\"pid\":%d,\"port\":%d}\n", os.Getpid(), listener.Addr().(*net.TCPAddr).Port)
	<-upg.Exit()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	server.Shutdown(ctx)
}

// A Go server that drains on SIGTERM (lesson 12): http.Server.Shutdown closes the listeners, then idle
// connections, and waits for the requests in flight. Serve returns http.ErrServerClosed at once, when
// Shutdown begins — so main must wait for Shutdown, not for Serve, or it exits mid-drain.
// Usage: drain (listens on 127.0.0.1, port chosen by the kernel; GET /slow answers after 1 s).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("port", ln.Addr().(*net.TCPAddr).Port)
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Second)
		fmt.Fprintln(w, "done")
	})
	srv := &http.Server{Handler: mux}

	// [drain]
	drained := make(chan struct{})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil { // closes listeners, then idle connections, waits for the rest | zh: 先关监听 socket，再关空闲连接，然后等其余的请求
			log.Printf("drain cut short: %v", err) // the deadline passed: what is left is cut | zh: 截止时间已过：剩下的被切断
		}
		close(drained)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) { // Serve returns as soon as Shutdown begins | zh: Shutdown 一开始，Serve 就返回
		log.Fatal(err)
	}
	<-drained // so wait for Shutdown itself: the requests in flight are still running | zh: 所以要等 Shutdown 本身：进行中的请求还在跑
	// [/drain]
	fmt.Println("drained")
}

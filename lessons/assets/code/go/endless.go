// endless's order (github.com/fvbock/endless, ListenAndServe in endless.go), as lesson 11 shows it: the
// child tells its parent to stop as soon as it holds the listener, before it serves. Reduced to the lines
// that matter on a standard-library server, so that it builds; whatever runs between the kill and Serve
// (BeforeBegin, or a slow start-up) is time in which nobody accepts.
// Usage: endless (serves on 127.0.0.1, port chosen by the kernel; as a child, set ENDLESS_CONTINUE=1).
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"syscall"
)

type endlessServer struct {
	http.Server
	isChild     bool
	BeforeBegin func(addr string)
	ln          net.Listener
}

// Serve is endless's: it serves the listener that ListenAndServe got.
func (srv *endlessServer) Serve() error { return srv.Server.Serve(srv.ln) }

func (srv *endlessServer) ListenAndServe() error {
	ln, err := net.Listen("tcp", srv.Addr) // endless: inherited fd 3 in a child
	if err != nil {
		return err
	}
	srv.ln = ln
	// [order]
	// endless: the child, as soon as it has the listener | zh: endless：子进程一拿到 listener 就这么做
	if srv.isChild {
		syscall.Kill(syscall.Getppid(), syscall.SIGTERM) // the parent stops accepting now | zh: 父进程此刻就停止 accept
	}
	srv.BeforeBegin(srv.Addr)
	return srv.Serve() // anything before this is a gap | zh: 在这之前的一切都是空档
	// [/order]
}

func main() {
	srv := &endlessServer{Server: http.Server{Addr: "127.0.0.1:0"}, isChild: os.Getenv("ENDLESS_CONTINUE") != ""}
	srv.BeforeBegin = func(addr string) { fmt.Println("pid", os.Getpid(), "serving", srv.ln.Addr()) }
	log.Fatal(srv.ListenAndServe())
}

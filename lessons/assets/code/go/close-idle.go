// Go's Shutdown and keep-alive connections (lesson 12): it closes the listeners, then every connection
// that is idle, polling until none is left. A request already on its way to a connection it closes is
// lost; the answers it still gives carry "Connection: close" (lesson 12 shows that header live).
// Usage: close-idle (serves on 127.0.0.1 until SIGTERM, then shuts down).
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println("port", ln.Addr().(*net.TCPAddr).Port)
	srv := &http.Server{}
	go srv.Serve(ln)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	<-sig
	ctx := context.Background()
	// [shutdown]
	err = srv.Shutdown(ctx) // closes listeners, then idle connections: a request on its way to one is lost | zh: 先关监听 socket，再关空闲连接：正发往空闲连接的请求会丢失
	// the answers it still gives carry "Connection: close" | zh: 它仍在发出的响应都带 "Connection: close"
	// (Go's Transport sends GET, HEAD, OPTIONS, TRACE again on a fresh connection; a POST fails) | zh: （Go 的 Transport 会在新连接上重发 GET、HEAD、OPTIONS、TRACE；POST 则直接失败）
	// [/shutdown]
	fmt.Println("shutdown:", err)
}

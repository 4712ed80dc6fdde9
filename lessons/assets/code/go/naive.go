// The naive restart (lesson 1), in Go: serve, stop gracefully (Shutdown closes the listener first), and
// listen again as the new process would; then the way the course goes instead: a successor that takes
// the listening socket inherited at fd 3 (`naive -successor`, started by the first run).
// Usage: naive (prints each stage; the port is picked by the kernel).
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"
)

// [serve]
var handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "ok\n")
})

// [/serve]

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-successor" {
		successor()
		return
	}
	// [serve]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	// [/serve]
	addr := ln.Addr().String()
	// One request first: Serve has started (a Shutdown before it would leave ln open until Serve runs).
	resp, err := http.Get("http://" + addr)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	// [shutdown]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(ctx) // 1. close the listeners  2. wait for active requests | zh: 1. 关闭监听 socket  2. 等待进行中的请求
	// then the supervisor (systemd, k8s) starts the new binary | zh: 然后由 supervisor（systemd、k8s）启动新的程序
	// [/shutdown]
	fmt.Println("stopped: nothing listens on", addr)
	// [relisten]
	// the new process, once started: | zh: 新进程启动之后：
	ln, err = net.Listen("tcp", addr) // Go sets SO_REUSEADDR: TIME_WAIT does not block the bind | zh: Go 会设置 SO_REUSEADDR：TIME_WAIT 不会挡住 bind
	// [/relisten]
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening again on", addr)
	// The course's way: the successor inherits this very socket at its fd 3.
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-successor")
	cmd.ExtraFiles = []*os.File{f}
	cmd.Stdout = os.Stdout
	if err := cmd.Run(); err != nil {
		log.Fatal(err)
	}
}

func successor() {
	// [successor]
	// the new process: the listening socket arrived as fd 3, inherited | zh: 新进程：监听 socket 作为 fd 3 继承而来
	ln, err := net.FileListener(os.NewFile(3, "listener"))
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, handler)
	fmt.Println("ready") // the old process may stop accepting and drain | zh: 旧进程可以停止 accept 并排空了
	// [/successor]
	resp, err := http.Get("http://" + ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("the successor answered:", resp.Status)
}

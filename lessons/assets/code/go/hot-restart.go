// A whole hot restart in Go, standard library only (lesson 13): the shape tableflip and endless wrap.
// Generation 1 listens; on SIGUSR2 it starts the same binary with the listener at the child's fd 3 and the
// write end of a readiness pipe at fd 4. The successor warms up first, then rebuilds the listener
// (net.FileListener) and serves, then writes READY. Only then does the old generation stop accepting
// (closing its own fd: the successor's keeps the socket and its queue), answer its last requests with
// Connection: close so that keep-alive clients reconnect (to the successor), and exit. On SIGTERM a
// generation simply shuts down (stop-and-start). Lines in LOGFILE are what the tutor reads.
// Usage: hot-restart LOGFILE [ADDR] (ADDR defaults to 127.0.0.1:0). WARM_GATE=FILE: a successor's warm-up
// lasts until FILE exists (the tutor holds it there to show the fd tables); otherwise 100 ms.
package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	logFile    *os.File
	generation = 1
	draining   atomic.Bool  // set once the successor is ready
	open       atomic.Int64 // this generation's open connections
)

// say appends one line to the log (O_APPEND: every generation shares the file).
func say(format string, args ...any) {
	fmt.Fprintf(logFile, "gen %d pid %d: %s\n", generation, os.Getpid(), fmt.Sprintf(format, args...))
}

func fail(what string, err error) {
	say("%s failed: %v", what, err)
	os.Exit(1)
}

// [handler]
var handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Pid", strconv.Itoa(os.Getpid()))
	if draining.Load() {
		w.Header().Set("Connection", "close") // the client's next request goes to the successor | zh: 客户端的下一个请求会去找后继进程
	}
	fmt.Fprintf(w, "ok %d\n", os.Getpid())
})

// [/handler]

// rawFd reaches a listener's fd through SyscallConn, which leaves the blocking mode alone (Fd() would not).
func rawFd(ln net.Listener) (fd int) {
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		return -1
	}
	rc.Control(func(raw uintptr) { fd = int(raw) })
	return fd
}

// fileFlags is the "flags:" line of /proc/self/fdinfo/FD (octal: 04000 is O_NONBLOCK).
func fileFlags(fd int) string {
	info, _ := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", fd))
	for _, line := range strings.Split(string(info), "\n") {
		if strings.HasPrefix(line, "flags:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "flags:"))
		}
	}
	return "?"
}

// keepNonblocking undoes what Fd() did in cmd.Start, without calling Fd() again (lesson 6).
func keepNonblocking(ln net.Listener) {
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
}

// warmUp stands for loading configuration, filling caches, opening pools.
func warmUp() {
	gate := os.Getenv("WARM_GATE")
	if gate == "" {
		time.Sleep(100 * time.Millisecond)
		return
	}
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(gate); err == nil {
			return
		}
	}
}

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: hot-restart LOGFILE [ADDR]")
		os.Exit(2)
	}
	var err error
	logFile, err = os.OpenFile(os.Args[1], os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	addr := "127.0.0.1:0"
	if len(os.Args) == 3 {
		addr = os.Args[2]
	}
	if n, err := strconv.Atoi(os.Getenv("HOT_GENERATION")); err == nil {
		generation = n
	}
	srv := &http.Server{Handler: handler, ConnState: func(c net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGUSR2, syscall.SIGTERM)

	var ln net.Listener
	if os.Getenv("LISTEN_FDS") == "1" {
		os.Unsetenv("LISTEN_FDS") // our own children must not take fd 3 for theirs (lesson 4)
		say("holds the listener at fd 3, flags %s; warming up", fileFlags(3))
		// [ready]
		warmUp()                       // configuration, caches, connections | zh: 配置、缓存、连接
		f := os.NewFile(3, "listener") // inherited: ExtraFiles[0] of the predecessor | zh: 继承来的：前任的 ExtraFiles[0]
		ln, err = net.FileListener(f)  // a dup; sets O_NONBLOCK on the shared description | zh: 一个 dup；在共享的打开文件描述上设置 O_NONBLOCK
		f.Close()                      // fd 3 must not leak into our own children | zh: fd 3 不能漏进我们自己的子进程
		if err != nil {
			fail("FileListener", err)
		}
		go srv.Serve(ln)                // only now accept from the shared queue | zh: 直到这时才从共享的队列里 accept
		ready := os.NewFile(4, "ready") // the readiness pipe | zh: 就绪管道
		ready.WriteString("READY\n")    // the predecessor may leave now | zh: 前任现在可以离开了
		ready.Close()
		// [/ready]
		say("serving on fd %d (FileListener), flags %s; ready", rawFd(ln), fileFlags(rawFd(ln)))
	} else {
		// [listen]
		ln, err = net.Listen("tcp", addr) // the first generation binds | zh: 第一代进程自己 bind
		// [/listen]
		if err != nil {
			fail("listen", err)
		}
		// [listen]
		go srv.Serve(ln)
		// [/listen]
		say("listening on fd %d port %d", rawFd(ln), ln.Addr().(*net.TCPAddr).Port)
	}

	for sig := range signals {
		if sig == syscall.SIGTERM {
			// [sigterm]
			// SIGTERM: stop, and let the service manager start the new binary | zh: SIGTERM：停下，由服务管理器启动新的程序
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			srv.Shutdown(ctx) // closes the listener first (its queue is reset if no other fd holds it), then waits for active requests | zh: 先关闭监听 socket（如果没有别的 fd 持有它，队列会被重置），再等待进行中的请求
			// [/sigterm]
			say("exit (SIGTERM)")
			return
		}
		if upgrade(srv, ln) {
			say("exit (handed over)")
			return
		}
		say("the successor failed before it was ready: serving on")
	}
}

// upgrade starts a successor and, once it is ready, leaves; false if the successor failed.
func upgrade(srv *http.Server, ln net.Listener) bool {
	// [upgrade]
	f, _ := ln.(*net.TCPListener).File() // a close-on-exec dup, for ExtraFiles | zh: 一个带 close-on-exec 的 dup，交给 ExtraFiles
	r, w, _ := os.Pipe()                 // readiness: the successor writes READY at its fd 4 | zh: 就绪通知：后继进程往它的 fd 4 写 READY
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.ExtraFiles = []*os.File{f, w} // the successor's fd 3 and fd 4 | zh: 后继进程的 fd 3 和 fd 4
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1", fmt.Sprintf("HOT_GENERATION=%d", generation+1))
	err := cmd.Start() // calls Fd() on f and w: the listener's description turns blocking | zh: 会对 f 和 w 调用 Fd()：监听 socket 的打开文件描述变成阻塞的
	// [/upgrade]
	afterStart := fileFlags(rawFd(ln))
	// [upgrade]
	keepNonblocking(ln) // so put O_NONBLOCK back at once (lesson 6) | zh: 所以立刻把 O_NONBLOCK 设回去（第 6 课）
	f.Close()           // the successor holds its own copies now | zh: 后继进程已经有了自己的副本
	w.Close()
	// [/upgrade]
	if err != nil {
		say("could not start a successor: %v", err)
		return false
	}
	say("started gen %d pid %d; listener flags after cmd.Start %s, restored %s", generation+1, cmd.Process.Pid, afterStart, fileFlags(rawFd(ln)))
	go cmd.Wait() // reap it if it dies; once this process exits, init does
	defer r.Close()
	// [leave]
	if line, _ := bufio.NewReader(r).ReadString('\n'); line != "READY\n" {
		return false // EOF: the successor died before it was ready; keep serving | zh: 读到 EOF：后继进程在就绪之前就死了；继续服务
	}
	// [/leave]
	began := time.Now()
	// [leave]
	draining.Store(true) // every response from now on says Connection: close | zh: 从现在起每个响应都带 Connection: close
	ln.Close()           // stop accepting: the successor's fd keeps the socket and its queue | zh: 停止 accept：后继进程的 fd 仍持有这个 socket 和它的队列
	for deadline := time.Now().Add(2 * time.Second); open.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // keep-alive clients leave after their next response | zh: keep-alive 客户端在收到下一个响应后离开
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(ctx) // what is still open: idle connections closed, requests in flight finished | zh: 处理剩下的：关闭空闲连接，处理完进行中的请求
	// [/leave]
	say("successor ready: drained in %d ms, %d connections left at the end", time.Since(began).Milliseconds(), open.Load())
	return true
}

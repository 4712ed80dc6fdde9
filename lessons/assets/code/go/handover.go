// A Go server hands its listener to a child, one stage per SIGUSR1, so that the tutor can show the fd
// tables in between (lesson 6): File() is a close-on-exec dup; cmd.Start with ExtraFiles calls Fd(),
// which makes the shared description blocking (the child gets it at fd 3); a pending Accept then keeps
// ln.Close() from returning until a client comes; the child's net.FileListener makes the description
// non-blocking again, for the parent too. Lines in the log file are what the tutor reads.
// Usage: handover LOGFILE (the parent) · handover -child LOGFILE (started by the parent).
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

var logFile *os.File

// say appends one line to the log the tutor reads (O_APPEND: parent and child share the file).
func say(format string, args ...any) {
	fmt.Fprintf(logFile, format+"\n", args...)
}

// fdOf reads a listener's fd through SyscallConn, which leaves the blocking mode alone (Fd() would not).
func fdOf(ln net.Listener) int {
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	rc.Control(func(raw uintptr) { fd = int(raw) })
	return fd
}

// fileFdOf is fdOf for an *os.File, again without Fd().
func fileFdOf(f *os.File) int {
	rc, err := f.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	rc.Control(func(raw uintptr) { fd = int(raw) })
	return fd
}

func main() {
	switch {
	case len(os.Args) == 3 && os.Args[1] == "-child":
		openLog(os.Args[2])
		child()
	case len(os.Args) == 2:
		openLog(os.Args[1])
		parent(os.Args[1])
	default:
		fmt.Fprintln(os.Stderr, "usage: handover LOGFILE")
		os.Exit(2)
	}
}

func openLog(path string) {
	var err error
	logFile, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func fail(what string, err error) {
	say("parent: %s failed: %v", what, err)
	os.Exit(1)
}

func parent(logPath string) {
	next := make(chan os.Signal, 1)
	signal.Notify(next, syscall.SIGUSR1)

	// [listen-file]
	ln, err := net.Listen("tcp", "127.0.0.1:0") // socket(..., SOCK_NONBLOCK|SOCK_CLOEXEC) | zh: socket(..., SOCK_NONBLOCK|SOCK_CLOEXEC)
	// [/listen-file]
	if err != nil {
		fail("listen", err)
	}
	say("parent: listen fd %d port %d", fdOf(ln), ln.Addr().(*net.TCPAddr).Port)

	<-next
	// [listen-file]
	f, err := ln.(*net.TCPListener).File() // fcntl(fd, F_DUPFD_CLOEXEC, 0): a close-on-exec dup | zh: fcntl(fd, F_DUPFD_CLOEXEC, 0)：带 close-on-exec 的 dup
	// [/listen-file]
	if err != nil {
		fail("File", err)
	}
	say("parent: file fd %d", fileFdOf(f))

	<-next
	// [start]
	cmd := exec.Command(os.Args[0], "-child", logPath)
	cmd.ExtraFiles = []*os.File{f} // ExtraFiles[0] is the child's fd 3 | zh: ExtraFiles[0] 就是子进程的 fd 3
	err = cmd.Start()              // calls f.Fd(): the shared description turns blocking | zh: 会调用 f.Fd()：共享的打开文件描述变成阻塞模式
	// [/start]
	if err != nil {
		fail("start", err)
	}
	say("parent: started child pid %d", cmd.Process.Pid)

	<-next
	// [close-hangs]
	go func() {
		conn, err := ln.Accept() // blocking description: the thread sleeps inside accept(2) | zh: 阻塞的打开文件描述：线程睡在 accept(2) 里
		// [/close-hangs]
		if err == nil {
			say("parent: accept returned a connection from %s", conn.RemoteAddr())
			conn.Close()
		}
		// [close-hangs]
	}()
	time.Sleep(200 * time.Millisecond) // let the goroutine reach accept(2) | zh: 让 goroutine 先进入 accept(2)
	// [/close-hangs]
	began := time.Now()
	say("parent: close called")
	// [close-hangs]
	ln.Close() // waits for the Accept above, which only a client can end | zh: 要等上面的 Accept 结束，而只有客户端能让它结束
	// [/close-hangs]
	say("parent: close returned after %d ms", time.Since(began).Milliseconds())

	<-next // holds f until the tutor ends it
	select {}
}

func child() {
	next := make(chan os.Signal, 1)
	signal.Notify(next, syscall.SIGUSR1)
	say("child: pid %d holds the listener at fd 3", os.Getpid())
	<-next
	// [rebuild]
	ln, err := net.FileListener(os.NewFile(3, "listener")) // dup(3), then O_NONBLOCK on the shared description | zh: dup(3)，再给共享的打开文件描述设上 O_NONBLOCK
	// [/rebuild]
	if err != nil {
		say("child: FileListener failed: %v", err)
		os.Exit(1)
	}
	say("child: rebuilt the listener at fd %d", fdOf(ln))
	select {}
}

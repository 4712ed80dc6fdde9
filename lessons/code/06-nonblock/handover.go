// A Go server hands its listener to a child, one stage per SIGUSR1, so the tutor can show each fd table:
// File() is a close-on-exec dup, cmd.Start with ExtraFiles makes the shared description blocking (the
// child gets it at fd 3), a pending Accept then keeps ln.Close() from returning until a client comes,
// and the child's net.FileListener makes the description non-blocking again.
// Usage: handover LOGFILE (parent) · handover -child LOGFILE (started by the parent).
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

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-child" {
		open(os.Args[2])
		child()
		return
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: handover LOGFILE")
		os.Exit(2)
	}
	open(os.Args[1])
	parent()
}

func open(path string) {
	var err error
	logFile, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func parent() {
	next := make(chan os.Signal, 1)
	signal.Notify(next, syscall.SIGUSR1)

	ln, err := net.Listen("tcp", "127.0.0.1:0") // socket(..., SOCK_NONBLOCK|SOCK_CLOEXEC)
	if err != nil {
		say("parent: listen failed: %v", err)
		os.Exit(1)
	}
	say("parent: listen fd %d port %d", fdOf(ln), ln.Addr().(*net.TCPAddr).Port)

	<-next
	f, err := ln.(*net.TCPListener).File() // fcntl(fd, F_DUPFD_CLOEXEC, 0): a dup, close-on-exec
	if err != nil {
		say("parent: File failed: %v", err)
		os.Exit(1)
	}
	// f.Fd() here would switch the shared description to blocking; nothing calls it yet.
	fileFd := -1
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(raw uintptr) { fileFd = int(raw) })
	}
	say("parent: file fd %d", fileFd)

	<-next
	cmd := exec.Command(os.Args[0], "-child", os.Args[1])
	cmd.ExtraFiles = []*os.File{f} // ExtraFiles[0] becomes the child's fd 3
	// os.StartProcess calls f.Fd() on every file it passes: the description turns blocking here.
	if err := cmd.Start(); err != nil {
		say("parent: start failed: %v", err)
		os.Exit(1)
	}
	say("parent: started child pid %d", cmd.Process.Pid)

	<-next
	go func() {
		conn, err := ln.Accept() // blocking description: this thread sleeps inside accept(2)
		if err != nil {
			say("parent: accept returned error: %v", err)
			return
		}
		say("parent: accept returned a connection from %s", conn.RemoteAddr())
		conn.Close()
	}()
	time.Sleep(200 * time.Millisecond) // let the goroutine reach accept(2)
	began := time.Now()
	say("parent: close called")
	ln.Close() // waits for the Accept above, which only a client can end
	say("parent: close returned after %d ms", time.Since(began).Milliseconds())

	<-next // stays alive, holding f, until the tutor ends it
	select {}
}

func child() {
	next := make(chan os.Signal, 1)
	signal.Notify(next, syscall.SIGUSR1)
	say("child: pid %d holds the listener at fd 3", os.Getpid())
	<-next
	ln, err := net.FileListener(os.NewFile(3, "listener")) // dup(3), then O_NONBLOCK on the shared description
	if err != nil {
		say("child: FileListener failed: %v", err)
		os.Exit(1)
	}
	say("child: rebuilt the listener at fd %d", fdOf(ln))
	select {}
}

// Handing two listeners to a child without leaving them blocking (lessons 2, 4 and 8). os/exec calls Fd()
// on every file it passes, and Fd() clears O_NONBLOCK on the shared description: the parent's own
// listener then blocks, and its ln.Close() waits for a pending Accept until a client comes (lesson 6).
// Two ways out: put O_NONBLOCK back through SyscallConn right after cmd.Start, or skip *os.File and
// hand the raw fds to syscall.ForkExec, which calls no Fd(). Run with no argument it does both and
// prints each listener's file flags (from /proc/self/fdinfo) and how long ln.Close() took.
// Usage: pass-listeners [extrafiles|forkexec]; the child it starts runs pass-listeners -child.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// rawFd is the listener's fd, read through SyscallConn, which leaves the blocking mode alone.
func rawFd(ln net.Listener) int {
	fd := -1
	if rc, err := ln.(*net.TCPListener).SyscallConn(); err == nil {
		rc.Control(func(raw uintptr) { fd = int(raw) })
	}
	return fd
}

// [restore]
// keepNonblocking undoes what Fd() did, without calling Fd() again. | zh: 撤销 Fd() 的改动，而且不再调用 Fd()。
func keepNonblocking(ln net.Listener) error {
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		return err
	}
	var setErr error
	rc.Control(func(fd uintptr) { setErr = syscall.SetNonblock(int(fd), true) })
	return setErr
}
// [/restore]

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

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-child" {
		child()
		return
	}
	// access.log goes into a private directory that is gone when the program ends.
	dir, err := os.MkdirTemp("", "pass-listeners-")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		log.Fatal(err)
	}
	failed := false
	ways := []string{"extrafiles", "forkexec"}
	if len(os.Args) == 2 {
		ways = os.Args[1:]
	}
	for _, way := range ways {
		if err := handOver(way); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", way, err)
			failed = true
		}
	}
	os.RemoveAll(dir)
	if failed {
		os.Exit(1)
	}
}

func handOver(way string) error {
	// [open]
	logs, err := os.OpenFile("access.log", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	// [/open]
	if err != nil {
		return err
	}
	defer logs.Close()
	// [open]
	ln, err := net.Listen("tcp", "127.0.0.1:0") // fd: whatever is free right now | zh: fd：此刻空着的最小编号
	// [/open]
	if err != nil {
		return err
	}
	// [open]
	admin, err := net.Listen("tcp", "127.0.0.1:0")
	// [/open]
	if err != nil {
		return err
	}
	var pid int
	switch way {
	case "extrafiles":
		// [extrafiles]
		httpFile, _ := ln.(*net.TCPListener).File() // F_DUPFD_CLOEXEC: a close-on-exec dup | zh: F_DUPFD_CLOEXEC：带 close-on-exec 的 dup
		adminFile, _ := admin.(*net.TCPListener).File()
		cmd := exec.Command(os.Args[0], "-child")
		cmd.ExtraFiles = []*os.File{httpFile, adminFile} // fd 3, fd 4 in the child | zh: 子进程里的 fd 3、fd 4
		cmd.Env = append(os.Environ(), "LISTEN_FDS=2")
		err := cmd.Start() // os.StartProcess calls Fd() on each file: both descriptions turn blocking | zh: os.StartProcess 对每个文件调用 Fd()：两个打开文件描述都变成阻塞的
		if err != nil {
			return err
		}
		keepNonblocking(ln) // so put O_NONBLOCK back at once (the child's FileListener would too, later) | zh: 所以立刻把 O_NONBLOCK 设回去（子进程的 FileListener 稍后也会设）
		keepNonblocking(admin)
		httpFile.Close() // the dups File() made: the child holds its own copies now | zh: 关掉 File() 做的 dup：子进程已经有了自己的副本
		adminFile.Close()
		// [/extrafiles]
		pid = cmd.Process.Pid
	case "forkexec":
		// [forkexec]
		// one level down: Files[i] is the child's fd i; raw fds, so no Fd() and no mode change | zh: 再往下一层：Files[i] 就是子进程的 fd i；传原始 fd，不调用 Fd()，模式也就不变
		pid, err = syscall.ForkExec(os.Args[0], []string{os.Args[0], "-child"}, &syscall.ProcAttr{
			Env:   append(os.Environ(), "LISTEN_FDS=2"),
			Files: []uintptr{0, 1, 2, uintptr(rawFd(ln)), uintptr(rawFd(admin))},
		})
		// [/forkexec]
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("no such way: %s", way)
	}
	fmt.Printf("%s: listener flags %s, admin flags %s\n", way, fileFlags(rawFd(ln)), fileFlags(rawFd(admin)))

	go ln.Accept() // a serving goroutine, as http.Serve would have
	time.Sleep(100 * time.Millisecond)
	began := time.Now()
	// [let-go]
	// ... once the child says it is ready: | zh: ……等子进程说它已就绪：
	ln.Close() // non-blocking, so a pending Accept wakes with an error at once | zh: 非阻塞，所以正在等待的 Accept 会立刻带着错误醒来
	admin.Close()
	// [/let-go]
	fmt.Printf("%s: ln.Close() took %s\n", way, time.Since(began).Round(time.Millisecond))
	syscall.Kill(pid, syscall.SIGTERM)
	var status syscall.WaitStatus
	syscall.Wait4(pid, &status, 0, nil)
	return nil
}

func child() {
	// [child]
	f := os.NewFile(3, "http")      // fd 3: ExtraFiles[0] | zh: fd 3：ExtraFiles[0]
	ln, err := net.FileListener(f) // dups fd 3 and sets O_NONBLOCK on the shared description | zh: dup 出 fd 3 的副本，并在共享的打开文件描述上设置 O_NONBLOCK
	f.Close()                      // ln holds its own dup | zh: ln 持有自己的 dup
	// [/child]
	if err != nil {
		os.Exit(1)
	}
	http.Serve(ln, http.NotFoundHandler())
}

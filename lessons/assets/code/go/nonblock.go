// O_NONBLOCK lives on the open file description (lesson 6), in Go: ln.File() is a close-on-exec dup that
// changes no mode; f.Fd() makes the description blocking, and so does cmd.Start, which calls Fd() on every
// file it passes (stdin or ExtraFiles); SyscallConn reaches the fd without touching the mode, and can put
// O_NONBLOCK back. Prints the listener's flags after each call (octal, 04000 is O_NONBLOCK).
// Usage: nonblock
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// flags is the "flags:" line of /proc/self/fdinfo for the listener's own fd, read through SyscallConn.
func flags(ln net.Listener) string {
	rc, _ := ln.(*net.TCPListener).SyscallConn()
	out := "?"
	rc.Control(func(fd uintptr) {
		info, _ := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", fd))
		for _, line := range strings.Split(string(info), "\n") {
			if strings.HasPrefix(line, "flags:") {
				out = strings.TrimSpace(strings.TrimPrefix(line, "flags:"))
			}
		}
	})
	return out
}

// [keep]
// Keep the listener non-blocking: reach the fd through SyscallConn, | zh: 让 listener 保持非阻塞：通过 SyscallConn 拿到 fd，
// which leaves the mode alone, never through Fd() | zh: 它不改模式；永远不要通过 Fd()
func keepNonblocking(ln net.Listener) error {
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		return err
	}
	var setErr error
	rc.Control(func(fd uintptr) { setErr = syscall.SetNonblock(int(fd), true) }) // and undo what Fd() did | zh: 顺便撤销 Fd() 的改动
	return setErr
}

// [/keep]

func main() {
	// [file-fd]
	ln, _ := net.Listen("tcp", "127.0.0.1:0") // SOCK_NONBLOCK
	f, _ := ln.(*net.TCPListener).File()      // fcntl(F_DUPFD_CLOEXEC)
	// [/file-fd]
	fmt.Println("after File():", flags(ln))

	// [stdin]
	cmd := exec.Command("sleep", "2")
	cmd.Stdin = f // f from ln.File()
	// os.StartProcess calls f.Fd() on every file it passes, ExtraFiles too, | zh: os.StartProcess 会对它传递的每个文件调用 f.Fd()，ExtraFiles 也一样，
	// and Fd() makes the socket blocking: | zh: 而 Fd() 会把 socket 改成阻塞的：
	cmd.Start()
	// [/stdin]
	fmt.Println("after cmd.Start() with the listener as stdin:", flags(ln))
	cmd.Process.Kill()
	cmd.Wait()

	// [restore-call]
	keepNonblocking(ln) // after cmd.Start(): put O_NONBLOCK back at once | zh: cmd.Start() 之后：立刻把 O_NONBLOCK 设回去
	// [/restore-call]
	fmt.Println("after keepNonblocking:", flags(ln))

	// [file-fd]
	fd := f.Fd() // fcntl(F_SETFL, O_RDWR): blocking | zh: fcntl(F_SETFL, O_RDWR)：阻塞
	// Go < 1.11: File() itself made the description blocking | zh: Go 1.11 之前：File() 自己就会把打开文件描述改成阻塞的
	// [/file-fd]
	fmt.Printf("after f.Fd() (= %d): %s\n", fd, flags(ln))
	ln.Close()
	f.Close()
}

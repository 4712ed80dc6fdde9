// File status flags against fd flags (lesson 6), as a child that inherited a listener at fd 3 would set
// them: O_NONBLOCK goes to the shared open file description, FD_CLOEXEC to this process's fd 3 only. Run
// with no argument it listens, starts itself as that child, and both print their /proc fdinfo flags.
// Usage: flags (parent) · flags -child (started by the parent).
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

func fdinfoFlags(fd int) string {
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
		// [clear-nonblock]
		syscall.SetNonblock(3, false) // fcntl(3, F_SETFL, flags &^ O_NONBLOCK): the description | zh: fcntl(3, F_SETFL, flags &^ O_NONBLOCK)：改的是打开文件描述
		// [/clear-nonblock]
		fmt.Println("child fd 3 after clearing O_NONBLOCK:", fdinfoFlags(3))
		// [flags]
		syscall.SetNonblock(3, true)                              // the description: every holder sees it | zh: 打开文件描述：所有持有者都看得到
		syscall.Syscall(syscall.SYS_FCNTL, 3, syscall.F_SETFD, 0) // this fd only: it now survives exec | zh: 只改这个 fd：它现在能活过 exec
		// [/flags]
		fmt.Println("child fd 3 after both:", fdinfoFlags(3))
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f, _ := ln.(*net.TCPListener).File()
	cmd := exec.Command(os.Args[0], "-child")
	cmd.Stdout = os.Stdout
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rc, _ := f.SyscallConn()
	rc.Control(func(fd uintptr) { fmt.Println("parent's dup afterwards:", fdinfoFlags(int(fd))) })
}

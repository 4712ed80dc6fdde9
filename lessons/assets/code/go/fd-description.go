// fd, open file description, inode (lesson 3), in Go: a file opened, dup'ed, opened again and passed to a
// child. dup and inheritance share the description (one offset, one set of status flags); a second
// open(2) shares only the inode. Prints what each read returns; works in a temporary directory.
// Usage: fd-description (the child is this program run with -child).
package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
)

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	buf := make([]byte, 16)
	if len(os.Args) == 2 && os.Args[1] == "-child" {
		// [child]
		n, err := os.NewFile(3, "data.txt").Read(buf[:4]) // "5678": where the parent's offset stood | zh: "5678"：正是父进程偏移量所在的位置
		// [/child]
		check(err)
		fmt.Printf("child read %q through fd 3\n", buf[:n])
		return
	}
	dir, err := os.MkdirTemp("", "fd-description-")
	check(err)
	defer os.RemoveAll(dir)
	check(os.Chdir(dir))

	// [open]
	f, err := os.OpenFile("data.txt", os.O_RDWR|os.O_CREATE, 0o644) // Go adds O_CLOEXEC | zh: Go 会加上 O_CLOEXEC
	// [/open]
	check(err)
	// [open]
	f.WriteString("0123456789abcdefghij")
	f.Seek(0, io.SeekStart)
	// [/open]

	// [dup]
	fd2, err := syscall.Dup(int(f.Fd())) // new fd, same description; FD_CLOEXEC not copied | zh: 新 fd，同一个打开文件描述；FD_CLOEXEC 不会被复制
	// [/dup]
	check(err)
	// [dup]
	n, err := f.Read(buf[:5]) // moves the offset both fds share | zh: 移动两个 fd 共享的偏移量
	// [/dup]
	check(err)
	fmt.Printf("read %q through f\n", buf[:n])

	// [flags]
	syscall.SetNonblock(fd2, true)                                 // F_SETFL: the description, so every fd that shares it | zh: F_SETFL：改的是打开文件描述，所以共享它的每个 fd 都变
	syscall.CloseOnExec(fd2)                                       // F_SETFD: this fd alone | zh: F_SETFD：只改这一个 fd
	syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_SETFD, 0) // F_SETFD 0: f's fd loses FD_CLOEXEC | zh: F_SETFD 0：f 的 fd 去掉 FD_CLOEXEC
	// [/flags]

	// [reopen]
	g, err := os.Open("data.txt") // a new open(2): new description, offset 0 | zh: 新的一次 open(2)：新的打开文件描述，偏移量为 0
	// [/reopen]
	check(err)
	// [reopen]
	n, err = g.Read(buf[:3]) // "012"
	// [/reopen]
	check(err)
	fmt.Printf("read %q through g\n", buf[:n])

	// [inherit]
	cmd := exec.Command(os.Args[0], "-child")
	cmd.ExtraFiles = []*os.File{os.NewFile(uintptr(fd2), "data.txt")} // fd 3 in the child | zh: 子进程里的 fd 3
	// [/inherit]
	cmd.Stdout = os.Stdout
	// [inherit]
	err = cmd.Start()
	// [/inherit]
	check(err)
	check(cmd.Wait())
	pos, _ := f.Seek(0, io.SeekCurrent)
	fmt.Printf("f's offset is now %d: the child moved it\n", pos)
}

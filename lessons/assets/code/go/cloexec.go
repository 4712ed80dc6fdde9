// Inheritance and close-on-exec (lesson 4), in Go: execve keeps every fd without FD_CLOEXEC at its own
// number (a dup made through SyscallConn reaches `sleep` unasked); ExtraFiles land at 3, 4, ...; the
// environment tells the child what it got (HOT_RESTART, LISTEN_FDS) and LISTEN_PID, set by a shell
// between fork and exec, says for which pid. Prints what each child holds.
// Usage: cloexec (the children are this program run with -heir or -activated).
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// fdsOf lists a process's fds above 2, from /proc.
func fdsOf(pid int) string {
	entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	var fds []string
	for _, entry := range entries {
		if fd, _ := strconv.Atoi(entry.Name()); fd > 2 {
			fds = append(fds, entry.Name())
		}
	}
	return strings.Join(fds, ",")
}

// keepNonblocking undoes what Fd() did in cmd.Start, without calling Fd() again (lesson 6).
func keepNonblocking(ln net.Listener) {
	rc, err := ln.(*net.TCPListener).SyscallConn()
	check(err)
	rc.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
}

func serve(ln net.Listener) { http.Serve(ln, http.NotFoundHandler()) }

func main() {
	switch {
	case len(os.Args) == 2 && os.Args[1] == "-heir":
		heir()
	case len(os.Args) == 2 && os.Args[1] == "-activated":
		activated()
	default:
		parent()
	}
}

func parent() {
	var leaked int
	// [two-fds]
	ln, _ := net.Listen("tcp", "127.0.0.1:0") // socket(..., SOCK_CLOEXEC)
	raw, _ := ln.(*net.TCPListener).SyscallConn()
	raw.Control(func(fd uintptr) { leaked, _ = syscall.Dup(int(fd)) }) // no FD_CLOEXEC | zh: 不带 FD_CLOEXEC
	// (ln.File() dups with F_DUPFD_CLOEXEC instead: close-on-exec) | zh: （ln.File() 则用 F_DUPFD_CLOEXEC 来 dup：带 close-on-exec）
	// [/two-fds]

	// [exec-keeps]
	cmd := exec.Command("sleep", "600") // no ExtraFiles | zh: 没有 ExtraFiles
	cmd.Start()                         // os/exec closes nothing either: fd `leaked` reaches sleep | zh: os/exec 也不替你关闭什么：fd `leaked` 进了 sleep
	// [/exec-keeps]
	time.Sleep(100 * time.Millisecond) // until sleep has exec'd
	fmt.Printf("leaked fd %d; sleep holds fds %s\n", leaked, fdsOf(cmd.Process.Pid))
	cmd.Process.Kill()
	cmd.Wait()
	syscall.Close(leaked)

	admin, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	lnFile, _ := ln.(*net.TCPListener).File()
	adminFile, _ := admin.(*net.TCPListener).File()
	heir := exec.Command(os.Args[0], "-heir")
	heir.Stdout = os.Stdout
	heir.ExtraFiles = []*os.File{lnFile, adminFile}
	heir.Env = append(os.Environ(), "HOT_RESTART=1", "LISTEN_FDS=2")
	check(heir.Start())
	keepNonblocking(ln)
	keepNonblocking(admin)
	check(heir.Wait())

	// [listen-pid]
	// os/exec runs none of our code between fork and exec: a shell sets LISTEN_PID there | zh: os/exec 不在 fork 和 exec 之间运行我们的代码：由一个 shell 在那里设置 LISTEN_PID
	cmd = exec.Command("/bin/sh", "-c", `export LISTEN_PID=$$; exec "$0" "$@"`, os.Args[0], "-activated")
	cmd.ExtraFiles = []*os.File{lnFile}
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1")
	// [/listen-pid]
	cmd.Stdout = os.Stdout
	// [listen-pid]
	err = cmd.Start()
	keepNonblocking(ln) // cmd.Start called lnFile.Fd(): the shared description is blocking again (lesson 6) | zh: cmd.Start 调用了 lnFile.Fd()：共享的打开文件描述又成了阻塞的（第 6 课）
	// [/listen-pid]
	check(err)
	check(cmd.Wait())
	ln.Close()
	admin.Close()
}

func heir() {
	// [markers]
	if os.Getenv("HOT_RESTART") == "1" {
		n, _ := strconv.Atoi(os.Getenv("LISTEN_FDS"))
		for i := 0; i < n; i++ {
			// [remark]
			f := os.NewFile(uintptr(3+i), "listener") // fd 3+i stays inheritable as long as f is open | zh: 只要 f 还开着，fd 3+i 就仍可被继承
			ln, _ := net.FileListener(f)              // its own close-on-exec dup | zh: 它自己的、带 close-on-exec 的 dup
			f.Close()                                 // now fd 3+i cannot leak into exec.Command children | zh: 现在 fd 3+i 不会再漏进 exec.Command 启动的子进程
			// [/remark]
			go serve(ln)
		}
	}
	// [/markers]
	fmt.Printf("heir %d: HOT_RESTART=%s LISTEN_FDS=%s, fds %s\n", os.Getpid(), os.Getenv("HOT_RESTART"), os.Getenv("LISTEN_FDS"), fdsOf(os.Getpid()))
}

func activated() {
	// [activated]
	// in the child (go-systemd activation.Files does the same): | zh: 子进程里（go-systemd 的 activation.Files 也这样做）：
	if pid, _ := strconv.Atoi(os.Getenv("LISTEN_PID")); pid != os.Getpid() {
		// [/activated]
		fmt.Println("activated: LISTEN_PID is not mine: the fds are not for me")
		// [activated]
		return // not for us: a descendant inherited the environment, not the fds | zh: 不是给我们的：这是一个继承了环境变量、却没继承 fd 的后代
	}
	// [/activated]
	fmt.Printf("activated %d: LISTEN_PID is mine, LISTEN_FDS=%s; fds %s\n", os.Getpid(), os.Getenv("LISTEN_FDS"), fdsOf(os.Getpid()))
}

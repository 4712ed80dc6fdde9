// Passing a listener between two unrelated processes with SCM_RIGHTS (lesson 9): the old process serves
// HTTP and listens on a unix socket named after its pid; a new one connects and receives the TCP listener
// as ancillary data of a two-byte message, serves on it and says "ready", and only then does the old one
// shut down. The old side reaches the fd through SyscallConn: File() plus Fd() would make the shared
// description blocking (lesson 6). `mistake` reads the message with Read and loses the fd; `pair` passes
// the listener to a child over a socketpair made by hand (Go has no built-in channel, unlike Node's 'ipc').
// Usage: scm-rights old DIR (prints its pid and port) · scm-rights new|mistake DIR PID · scm-rights pair.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

var handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "answered by %d\n", os.Getpid())
})

func main() {
	var err error
	switch {
	case len(os.Args) == 3 && os.Args[1] == "old":
		err = old(os.Args[2])
	case len(os.Args) == 4 && os.Args[1] == "new":
		err = receiveAndServe(os.Args[2], os.Args[3])
	case len(os.Args) == 4 && os.Args[1] == "mistake":
		err = readOnly(os.Args[2], os.Args[3])
	case len(os.Args) == 2 && os.Args[1] == "pair":
		err = pair()
	case len(os.Args) == 2 && os.Args[1] == "pair-child":
		err = pairChild()
	default:
		err = errors.New("usage: scm-rights old DIR | scm-rights new|mistake DIR PID | scm-rights pair")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// sendListener sends ln's fd with a two-byte message, reaching it through SyscallConn.
func sendListener(conn *net.UnixConn, ln net.Listener) error {
	// [send]
	// old: the listener rides on a two-byte message | zh: 旧进程：监听 socket 搭在一条两字节的消息上
	rc, _ := ln.(*net.TCPListener).SyscallConn() // not File()+Fd(): that would make it blocking | zh: 不用 File()+Fd()：那会把它变成阻塞的
	var sendErr error
	rc.Control(func(fd uintptr) {
		_, _, sendErr = conn.WriteMsgUnix([]byte("fd"), syscall.UnixRights(int(fd)), nil)
	})
	// [/send]
	return sendErr
}

// receiveListener reads one message and rebuilds the listener that came with it.
func receiveListener(uconn *net.UnixConn) (net.Listener, error) {
	// [receive]
	// new: read the control part, not only the bytes | zh: 新进程：要读控制部分，而不只是数据字节
	buf, oob := make([]byte, 16), make([]byte, syscall.CmsgSpace(4))
	_, oobn, _, _, err := uconn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, err
	}
	msgs, _ := syscall.ParseSocketControlMessage(oob[:oobn])
	if len(msgs) == 0 {
		return nil, errors.New("no fd came with the message")
	}
	fds, _ := syscall.ParseUnixRights(&msgs[0])
	ln, err := net.FileListener(os.NewFile(uintptr(fds[0]), "listener"))
	// [/receive]
	return ln, err
}

func old(dir string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	// [rendezvous]
	// dir: mode 0700; under systemd RuntimeDirectory= with RuntimeDirectoryMode=0700 (the default is 0755) | zh: dir：权限 0700；在 systemd 下用 RuntimeDirectory= 加 RuntimeDirectoryMode=0700（默认是 0755）
	path := filepath.Join(dir, fmt.Sprintf("handover-%d.sock", os.Getpid()))
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	// [/rendezvous]
	if err != nil {
		return err
	}
	// [unlink]
	defer ul.Close() // also unlinks the path (the default when net created the file) | zh: 同时会 unlink 这个路径（net 自己创建文件时的默认行为）
	// ul.SetUnlinkOnClose(false) before it keeps the name while someone may still need it | zh: 在它之前调用 ul.SetUnlinkOnClose(false)，可以在别人可能还需要时保留这个名字
	// [/unlink]
	fmt.Printf("pid %d port %d\n", os.Getpid(), ln.Addr().(*net.TCPAddr).Port)
	// Each process that connects gets the listener; the one that answers "ready" takes over.
	for {
		conn, err := ul.AcceptUnix()
		if err != nil {
			return err
		}
		if err := sendListener(conn, ln); err != nil {
			return err
		}
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _ := conn.Read(make([]byte, 8))
		conn.Close()
		if n == 0 {
			continue // it went away without taking over
		}
		// [old-leaves]
		// old, once new says it is ready: | zh: 旧进程，等新进程说它已就绪：
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(ctx) // stop accepting, finish the requests in flight | zh: 停止 accept，处理完进行中的请求
		// [/old-leaves]
	}
}

func dial(dir, pid string) (*net.UnixConn, error) {
	// [dial]
	// pid: read from the old process's PID file | zh: pid：从旧进程的 PID 文件里读出
	conn, err := net.Dial("unix", filepath.Join(dir, fmt.Sprintf("handover-%s.sock", pid)))
	// [/dial]
	if err != nil {
		return nil, err
	}
	return conn.(*net.UnixConn), nil
}

func receiveAndServe(dir, pid string) error {
	uconn, err := dial(dir, pid)
	if err != nil {
		return err
	}
	ln, err := receiveListener(uconn)
	if err != nil {
		return err
	}
	// [new-serves]
	go http.Serve(ln, handler) // new | zh: 新进程
	// [/new-serves]
	uconn.Write([]byte("ready"))
	uconn.Close()
	select {}
}

// readOnly is the mistake: the bytes arrive, the fd does not.
func readOnly(dir, pid string) error {
	uconn, err := dial(dir, pid)
	if err != nil {
		return err
	}
	buf := make([]byte, 16)
	// [mistake]
	// the Go equivalent of the mistake: Read instead of ReadMsgUnix | zh: Go 里的同一个错误：用 Read 而不是 ReadMsgUnix
	n, err := uconn.Read(buf) // the bytes arrive, the fd is dropped by the kernel | zh: 数据字节到了，fd 却被内核丢掉了
	// [/mistake]
	fmt.Printf("read %q (%v); no fd to be found\n", buf[:n], err)
	return uconn.Close()
}

// pair: Node's child.send(msg, server), by hand.
func pair() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// [pair]
	// Go has no built-in channel; the same pair by hand: | zh: Go 没有现成的通道；手工做同样的一对：
	fds, _ := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	cmd := exec.Command(os.Args[0], "pair-child")
	cmd.ExtraFiles = []*os.File{os.NewFile(uintptr(fds[1]), "channel")} // fd 3 in the child | zh: 子进程里的 fd 3
	// then WriteMsgUnix with syscall.UnixRights on fds[0], as in step 3 | zh: 然后像第 3 步那样，在 fds[0] 上用 syscall.UnixRights 调用 WriteMsgUnix
	// [/pair]
	cmd.Stdout = os.Stdout
	if err := cmd.Start(); err != nil {
		return err
	}
	syscall.Close(fds[1])
	conn, err := net.FileConn(os.NewFile(uintptr(fds[0]), "channel"))
	if err != nil {
		return err
	}
	if err := sendListener(conn.(*net.UnixConn), ln); err != nil {
		return err
	}
	response, err := http.Get(fmt.Sprintf("http://%s/", ln.Addr()))
	if err == nil {
		body, _ := io.ReadAll(response.Body)
		fmt.Printf("parent %d: the child %s", os.Getpid(), body)
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil
}

func pairChild() error {
	conn, err := net.FileConn(os.NewFile(3, "channel"))
	if err != nil {
		return err
	}
	ln, err := receiveListener(conn.(*net.UnixConn))
	if err != nil {
		return err
	}
	return http.Serve(ln, handler)
}

// Passing a listener between two unrelated processes with SCM_RIGHTS (lesson 9): the old process listens
// on a unix socket named after its pid; the new one connects, and receives the TCP listener as ancillary
// data of a two-byte message. The old side reaches the fd through SyscallConn: File() plus Fd() would make
// the shared description blocking (lesson 6).
// Usage: scm-rights old DIR (prints its pid and port) · scm-rights new DIR PID.
package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
)

func main() {
	var err error
	switch {
	case len(os.Args) == 3 && os.Args[1] == "old":
		err = old(os.Args[2])
	case len(os.Args) == 4 && os.Args[1] == "new":
		err = receiveAndServe(os.Args[2], os.Args[3])
	default:
		err = errors.New("usage: scm-rights old DIR | scm-rights new DIR PID")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func old(dir string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// [rendezvous]
	// dir: mode 0700; under systemd RuntimeDirectory= with RuntimeDirectoryMode=0700 (the default is 0755) | zh: dir：权限 0700；在 systemd 下用 RuntimeDirectory= 加 RuntimeDirectoryMode=0700（默认是 0755）
	path := filepath.Join(dir, fmt.Sprintf("handover-%d.sock", os.Getpid()))
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	// [/rendezvous]
	if err != nil {
		return err
	}
	defer ul.Close() // also unlinks path
	fmt.Printf("pid %d port %d\n", os.Getpid(), ln.Addr().(*net.TCPAddr).Port)
	conn, err := ul.AcceptUnix()
	if err != nil {
		return err
	}
	defer conn.Close()
	// [send]
	// old: the listener rides on a two-byte message | zh: 旧进程：监听 socket 搭在一条两字节的消息上
	rc, _ := ln.(*net.TCPListener).SyscallConn() // not File()+Fd(): that would make it blocking | zh: 不用 File()+Fd()：那会把它变成阻塞的
	var sendErr error
	rc.Control(func(fd uintptr) {
		_, _, sendErr = conn.WriteMsgUnix([]byte("fd"), syscall.UnixRights(int(fd)), nil)
	})
	// [/send]
	if sendErr != nil {
		return sendErr
	}
	return ln.Close()
}

func receiveAndServe(dir, pid string) error {
	// [dial]
	// pid: read from the old process's PID file | zh: pid：从旧进程的 PID 文件里读出
	conn, err := net.Dial("unix", filepath.Join(dir, fmt.Sprintf("handover-%s.sock", pid)))
	// [/dial]
	if err != nil {
		return err
	}
	uconn := conn.(*net.UnixConn)
	// [receive]
	// new: read the control part, not only the bytes | zh: 新进程：要读控制部分，而不只是数据字节
	buf, oob := make([]byte, 16), make([]byte, syscall.CmsgSpace(4))
	_, oobn, _, _, err := uconn.ReadMsgUnix(buf, oob)
	if err != nil {
		return err
	}
	msgs, _ := syscall.ParseSocketControlMessage(oob[:oobn])
	if len(msgs) == 0 {
		return errors.New("no fd came with the message")
	}
	fds, _ := syscall.ParseUnixRights(&msgs[0])
	ln, err := net.FileListener(os.NewFile(uintptr(fds[0]), "listener"))
	// [/receive]
	if err != nil {
		return err
	}
	return http.Serve(ln, http.NotFoundHandler())
}

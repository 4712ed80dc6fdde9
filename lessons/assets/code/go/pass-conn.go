// Handing an idle connection over in Go (lesson 12): tableflip passes listeners only; a Go server that
// wants to pass its idle keep-alive connections sends each one's fd itself over a unix socket, with
// SCM_RIGHTS. The fd comes through SyscallConn: Fd() would make the shared description blocking.
// Usage: pass-conn (passes one connection to itself over a socketpair and prints the fd it received).
package main

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// passConn sends conn's fd over the unix socket sock, then closes this process's copy.
func passConn(sock int, conn *net.TCPConn) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	var sendErr error
	// [send]
	// tableflip passes listeners only; a Go server that wants this sends each idle conn's fd itself: | zh: tableflip 只传递监听 socket；想这样做的 Go 服务得自己发送每个空闲连接的 fd：
	err = raw.Control(func(fd uintptr) {
		sendErr = syscall.Sendmsg(sock, nil, syscall.UnixRights(int(fd)), nil, 0)
	})
	// [/send]
	if err != nil {
		return err
	}
	if sendErr != nil {
		return sendErr
	}
	return conn.Close()
}

func main() {
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer client.Close()
	conn, err := ln.Accept()
	if err != nil {
		panic(err)
	}
	if err := passConn(pair[0], conn.(*net.TCPConn)); err != nil {
		panic(err)
	}
	oob := make([]byte, syscall.CmsgSpace(4))
	_, oobn, _, _, err := syscall.Recvmsg(pair[1], nil, oob, syscall.MSG_CMSG_CLOEXEC)
	if err != nil {
		panic(err)
	}
	msgs, _ := syscall.ParseSocketControlMessage(oob[:oobn])
	fds, _ := syscall.ParseUnixRights(&msgs[0])
	received, err := net.FileConn(os.NewFile(uintptr(fds[0]), "conn"))
	fmt.Println("received fd", fds[0], "remote", received.RemoteAddr(), err)
}

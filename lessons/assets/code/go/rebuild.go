// Rebuilding what a successor inherited (lesson 10): each of Go's constructors takes some kinds of
// socket. FileListener refuses a UDP socket but, looking only at the local address, accepts a connected
// TCP socket, whose first Accept then fails. FilePacketConn takes the UDP one. Run with no argument it
// makes the sockets itself (a TCP listener, a UDP socket, a connected TCP pair), places them at fds 3, 4
// and 6 of a child as a parent would, and the child prints what each constructor did.
// Usage: rebuild (parent) · rebuild -child (started by the parent).
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-child" {
		child()
		return
	}
	if err := parent(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func parent() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	defer client.Close()
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	admin, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	httpF, err3 := ln.(*net.TCPListener).File()
	dnsF, err4 := udp.(*net.UDPConn).File()
	adminF, err5 := admin.(*net.TCPListener).File()
	wsF, err6 := conn.(*net.TCPConn).File()
	stateF, err7 := os.Open(os.DevNull)
	for _, err := range []error{err3, err4, err5, err6, err7} {
		if err != nil {
			return err
		}
	}
	cmd := exec.Command(os.Args[0], "-child")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// [extrafiles]
	cmd.ExtraFiles = []*os.File{httpF, dnsF, adminF, wsF, stateF} // fds 3..7 | zh: fd 3..7
	cmd.Env = append(os.Environ(), "LISTEN_FDS=5", "LISTEN_FDNAMES=http:dns:admin:ws:state")
	// [/extrafiles]
	return cmd.Run()
}

// [probe]
func probe(fd int) (domain, typ, listening int, local, peer syscall.Sockaddr) {
	domain, _ = syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_DOMAIN) // ENOTSOCK: not a socket | zh: ENOTSOCK：不是 socket
	typ, _ = syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE)
	listening, _ = syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ACCEPTCONN)
	local, _ = syscall.Getsockname(fd)
	peer, _ = syscall.Getpeername(fd) // ENOTCONN: no peer | zh: ENOTCONN：没有对端
	return
}
// [/probe]

func child() {
	for fd := 3; fd <= 7; fd++ {
		domain, typ, listening, local, peer := probe(fd)
		fmt.Printf("fd %d: domain %d, type %d, listening %d, local %v, peer %v\n", fd, domain, typ, listening, local, peer)
	}
	// [wrong]
	_, err := net.FileListener(os.NewFile(4, "dns")) // error: the local address is a *UDPAddr | zh: 报错：本地地址是 *UDPAddr
	fmt.Println("FileListener(udp):", err)
	ln, err := net.FileListener(os.NewFile(6, "ws")) // err == nil: a connected TCP socket passes | zh: err == nil：已连接的 TCP socket 也能通过
	fmt.Println("FileListener(connected tcp):", err)
	if err == nil {
		_, err = ln.Accept() // fails: accept(2) on a socket that is not listening | zh: 失败：对没有在监听的 socket 调用 accept(2)
		fmt.Println("Accept:", err)
	}
	// [/wrong]
	// [right]
	f3, f4 := os.NewFile(3, "http"), os.NewFile(4, "dns")
	http, err3 := net.FileListener(f3) // *net.TCPListener
	dns, err4 := net.FilePacketConn(f4) // *net.UDPConn
	f3.Close()                          // each call made its own dup | zh: 每次调用都各自 dup 了一份
	f4.Close()
	// [/right]
	fmt.Printf("FileListener(http): %T %v · FilePacketConn(dns): %T %v\n", http, err3, dns, err4)
}

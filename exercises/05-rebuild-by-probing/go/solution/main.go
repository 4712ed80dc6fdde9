// Exercise 5 — rebuild by probing. This server is handed three sockets (fds 3, 4, 5, LISTEN_FDS=3)
// in an order nobody tells it, and no names: a TCP listener (the web service), a UDP socket (the
// echo service) and a unix stream listener (the admin service). It asks the kernel what each one is.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"syscall"
)

// probe says what the kernel says fd is: "tcp" (an AF_INET/AF_INET6 stream), "udp" (an
// AF_INET/AF_INET6 datagram), "unix" (an AF_UNIX stream) or "".
func probe(fd int) string {
	typ, err1 := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE)
	domain, err2 := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_DOMAIN)
	if err1 != nil || err2 != nil {
		return "" // ENOTSOCK: not a socket
	}
	inet := domain == syscall.AF_INET || domain == syscall.AF_INET6
	switch {
	case inet && typ == syscall.SOCK_STREAM:
		return "tcp"
	case inet && typ == syscall.SOCK_DGRAM:
		return "udp"
	case domain == syscall.AF_UNIX && typ == syscall.SOCK_STREAM:
		return "unix"
	}
	return ""
}

func answer(text string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, text) })
}

func echo(conn net.PacketConn) {
	buf := make([]byte, 2048)
	for {
		n, peer, err := conn.ReadFrom(buf)
		if err != nil {
			return
		}
		conn.WriteTo(buf[:n], peer)
	}
}

func serve(fd int, kind string) error {
	f := os.NewFile(uintptr(fd), "fd"+strconv.Itoa(fd))
	defer f.Close() // FileListener / FilePacketConn made their own dup
	switch kind {
	case "tcp", "unix":
		ln, err := net.FileListener(f)
		if err != nil {
			return err
		}
		text := map[string]string{"tcp": "web", "unix": "admin"}[kind]
		go http.Serve(ln, answer(text))
	case "udp":
		conn, err := net.FilePacketConn(f)
		if err != nil {
			return err
		}
		go echo(conn)
	default:
		return fmt.Errorf("fd %d: not a socket this server serves", fd)
	}
	return nil
}

func main() {
	if activate() {
		return
	}
	n, _ := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	os.Unsetenv("LISTEN_FDS")
	for fd := 3; fd < 3+n; fd++ {
		if err := serve(fd, probe(fd)); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	select {}
}

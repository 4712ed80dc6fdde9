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
)

// probe says what the kernel says fd is: "tcp" (an AF_INET/AF_INET6 stream), "udp" (an
// AF_INET/AF_INET6 datagram), "unix" (an AF_UNIX stream) or "".
func probe(fd int) string {
	// Known-wrong: the order systemd's unit file would list them in, taken for granted.
	return map[int]string{3: "tcp", 4: "udp", 5: "unix"}[fd]
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

// Exercise 4 — SCM_RIGHTS. Each generation serves HTTP and waits on its own unix socket for the next
// one; the next generation, an unrelated process, connects there and must receive the listener itself.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// receiveListener connects to the previous generation's handover socket and receives its listener.
func receiveListener(path string) (net.Listener, error) {
	// TODO: net.DialUnix to path, ReadMsgUnix with room for one fd (syscall.CmsgSpace(4)),
	//       syscall.ParseSocketControlMessage + syscall.ParseUnixRights, then os.NewFile and
	//       net.FileListener. Until then: a new socket on a new port.
	_ = path
	return net.Listen("tcp", "127.0.0.1:0")
}

// sendListener sends the listener's fd over conn.
func sendListener(conn *net.UnixConn, ln net.Listener) error {
	// TODO: conn.WriteMsgUnix(data, syscall.UnixRights(fd), nil). Which fd? File() makes a dup and
	//       Fd() turns the shared description blocking; (*net.TCPListener).SyscallConn().Control does not.
	_, _ = conn, ln
	return nil
}

func main() {
	var ln net.Listener
	var err error
	if from := os.Getenv("HANDOVER_FROM"); from != "" {
		ln, err = receiveListener(from)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %d\n", os.Getpid())
	})}
	go server.Serve(ln)

	// The handover socket, in the private directory. Close() removes its path.
	// TODO: one name for every generation, and a "stale" file removed before binding it... whose file is it?
	path := filepath.Join(os.Getenv("EXERCISE_DIR"), "handover.sock")
	os.Remove(path)
	handover, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for {
		conn, err := handover.AcceptUnix()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		err = sendListener(conn, ln)
		conn.Close()
		if err == nil {
			break
		}
		fmt.Fprintln(os.Stderr, "handover failed:", err)
	}
	// The successor serves the same socket now: stop accepting, finish what is in flight, leave.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	server.Shutdown(ctx)
	handover.Close()
}

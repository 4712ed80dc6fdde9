// Exercise 4 — SCM_RIGHTS (known-wrong variant). Each generation serves HTTP and waits on its own unix socket for the next
// one; the next generation, an unrelated process, connects there and receives the listener itself.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// receiveListener connects to the previous generation's handover socket and receives its listener.
func receiveListener(path string) (net.Listener, error) {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	buf := make([]byte, 16)
	oob := make([]byte, syscall.CmsgSpace(4)) // room for one fd
	_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, err
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) == 0 {
		return nil, errors.New("no fd came with the message")
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) == 0 {
		return nil, errors.New("no fd came with the message")
	}
	f := os.NewFile(uintptr(fds[0]), "listener")
	defer f.Close() // FileListener made its own dup
	return net.FileListener(f)
}

// sendListener sends the listener's fd over conn. SyscallConn hands us the fd without File()'s dup
// and without Fd()'s switch of the shared description to blocking mode.
func sendListener(conn *net.UnixConn, ln net.Listener) error {
	raw, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		return err
	}
	var sendErr error
	err = raw.Control(func(fd uintptr) {
		_, _, sendErr = conn.WriteMsgUnix([]byte("fd"), syscall.UnixRights(int(fd)), nil)
	})
	if err != nil {
		return err
	}
	return sendErr
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

	// Known-wrong: one name for every generation, and a "stale" file removed before binding it. The
	// previous generation's Close() on its way out unlinks the path this generation has just bound.
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

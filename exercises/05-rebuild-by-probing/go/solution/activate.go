// Given, not part of the exercise: socket activation, the way systemd does it. Started with
// ACTIVATION_SOCKET (by the verifier), this process receives the sockets the verifier made, in an
// order of its choosing and with no names, starts the real server with them as fds 3, 4, 5 and
// LISTEN_FDS=3, and stays beside it until it exits. main() calls activate() first.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func receiveFds(path string) ([]int, error) {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	buf := make([]byte, 16)
	oob := make([]byte, syscall.CmsgSpace(8*4))
	_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, err
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) == 0 {
		return nil, errors.New("no fds came with the message")
	}
	return syscall.ParseUnixRights(&msgs[0])
}

// activate returns false in the server; in the activator it never returns.
func activate() bool {
	path := os.Getenv("ACTIVATION_SOCKET")
	if path == "" || os.Getenv("LISTEN_FDS") != "" {
		return false
	}
	fds, err := receiveFds(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "activation:", err)
		os.Exit(1)
	}
	os.Unsetenv("ACTIVATION_SOCKET")
	self, _ := os.Executable()
	cmd := exec.Command(self)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), fmt.Sprintf("LISTEN_FDS=%d", len(fds)))
	for _, fd := range fds {
		cmd.ExtraFiles = append(cmd.ExtraFiles, os.NewFile(uintptr(fd), "activated"))
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "activation:", err)
		os.Exit(1)
	}
	for _, f := range cmd.ExtraFiles {
		f.Close() // the server has them now
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	go func() {
		<-stop
		cmd.Process.Signal(syscall.SIGTERM)
	}()
	cmd.Wait()
	os.Exit(cmd.ProcessState.ExitCode())
	return true
}

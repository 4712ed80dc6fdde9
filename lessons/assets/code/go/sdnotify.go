// A Go server under systemd with the standard library only: generation 1 takes its listener from socket
// activation (LISTEN_FDS, LISTEN_PID, sd_listen_fds(3)) when there is one, and every generation says
// MAINPID= and READY=1 over NOTIFY_SOCKET (sd_notify(3)) once it serves, so that a Type=notify unit
// follows the service into it.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
)

// [listen-fds]
// The listeners systemd passed: fds 3, 4, ... — only when LISTEN_PID names this process. | zh: systemd 传来的监听 socket：fd 3、4……——只有 LISTEN_PID 是本进程时才算数。
func listenFds() []net.Listener {
	if os.Getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) {
		return nil // meant for another process (a parent's leftovers) | zh: 是给别的进程的（父进程遗留的变量）
	}
	n, _ := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	var listeners []net.Listener
	for fd := 3; fd < 3+n; fd++ {
		f := os.NewFile(uintptr(fd), "listen-fd")
		ln, err := net.FileListener(f) // a dup: the same open file description | zh: 一次 dup：同一个打开文件描述
		f.Close()
		if err == nil {
			listeners = append(listeners, ln)
		}
	}
	return listeners
}

// [/listen-fds]

// [sd-notify]
// One datagram of KEY=VALUE lines to $NOTIFY_SOCKET: a path, or "@name" for an abstract address. | zh: 向 $NOTIFY_SOCKET 发一个由 KEY=VALUE 行组成的数据报：一个路径，或者以 "@name" 表示的抽象地址。
func sdNotify(state string) error {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil // not started by systemd | zh: 不是由 systemd 启动的
	}
	if addr[0] == '@' {
		addr = "\x00" + addr[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}

// [/sd-notify]

func main() {
	var ln net.Listener
	if inherited := listenFds(); len(inherited) > 0 {
		ln = inherited[0]
	} else {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			log.Fatal(err)
		}
	}
	// [ready]
	// Every generation, once it can serve: the unit's main process is now this one. | zh: 每一代进程在能提供服务之后都发送：服务单元的主进程从此就是它。
	if err := sdNotify(fmt.Sprintf("MAINPID=%d\nREADY=1", os.Getpid())); err != nil {
		log.Print(err)
	}
	// [/ready]
	log.Fatal(http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ok %d\n", os.Getpid())
	})))
}

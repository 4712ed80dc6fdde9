// A Go server that reloads its configuration on SIGUSR1, as the article does (LoadAllConf and
// listenSIGUSR1): the signal makes it read the file again; the listener, the process and the connections
// stay as they are. Lesson 15 hands it the listening socket at fd 3 (as a service manager would).
// Usage: reload CONFIG-FILE (the file holds the text the server answers).
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: reload CONFIG-FILE")
	}
	path := os.Args[1]
	var text atomic.Value // what the handlers read; swapped whole by a reload

	// [reload]
	load := func(first bool) {
		data, err := os.ReadFile(path)
		if err != nil {
			log.Printf("reload: %v (keeping the old configuration)", err) // a bad file must not stop a running server | zh: 坏掉的配置文件不应让运行中的服务停下
			return
		}
		text.Store(strings.TrimSpace(string(data)))
		if !first {
			log.Println("Reloaded")
		}
	}
	load(true)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1) // Go may use SIGUSR1: its runtime does not | zh: Go 可以用 SIGUSR1：它的运行时不占用这个信号
	go func() {
		for range sig {
			load(false) // no listener closed, no connection refused | zh: 没有关闭监听 socket，也没有拒绝连接
		}
	}()
	// [/reload]

	ln, err := net.FileListener(os.NewFile(3, "listener"))
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Pid", strconv.Itoa(os.Getpid()))
		fmt.Fprintln(w, text.Load().(string))
	})
	log.Fatal(http.Serve(ln, nil))
}

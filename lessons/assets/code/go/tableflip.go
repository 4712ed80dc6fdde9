// A server on tableflip (github.com/cloudflare/tableflip), as lesson 11 shows it. The tutor builds with
// Go's standard library only, so this file declares the methods it calls as an interface, with
// tableflip's own signatures; a real program gets upg from tableflip.New(tableflip.Options{}). main only
// says so: the point is that the code the lesson shows type-checks.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

// upgrader is the part of *tableflip.Upgrader this server uses.
type upgrader interface {
	Upgrade() error
	Ready() error
	Exit() <-chan struct{}
	Listen(network, addr string) (net.Listener, error)
}

func warmUp() {} // load the configuration, fill caches, open database pools

func serve(upg upgrader, handler http.Handler) error {
	// [trigger]
	// upg, _ := tableflip.New(tableflip.Options{})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGUSR2)
		for range sig {
			// [upgrade]
			if err := upg.Upgrade(); err != nil { // returns once the successor is ready, or failed | zh: 后继进程就绪或失败后才返回
				log.Println("upgrade failed:", err) // still serving | zh: 仍在提供服务
			}
			// [/upgrade]
		}
	}()
	ln, err := upg.Listen("tcp", "127.0.0.1:8080") // inherited when upgrading | zh: 升级时是继承来的
	if err != nil {
		return err
	}
	warmUp()                   // before Serve: nothing is accepted yet | zh: 在 Serve 之前：还没有 accept 任何连接
	go http.Serve(ln, handler)
	// [ready]
	if err := upg.Ready(); err != nil { // writes to the inherited pipe, closes it | zh: 写入继承来的管道，然后关闭它
		return err
	}
	// [/ready]
	<-upg.Exit() // the old process: Exit is closed once a successor is ready | zh: 旧进程：后继进程就绪后 Exit 被关闭
	// [/trigger]
	return nil
}

func main() {
	fmt.Println("tableflip.go type-checks the code lesson 11 shows; build it with github.com/cloudflare/tableflip to run it")
	_ = serve
}

// Exercise 11 — reload, don't restart. A server that answers GET / with the greeting of its config file
// and, on SIGHUP, reads the file again: same process, same listening socket, connections untouched.
// Usage: ./server CONFIG-FILE (JSON: {"greeting": "..."}).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

type config struct {
	Greeting string `json:"greeting"`
}

// readConfig reads and checks the config; an error says why it is unusable.
func readConfig(path string) (*config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c config
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	if c.Greeting == "" {
		return nil, errors.New(`"greeting" must be a non-empty string`)
	}
	return &c, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server CONFIG-FILE")
		os.Exit(2)
	}
	path := os.Args[1]
	var current atomic.Pointer[config] // what the handlers read; swapped whole by a reload
	first, err := readConfig(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // at start a bad file is fatal: there is no old config to keep
		os.Exit(1)
	}
	current.Store(first)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			next, err := readConfig(path)
			if err != nil {
				fmt.Fprintf(os.Stderr, "reload rejected, keeping %q: %v\n", current.Load().Greeting, err)
				continue
			}
			current.Store(next) // only a config known to be good
			fmt.Fprintf(os.Stderr, "reloaded: %q\n", next.Greeting)
		}
	}()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, current.Load().Greeting)
	})
	fmt.Fprintln(os.Stderr, http.Serve(ln, nil))
	os.Exit(1)
}

// Exercise 11 — reload, don't restart. A server that answers GET / with the greeting of its config file
// and should, on SIGHUP, read the file again: same process, same listening socket, connections untouched.
// Usage: ./server CONFIG-FILE (JSON: {"greeting": "..."}).
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
)

type config struct {
	Greeting string `json:"greeting"`
}

// readConfig reads the config. TODO: a file that does not parse, or has no greeting, must never become
// the config: return an error that says why.
func readConfig(path string) *config {
	raw, _ := os.ReadFile(path)
	var c config
	json.Unmarshal(raw, &c)
	return &c
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server CONFIG-FILE")
		os.Exit(2)
	}
	path := os.Args[1]
	current := readConfig(path)

	// TODO: reload on SIGHUP (what `systemctl reload` and `kill -HUP` send; without signal.Notify it ends
	//       the process). The handlers run on many goroutines: swap the config whole (sync/atomic).

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, current.Greeting)
	})
	fmt.Fprintln(os.Stderr, http.Serve(ln, nil))
	os.Exit(1)
}

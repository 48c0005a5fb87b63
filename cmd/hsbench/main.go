// Command hsbench measures TLS and QUIC handshake latency. See the README.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := interruptContext(stopMessage(os.Args[1:]))
	defer stop()
	os.Exit(exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// stopMessage is what the first SIGINT or SIGTERM prints: only the
// commands that measure have something to write.
func stopMessage(args []string) string {
	if len(args) > 0 && (args[0] == "run" || args[0] == "ab" || args[0] == "capacity") {
		return "hsbench: stopping, writing what was measured (press Ctrl-C again to quit at once)"
	}
	return "hsbench: stopping"
}

// interruptContext is cancelled by the first SIGINT or SIGTERM, so a run
// stops and writes what it measured; a second signal exits at once.
func interruptContext(msg string) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		fmt.Fprintln(os.Stderr, "\n"+msg)
		cancel()
		<-ch
		fmt.Fprintln(os.Stderr, "hsbench: quitting without finishing the results")
		os.Exit(exitInterrupted)
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

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

// stopMessage is what the first stop signal prints: only the commands that
// measure have something to write.
func stopMessage(args []string) string {
	if len(args) > 0 && (args[0] == "run" || args[0] == "ab" || args[0] == "capacity") {
		return "stopping, writing what was measured (press Ctrl-C again to quit at once)"
	}
	return "stopping (press Ctrl-C again to quit at once)"
}

// stopSignals end a command gracefully: the first one cancels the
// context, so a run stops and writes what it measured (report and merge
// write complete files or none); a second one quits at once.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// interruptContext is cancelled by the first stop signal. A second stop
// signal, or SIGQUIT at any time, quits at once: exit 130 (131 for
// SIGQUIT), run.json keeping only the cells finished before and the quit
// hooks removing files that would be left incomplete.
func interruptContext(msg string) (context.Context, func()) {
	ctx, hooks := withQuitHooks(context.Background())
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, append(stopSignals, syscall.SIGQUIT)...)
	go func() {
		graceful := true
		for sig := range ch {
			if sig == syscall.SIGQUIT || !graceful {
				code := exitInterrupted
				if sig == syscall.SIGQUIT {
					code = exitQuit
				}
				fmt.Fprintf(os.Stderr, "hsbench: %v: quitting at once; only complete files are kept\n", sig)
				hooks.run()
				os.Exit(code)
			}
			graceful = false
			fmt.Fprintf(os.Stderr, "\nhsbench: %v: %s\n", sig, msg)
			cancel()
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

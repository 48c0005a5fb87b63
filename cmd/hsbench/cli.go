package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// registry holds the subcommands; each one registers itself from its own
// file's init, in the order of the help text's ranks.
var registry []command

type rankedCommand struct {
	rank int
	command
}

var ranked []rankedCommand

// register adds a subcommand; rank orders the help text.
func register(rank int, name, summary string, fn func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	ranked = append(ranked, rankedCommand{rank, command{name, summary, fn}})
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].rank < ranked[j].rank })
	registry = registry[:0]
	for _, r := range ranked {
		registry = append(registry, r.command)
	}
}

func init() {
	register(10, "run", "benchmark handshakes (the embedded target when no --target is given)", runCmd)
	register(20, "serve", "run the embedded TLS target until interrupted", serveCmd)
	register(99, "version", "print the version", versionCmd)
}

func commands() []command { return registry }

// run is the whole CLI: it parses args, runs one subcommand and returns an
// error carrying the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		return versionCmd(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return &exitError{code: exitUsage}
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	return usagef("unknown command %q (try hsbench help)", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "hsbench: TLS and QUIC handshake latency benchmark")
	fmt.Fprintln(w, "\nUsage: hsbench COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'hsbench COMMAND --help' for a command's flags; 'hsbench --version' prints the version.")
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// newFlagSet returns a subcommand's flag set: errors are returned rather
// than printed (the caller reports them once, on stderr), flags are listed
// in the order they are declared, and --help prints head, then the flags by
// group (printUsage), on stdout.
func newFlagSet(name, head string, stdout io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.Usage = func() { printUsage(stdout, head, fs) }
	return fs
}

// parse parses a subcommand's flags. help is true after --help (the usage
// is printed and there is nothing else to do); a bad flag is a usage error
// (exit 2) naming the subcommand.
func parse(fs *pflag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return true, nil
		}
		return false, usagef("%s: %v (see hsbench %s --help)", fs.Name(), err, fs.Name())
	}
	return false, nil
}

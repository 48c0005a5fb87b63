package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hsbench/hsbench/report"
	"github.com/hsbench/hsbench/results"
)

func init() {
	register(40, "merge", "merge the shards of a sharded run (--shard I/N) into one run directory", mergeCmd)
}

// mergeCmd is 'hsbench merge --out DIR SHARD_DIR...'. Shards that are not
// exactly the parts 1…N of one run are refused (exit 2) and nothing is
// written; the merged directory is an ordinary run that report, plots and
// compare read unchanged.
func mergeCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge", "Usage: hsbench merge --out DIR SHARD_DIR...", stdout)
	out := fs.String("out", "", "run directory to create for the merged run (required; never overwritten)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *out == "" {
		return usagef("merge: --out DIR is required")
	}
	if fs.NArg() == 0 {
		return usagef("merge: no shard directory given (hsbench merge --out DIR SHARD_DIR...)")
	}
	m, err := results.MergeShards(fs.Args())
	if err != nil {
		return usagef("merge: %v", err)
	}
	if _, err := os.Stat(filepath.Join(*out, results.RunFile)); err == nil {
		return usagef("merge: --out %s: already holds a run; choose another directory", *out)
	}
	created := false
	if _, err := os.Stat(*out); errors.Is(err, os.ErrNotExist) {
		created = true
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return usagef("merge: --out %s: %v", *out, err)
	}
	if err := m.Write(*out); err != nil {
		if created {
			os.Remove(*out) // only if empty
		}
		if errors.Is(err, results.ErrNotMergeable) {
			return usagef("merge: %v", err)
		}
		return fmt.Errorf("hsbench: merge: %w", err)
	}
	if err := report.WriteTable(stdout, m.Run); err != nil {
		return fmt.Errorf("hsbench: writing the table: %w", err)
	}
	fmt.Fprintf(stderr, "hsbench: merged %d shards into %s (%s, %s)\n", fs.NArg(), *out, results.RunFile, results.HlogFile)
	return nil
}

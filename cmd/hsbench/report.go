package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/report"
	"github.com/hsbench/hsbench/results"
)

func init() {
	register(25, "report", "write plots, tables, CSV and .hgrm files from run directories", reportCmd)
}

// reportCmd is 'hsbench report RUN_DIR... [--out DIR] [--phase P] [--dims D,…]'.
func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", "Usage: hsbench report RUN_DIR... [flags]", stdout)
	out := fs.String("out", "", "directory to write the report into (default RUN_DIR/report; required with several runs)")
	phase := fs.String("phase", "", "phase of the summary table, spectrum, bars, over-time plots and .hgrm files, e.g. total, tls_handshake, latency (default: latency when every run is an open loop, else total)")
	dims := fs.String("dims", strings.Join(report.DefaultDims, ","), "dimensions to draw bars for: group, suite, version, mode, cert, transport")
	maxOverTime := fs.Int("max-overtime", 12, "most over-time plots (first cells first)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	dirs := fs.Args()
	switch {
	case len(dirs) == 0:
		return usagef("report: no run directory (hsbench report RUN_DIR... [--out DIR])")
	case *out == "" && len(dirs) > 1:
		return usagef("report: --out is needed with several run directories")
	case *out == "":
		*out = filepath.Join(dirs[0], "report")
	case *maxOverTime < 0:
		return usagef("parsing --max-overtime: %d: must not be negative", *maxOverTime)
	}
	if _, ok := sample.ParsePhase(*phase); *phase != "" && !ok {
		return usagef("parsing --phase: unknown phase %q", *phase)
	}
	known := map[string]bool{"group": true, "suite": true, "version": true, "mode": true, "cert": true, "transport": true, "run": true}
	dimList := splitList(*dims)
	for _, d := range dimList {
		if !known[d] {
			return usagef("parsing --dims: unknown dimension %q (want group, suite, version, mode, cert, transport or run)", d)
		}
	}
	if len(dirs) == 1 && results.IsCapacity(dirs[0]) {
		return capacityReport(dirs[0], *out, stdout)
	}
	var srcs []report.Source
	for _, d := range dirs {
		if results.IsCapacity(d) {
			return usagef("report: %s is a capacity search: report it alone", d)
		}
		src, err := report.LoadSource(d)
		if err != nil {
			return usagef("report: %s: %v", d, err)
		}
		srcs = append(srcs, src)
	}
	site, err := report.Build(srcs, report.Options{Phase: *phase, Dims: dimList, MaxOverTime: *maxOverTime})
	if err != nil {
		return usagef("report: %v", err)
	}
	if len(site.Figures) == 0 {
		for _, n := range site.Notes {
			fmt.Fprintf(stderr, "hsbench: report: %s\n", n)
		}
	}
	files, err := site.Write(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "hsbench: report of %d cell%s in %s (%d files; open %s)\n",
		len(site.Cells), plural(len(site.Cells)), *out, len(files), filepath.Join(*out, report.HTMLFile))
	return nil
}

// capacityReport writes the report of a capacity search: the hockey
// sticks, achieved and CPU against offered rate, report.md and index.html.
func capacityReport(dir, out string, stdout io.Writer) error {
	c, err := results.LoadCapacity(dir)
	if err != nil {
		return usagef("report: %s: %v", dir, err)
	}
	site, err := report.BuildCapacity(c)
	if err != nil {
		return usagef("report: %v", err)
	}
	files, err := site.Write(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "hsbench: capacity report of %d cell%s in %s (%d files; open %s)\n",
		len(c.Curves), plural(len(c.Curves)), out, len(files), filepath.Join(out, report.HTMLFile))
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

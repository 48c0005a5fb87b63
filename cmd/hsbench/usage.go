package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// Flag groups of the help text. Each flag carries its group as an
// annotation (see group); printUsage lists the groups in this order and
// the flags of no group last, under "Other flags".
const (
	groupTarget    = "target"
	groupHandshake = "handshake"
	groupLoad      = "load"
	groupOutput    = "output"
	groupGate      = "gate"
	groupCapacity  = "capacity"
	flagGroupKey   = "hsbench/group"
)

var groupTitles = []struct{ key, title string }{
	{groupTarget, "Target: what to connect to and how to trust it"},
	{groupHandshake, "Handshake: what each cell asks for"},
	{groupLoad, "Load: when and how many handshakes"},
	{groupOutput, "Output: files and what is printed"},
	{groupGate, "Gate: what fails the command"},
	{groupCapacity, "Capacity: the search and what a step must hold"},
}

// group files the named flags of fs under one help group. An unknown name
// panics: it is a programming error caught by the help tests.
func group(fs *pflag.FlagSet, key string, names ...string) {
	for _, n := range names {
		if err := fs.SetAnnotation(n, flagGroupKey, []string{key}); err != nil {
			panic(fmt.Sprintf("hsbench: flag group %s: %v", key, err))
		}
	}
}

// printUsage writes head, then the visible flags of fs by group, in the
// order they were declared within each group.
func printUsage(w io.Writer, head string, fs *pflag.FlagSet) {
	fmt.Fprintln(w, head)
	byGroup := map[string]*pflag.FlagSet{}
	fs.VisitAll(func(f *pflag.Flag) {
		key := ""
		if g := f.Annotations[flagGroupKey]; len(g) > 0 {
			key = g[0]
		}
		if byGroup[key] == nil {
			byGroup[key] = pflag.NewFlagSet(key, pflag.ContinueOnError)
			byGroup[key].SortFlags = false
		}
		byGroup[key].AddFlag(f)
	})
	section := func(title string, g *pflag.FlagSet) {
		if g == nil {
			return
		}
		if u := g.FlagUsages(); u != "" {
			fmt.Fprintf(w, "\n%s:\n%s", title, u)
		}
	}
	for _, gt := range groupTitles {
		section(gt.title, byGroup[gt.key])
	}
	title := "Other flags"
	if len(byGroup) == 1 {
		title = "Flags"
	}
	section(title, byGroup[""])
}

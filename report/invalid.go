package report

import (
	"fmt"
	"strings"

	"github.com/hsbench/hsbench/results"
)

// SkippedLines summarises the cells of the asked product that were not run,
// one line per reason, in the order the reasons first appear:
// "skipped 3 cells (x25519mlkem768 is … TLS 1.3 only): tcp/1.2/full/x25519mlkem768, …".
func SkippedLines(invalid []results.InvalidCell) []string {
	var order []string
	byReason := map[string][]string{}
	for _, inv := range invalid {
		if _, ok := byReason[inv.Reason]; !ok {
			order = append(order, inv.Reason)
		}
		byReason[inv.Reason] = append(byReason[inv.Reason], shortAsk(inv.Ask))
	}
	lines := make([]string, 0, len(order))
	for _, reason := range order {
		cells := byReason[reason]
		noun := "cells"
		if len(cells) == 1 {
			noun = "cell"
		}
		lines = append(lines, fmt.Sprintf("skipped %d %s (%s): %s", len(cells), noun, reason, strings.Join(cells, ", ")))
	}
	return lines
}

// shortAsk names an ask compactly: tcp/1.3/full/x25519[/suite][/cert].
func shortAsk(a results.Ask) string {
	parts := []string{a.Transport, a.Version, a.Mode}
	for _, s := range []string{a.Group, a.Suite, a.Cert} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "/")
}

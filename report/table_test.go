package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsbench/hsbench/internal/golden"

	"github.com/hsbench/hsbench/results"
)

// testdata/run.json is a real run of the embedded target (TLS 1.2 and 1.3,
// full and resumed, x25519 and x25519mlkem768; the hybrid with TLS 1.2 is
// listed as invalid).
func TestWriteTableGolden(t *testing.T) {
	r, err := results.Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "table.golden"), b.Bytes())
}

func TestWriteTableShowsFailuresAndMismatches(t *testing.T) {
	r := &results.Run{Cells: []results.Cell{{ID: "c", Ask: results.Ask{Transport: "tcp", Version: "1.3", Mode: "resumed"},
		Total: results.Measure{Attempts: 10, OK: 5, Errors: map[string]int64{"ephemeral_ports": 2, "other": 1},
			OtherExamples: []string{"zerortt: something odd"},
			Mismatches:    map[string]int64{"asked resumed, got a full handshake": 2}}}}}
	var b bytes.Buffer
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"MISMATCH: 2 samples", "FAILED: 3 attempts (30.0%)", "TIME_WAIT", "no successful handshakes",
		"other, e.g.: zerortt: something odd"} {
		if !bytes.Contains(b.Bytes(), []byte(want)) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestSkippedLinesGroupByReason(t *testing.T) {
	ask := func(v, m, g string) results.Ask { return results.Ask{Transport: "tcp", Version: v, Mode: m, Group: g} }
	got := SkippedLines([]results.InvalidCell{
		{Ask: ask("1.2", "full", "x25519mlkem768"), Reason: "hybrid: TLS 1.3 only"},
		{Ask: ask("1.2", "0rtt", "x25519"), Reason: "0-RTT needs TLS 1.3"},
		{Ask: ask("1.2", "resumed", "x25519mlkem768"), Reason: "hybrid: TLS 1.3 only"},
	})
	want := []string{
		"skipped 2 cells (hybrid: TLS 1.3 only): tcp/1.2/full/x25519mlkem768, tcp/1.2/resumed/x25519mlkem768",
		"skipped 1 cell (0-RTT needs TLS 1.3): tcp/1.2/0rtt/x25519",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

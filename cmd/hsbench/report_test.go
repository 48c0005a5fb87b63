package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// 'hsbench report' on the real run in report/testdata writes the whole
// report; a directory that is not a run is a usage error naming it.
func TestReportCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "rep")
	stdout, stderr, code := hsbench(t, context.Background(), "report", "../../report/testdata", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "report of 6 cells") {
		t.Errorf("stdout %q", stdout)
	}
	for _, f := range []string{"report.md", "index.html", "cells.csv", "spectrum.png", "spectrum.svg",
		"bars-group.png", "bars-mode.png", "bars-version.png", "breakdown.png", "tcp-1.3-full-x25519-ecdsa-p256.hgrm"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}

	notRun := t.TempDir()
	_, stderr, code = hsbench(t, context.Background(), "report", notRun)
	if code != exitUsage || !strings.Contains(stderr, notRun) {
		t.Errorf("a directory without run.json: exit %d, stderr %q (want 2 naming %s)", code, stderr, notRun)
	}
	if _, err := os.Stat(filepath.Join(notRun, "report")); err == nil {
		t.Error("a report directory was created for a directory that is not a run")
	}
	for _, args := range [][]string{
		{"report"},
		{"report", "../../report/testdata", notRun},
		{"report", "../../report/testdata", "--out", out, "--phase", "nope"},
		{"report", "../../report/testdata", "--out", out, "--dims", "colour"},
	} {
		if _, stderr, code := hsbench(t, context.Background(), args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}

// --matrix switches the list defaults; explicit flags win wherever they stand.
func TestMatrixPreset(t *testing.T) {
	for _, tc := range []struct {
		args           []string
		tls, mode, dur string
	}{
		{[]string{"--matrix"}, "1.2,1.3,quic", "full,resumed,0rtt", "2s"},
		{[]string{"--tls", "1.3", "--matrix"}, "1.3", "full,resumed,0rtt", "2s"},
		{[]string{"--matrix", "--tls", "1.3", "--duration", "1s"}, "1.3", "full,resumed,0rtt", "1s"},
		{[]string{}, "1.3", "full,resumed", "3s"},
	} {
		fs, f := newRunFlags(&strings.Builder{})
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if f.versions != tc.tls || f.modes != tc.mode || f.duration.String() != tc.dur {
			t.Errorf("%v: --tls %s --mode %s --duration %s", tc.args, f.versions, f.modes, f.duration)
		}
		if len(tc.args) > 0 && tc.args[0] == "--matrix" && len(splitList(f.groups)) != 7 {
			t.Errorf("%v: groups %q", tc.args, f.groups)
		}
	}
}

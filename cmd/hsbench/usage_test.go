package main

import (
	"context"
	"strings"
	"testing"
)

// Every command's --help and -h go to stdout with exit 0, nothing on
// stderr; run's and ab's flags come in the five groups, and ab does not
// list the run flags it refuses.
func TestHelpOnStdoutByGroup(t *testing.T) {
	groups := []string{"Target:", "Handshake:", "Load:", "Output:", "Gate:"}
	for _, c := range []struct {
		args       []string
		want, omit []string
	}{
		{[]string{"run", "--help"}, append(groups, "--target", "--rate", "--max-error-rate"), []string{"Other flags"}},
		{[]string{"run", "-h"}, groups, nil},
		{[]string{"ab", "--help"}, append(groups, "--base", "--runs", "--threshold"), []string{"--emulate-exec", "--emulate ", "--repeat", "--shard", "Other flags"}},
		{[]string{"capacity", "--help"}, []string{"Capacity:", "Target:", "--slo", "--budget", "--rates", "--target-pid", "--max-error-rate"},
			[]string{"--repeat", "--shard", "--tables", "--interval", "--client-auth", "Other flags"}},
		{[]string{"compare", "--help"}, []string{"Gate:", "Output:", "--threshold", "--junit"}, nil},
		{[]string{"report", "--help"}, []string{"--phase"}, nil},
		{[]string{"serve", "--help"}, []string{"--addr"}, nil},
		{[]string{"merge", "--help"}, []string{"--out"}, nil},
		{[]string{"--help"}, []string{"Commands:", "report"}, nil},
	} {
		out, errs, code := hsbench(t, context.Background(), c.args...)
		if code != 0 || errs != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing", c.args, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: help lacks %q:\n%s", c.args, w, out)
			}
		}
		for _, o := range c.omit {
			if strings.Contains(out, o) {
				t.Errorf("%v: help lists %q:\n%s", c.args, o, out)
			}
		}
	}
}

// hsbench --version and hsbench version print the same single line.
func TestVersionOneLine(t *testing.T) {
	a, _, ca := hsbench(t, context.Background(), "--version")
	b, _, cb := hsbench(t, context.Background(), "version")
	if ca != 0 || cb != 0 || a != b || strings.Count(a, "\n") != 1 || !strings.HasPrefix(a, "hsbench ") {
		t.Errorf("--version %q (exit %d), version %q (exit %d): want one equal line each", a, ca, b, cb)
	}
}

// A bad --tls value names every accepted one, quic included.
func TestBadTLSNamesQUIC(t *testing.T) {
	_, errs, code := hsbench(t, context.Background(), "run", "--tls", "1.4", "--out", t.TempDir()+"/x")
	if code != exitUsage || !strings.Contains(errs, "quic") || !strings.Contains(errs, "1.4") {
		t.Errorf("exit %d, %q: want 2 and the accepted values with quic", code, errs)
	}
}

// Only the commands that measure promise to write what was measured when
// stopped; serve just stops.
func TestStopMessage(t *testing.T) {
	for _, c := range []struct {
		args  []string
		write bool
	}{{[]string{"run"}, true}, {[]string{"ab"}, true}, {[]string{"capacity"}, true}, {[]string{"serve"}, false}, {[]string{"emulate", "exec"}, false}, {nil, false}} {
		if got := strings.Contains(stopMessage(c.args), "writing what was measured"); got != c.write {
			t.Errorf("%v: %q", c.args, stopMessage(c.args))
		}
	}
}

package main

import (
	"context"
	"strings"
	"testing"
)

// Bad --path, --header, --expect-status and --resume values are usage
// errors naming the flag (exit 2), before anything runs.
func TestHTTPAndResumeFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--expect-status", "6xx"}, "parsing --expect-status"},
		{[]string{"--header", "novalue"}, "parsing --header"},
		{[]string{"--header", "Host: x"}, "parsing --header"},
		{[]string{"--path", "x"}, "parsing --path"},
		{[]string{"--resume", "psk"}, "parsing --resume"},
	} {
		dir := t.TempDir() + "/run"
		_, errs, code := hsbench(t, context.Background(), append([]string{"run", "--out", dir}, c.args...)...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q", c.args, code, errs)
		}
	}
}

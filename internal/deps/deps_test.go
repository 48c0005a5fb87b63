package deps

import (
	"os/exec"
	"strings"
	"testing"
)

// TestReadersLinkNoStack lists each reader package's dependencies with
// `go list -deps` and fails on quic-go, crypto/tls or bench itself.
func TestReadersLinkNoStack(t *testing.T) {
	forbidden := []string{"github.com/quic-go/quic-go", "crypto/tls", "github.com/hsbench/hsbench/bench"}
	for _, pkg := range []string{"loadgen", "results/...", "report/...", "bench/sample"} {
		out, err := exec.Command("go", "list", "-deps", "github.com/hsbench/hsbench/"+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") && !strings.HasPrefix(dep, "github.com/hsbench/hsbench/bench/sample") {
					t.Errorf("%s links %s", pkg, dep)
				}
			}
		}
	}
}

// Package testenv decides whether a test that needs something from the
// machine (a real server binary, root, network namespaces) may run here.
//
// On a developer's machine a missing requirement skips the test. When
// HSBENCH_REQUIRE_INTEROP=1 (set by .ci/run) the same gap fails the test
// instead, so CI can never go green by skipping the interop tests.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireVar is the environment variable that turns skips into failures.
const RequireVar = "HSBENCH_REQUIRE_INTEROP"

// Strict reports whether missing requirements must fail rather than skip.
func Strict() bool { return os.Getenv(RequireVar) == "1" }

// Unavailable skips the test, or fails it in strict mode, with the reason.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if Strict() {
		t.Fatalf("required by %s=1 but unavailable: "+format, append([]any{RequireVar}, args...)...)
	}
	t.Skipf("unavailable (set %s=1 to fail instead): "+format, append([]any{RequireVar}, args...)...)
}

// LookPath returns the absolute path of a binary, or skips/fails the test.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		// Debian puts daemons in sbin, which is not always on a user's PATH.
		for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
			if st, e := os.Stat(dir + "/" + name); e == nil && !st.IsDir() {
				return dir + "/" + name
			}
		}
		Unavailable(t, "binary %q not found", name)
	}
	return p
}

// Root skips or fails the test unless it runs as root (needed for network
// namespaces and TUN devices).
func Root(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Unavailable(t, "needs root (network namespaces, TUN devices)")
	}
}

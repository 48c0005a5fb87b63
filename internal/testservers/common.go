package testservers

import (
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/hsbench/hsbench/internal/testenv"
)

// versions caches version lines per binary path.
var versions sync.Map // string -> string

// versionLine runs bin with args and returns the first non-empty line of
// its combined output ("" if it cannot run).
func versionLine(bin string, args ...string) string {
	key := bin + " " + strings.Join(args, " ")
	if v, ok := versions.Load(key); ok {
		return v.(string)
	}
	out, _ := exec.Command(bin, args...).CombinedOutput()
	v := ""
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			v = l
			break
		}
	}
	versions.Store(key, v)
	return v
}

// prepare finds bin, fills in o's defaults and writes certificates into a
// fresh temporary directory. It returns a Server with everything but the
// address and process filled in.
func prepare(t testing.TB, name, bin string, o Options) (*Server, *certFiles, string) {
	t.Helper()
	path := testenv.LookPath(t, bin)
	o, err := withDefaults(o)
	if err != nil {
		t.Fatalf("%v", err)
	}
	dir := t.TempDir()
	certs, err := writeCerts(dir, o.KeyType)
	if err != nil {
		t.Fatalf("%v", err)
	}
	s := &Server{
		Name:            name,
		ServerName:      ServerName,
		CAFile:          certs.CAPEM,
		Pool:            certs.CA.Pool(),
		Request:         []byte(Request),
		Responds:        true,
		EarlyDataMarker: EarlyDataAcceptedMarker,
		Options:         o,
		Dir:             dir,
	}
	return s, certs, path
}

// testenvPath finds a helper binary (env) or skips/fails the test.
func testenvPath(t testing.TB, name string) string {
	t.Helper()
	return testenv.LookPath(t, name)
}

package testservers

import (
	"crypto/tls"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// fatalTB records Fatalf instead of failing the real test, and otherwise
// behaves like it (cleanups, temporary directories).
type fatalTB struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = format
	if len(args) > 0 {
		f.msg = fmt.Sprintf(format, args...)
	}
	f.mu.Unlock()
	runtime.Goexit()
}

// startFails runs start with a recording TB and returns its Fatalf message.
func startFails(t *testing.T, start func(testing.TB, Options) *Server, o Options) string {
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		start(f, o)
	}()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msg
}

// TestStartFailureShowsLog checks that a server that refuses its
// configuration fails the test with the server's own error message.
func TestStartFailureShowsLog(t *testing.T) {
	for _, c := range []struct {
		start func(testing.TB, Options) *Server
		want  string // from the server's log
	}{
		{StartNginx, "cipher"},
		{StartOpenSSL, "cipher"},
		{StartHAProxy, "cipher"},
	} {
		msg := startFails(t, c.start, Options{Ciphers12: "NO-SUCH-CIPHER"})
		if msg == "" {
			t.Errorf("server started with a bogus cipher list")
			continue
		}
		if !strings.Contains(msg, "did not start") || !strings.Contains(strings.ToLower(msg), c.want) {
			t.Errorf("failure message lacks the server log (%q):\n%s", c.want, msg)
		}
	}
}

// TestPortClashRetried occupies the first port the harness picks and checks
// that it retries on another one.
func TestPortClashRetried(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	calls := 0
	pickPort = func() (int, error) {
		calls++
		if calls == 1 {
			return busy.Addr().(*net.TCPAddr).Port, nil
		}
		return freePort()
	}
	defer func() { pickPort = freePort }()
	for _, start := range []func(testing.TB, Options) *Server{StartNginx, StartOpenSSL, StartHAProxy} {
		calls = 0
		s := start(t, Options{})
		if s.Addr == busy.Addr().String() || calls != 2 {
			t.Errorf("%s: addr %s after %d picks; busy port %s", s.Name, s.Addr, calls, busy.Addr())
		}
		dial(t, s, s.ClientConfig())
	}
}

// TestNoTickets records what NoTickets does with a Go client: TLS 1.2 never
// resumes (Go resumes by ticket only); TLS 1.3 still resumes, from the
// servers' session caches (stateful tickets).
func TestNoTickets(t *testing.T) {
	for _, start := range []func(testing.TB, Options) *Server{StartNginx, StartOpenSSL, StartHAProxy} {
		for _, v := range testVersions {
			s := start(t, Options{NoTickets: true, MinVersion: v.name, MaxVersion: v.name})
			cfg := s.ClientConfig()
			cfg.ClientSessionCache = tls.NewLRUClientSessionCache(2)
			dial(t, s, cfg)
			resumed := dial(t, s, cfg).state.DidResume
			if want := v.v == tls.VersionTLS13; resumed != want {
				t.Errorf("%s TLS %s NoTickets: resumed %v, want %v", s.Name, v.name, resumed, want)
			}
		}
	}
}

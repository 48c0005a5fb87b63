package zerortt

import (
	"bytes"
	"crypto/tls"
	"runtime"
	"strings"
	"testing"
	"time"
)

// goSession runs a real crypto/tls handshake and returns the stored session.
func goSession(t *testing.T, s *goServer) *tls.ClientSessionState {
	t.Helper()
	cache := &captureCache{got: make(chan struct{})}
	c := dial(t, s.addr)
	tc := tls.Client(c, &tls.Config{ServerName: "localhost", RootCAs: s.pool, ClientSessionCache: cache})
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	for range 8 {
		if _, err := tc.Read(buf); err != nil {
			break
		}
	}
	if cache.cs == nil {
		t.Fatal("crypto/tls stored no session")
	}
	return cache.cs
}

// TestTicketFromSessionFormat pins crypto/tls's SessionState encoding: it
// fails when a Go release changes the layout TicketFromSession parses.
func TestTicketFromSessionFormat(t *testing.T) {
	if !strings.HasPrefix(runtime.Version(), "go1.26") {
		t.Logf("pinned for go1.26, running %s: the resumption check below decides", runtime.Version())
	}
	s := startGoServer(t, nil)
	cs := goSession(t, s)
	before := time.Now()
	tk, err := TicketFromSession(cs)
	if err != nil {
		t.Fatal(err)
	}
	identity, state, _ := cs.ResumptionState()
	if !bytes.Equal(tk.Identity, identity) || tk.CipherSuite != tls.TLS_AES_128_GCM_SHA256 || len(tk.PSK) != 32 {
		t.Fatalf("ticket %+v", tk)
	}
	// Go servers issue 7-day tickets; created_at is in whole seconds.
	if tk.Lifetime != 7*24*time.Hour {
		t.Errorf("lifetime %v, want 168h", tk.Lifetime)
	}
	if age := before.Sub(tk.ReceivedAt); age < 0 || age > 3*time.Second {
		t.Errorf("ReceivedAt is %v before now", age)
	}
	if !strings.Contains(tk.ReceivedAt.String(), "m=") {
		t.Error("ReceivedAt has no monotonic reading")
	}
	// The PSK is right only if the server accepts the binder.
	res, err := Resume(testCtx(t), dial(t, s.addr), &Config{ServerName: "localhost"}, tk, nil, nil)
	if err != nil || !res.Resumed {
		t.Fatalf("resumption with the parsed PSK: %v %+v", err, res)
	}
	// A corrupted PSK is refused by the server (binder mismatch).
	bad := *tk
	bad.PSK = bytes.Clone(tk.PSK)
	bad.PSK[0] ^= 1
	if res, err := Resume(testCtx(t), dial(t, s.addr), &Config{ServerName: "localhost"}, &bad, nil, nil); err == nil && res.Resumed {
		t.Fatal("server accepted a wrong PSK")
	}

	// Every truncation and any trailing byte must be rejected, not panic.
	enc, err := state.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(enc) {
		if _, err := parseSessionState(enc[:i], identity, time.Now()); err == nil {
			t.Fatalf("truncated encoding (%d of %d bytes) accepted", i, len(enc))
		}
	}
	if _, err := parseSessionState(append(bytes.Clone(enc), 0), identity, time.Now()); err == nil {
		t.Fatal("encoding with a trailing byte accepted")
	}
}

func TestTicketFromSessionRejectsTLS12(t *testing.T) {
	s := startGoServer(t, func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS12, tls.VersionTLS12 })
	cache := &captureCache{got: make(chan struct{})}
	c := dial(t, s.addr)
	tc := tls.Client(c, &tls.Config{ServerName: "localhost", RootCAs: s.pool, ClientSessionCache: cache, MaxVersion: tls.VersionTLS12})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	if cache.cs == nil {
		t.Fatal("no TLS 1.2 session stored")
	}
	if _, err := TicketFromSession(cache.cs); err == nil {
		t.Fatal("TLS 1.2 session accepted")
	}
}

func TestTicketAgeAndExpiry(t *testing.T) {
	now := time.Now()
	tk := &Ticket{AgeAdd: 0xfffffff0, ReceivedAt: now.Add(-1500 * time.Millisecond), Lifetime: time.Second}
	if got := tk.obfuscatedAge(now); got != 1500-0x10 { // wraps modulo 2^32
		t.Fatalf("obfuscated age %d", got)
	}
	s, _ := suiteByID(tls.TLS_AES_128_GCM_SHA256)
	tk.Identity, tk.PSK, tk.CipherSuite = []byte{1}, make([]byte, 32), s.id
	if _, err := Resume(testCtxShort(t), nil, nil, tk, nil, nil); err != ErrTicketExpired {
		t.Fatalf("want ErrTicketExpired, got %v", err)
	}
	tk.Lifetime = time.Hour
	tk.MaxEarlyData = 4
	if _, err := Resume(testCtxShort(t), nil, nil, tk, []byte("12345"), nil); err == nil || !strings.Contains(err.Error(), "max_early_data_size") {
		t.Fatalf("oversized early data: %v", err)
	}
	if _, err := Resume(testCtxShort(t), nil, &Config{Group: tls.CurveID(0x9999)}, tk, nil, nil); err == nil || !strings.Contains(err.Error(), "unsupported key exchange group") {
		t.Fatalf("unknown group: %v", err)
	}
}

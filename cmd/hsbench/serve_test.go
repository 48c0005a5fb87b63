package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// hsbench serve answers TCP and QUIC clients on one port number until it
// is cancelled, and hsbench run measures both with the CA it wrote.
func TestServeTCPAndQUIC(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--ca-out", ca}, &out, &errs) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	quicLine := regexp.MustCompile(`serving QUIC .* on udp (127\.0\.0\.1:\d+)`)
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := quicLine.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("serve did not report its QUIC listener:\n%s\n%s", out.String(), errs.String())
	}
	for _, tr := range []string{"1.3", "quic"} {
		args := []string{"run", "--target", addr, "--sni", "localhost", "--ca", ca,
			"--tls", tr, "--mode", "full,resumed", "--count", "5", "--warmup", "0", "--out", filepath.Join(dir, "run-"+tr)}
		if tr == "quic" {
			args = append(args, "--alpn", "hsbench") // refused on TCP-only runs
		}
		_, e, code := hsbench(t, context.Background(), args...)
		if code != 0 {
			t.Fatalf("run --tls %s against serve: exit %d\n%s", tr, code, e)
		}
	}
}

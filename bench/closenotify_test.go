package bench

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/target"
)

// recordingRelay forwards one TCP connection to target and keeps what the
// client sent.
type recordingRelay struct {
	ln   net.Listener
	mu   sync.Mutex
	sent [][]byte // per connection, client → server
	wg   sync.WaitGroup
}

func startRecordingRelay(t *testing.T, targetAddr string) *recordingRelay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recordingRelay{ln: ln}
	t.Cleanup(func() { ln.Close(); r.wg.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.wg.Add(1)
			go r.relay(c, targetAddr)
		}
	}()
	return r
}

func (r *recordingRelay) relay(c net.Conn, targetAddr string) {
	defer r.wg.Done()
	defer c.Close()
	s, err := net.Dial("tcp", targetAddr)
	if err != nil {
		return
	}
	defer s.Close()
	go func() { _, _ = io.Copy(c, s) }()
	var buf []byte
	b := make([]byte, 4096)
	for {
		n, err := c.Read(b)
		buf = append(buf, b[:n]...)
		if n > 0 {
			_, _ = s.Write(b[:n])
		}
		if err != nil {
			break
		}
	}
	r.mu.Lock()
	r.sent = append(r.sent, buf)
	r.mu.Unlock()
}

// lastRecordType returns the content type of the last complete TLS record.
func lastRecordType(stream []byte) byte {
	var last byte
	for len(stream) >= 5 {
		n := int(stream[3])<<8 | int(stream[4])
		if len(stream) < 5+n {
			break
		}
		last, stream = stream[0], stream[5+n:]
	}
	return last
}

// Every TLS 1.2 connection hsbench closes ends with an alert record
// (close_notify; TLS 1.2 shows the record type on the wire) after the
// first response byte, off the clock: crypto/tls, the own TLS 1.2 client
// (P-384 first), and session-ID resumption.
func TestCloseNotify(t *testing.T) {
	tg := startTestTarget(t, target.Options{})
	relay := startRecordingRelay(t, tg.Addr)
	p384, _ := ParseGroup("p384")
	x25519, _ := ParseGroup("x25519")
	for name, c := range map[string]struct {
		group  Group
		mode   sample.Mode
		resume string
	}{
		"crypto/tls":     {x25519, sample.ModeFull, ""},
		"own client":     {p384, sample.ModeFull, ""},
		"resumed ticket": {x25519, sample.ModeResumed, ResumeTicket},
	} {
		cfg := &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool(), MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
			CurvePreferences: ClientGroups(c.group, tls.VersionTLS12)}
		h := newHandshaker(t, TCPConfig{Address: relay.ln.Addr().String(), TLS: cfg, Mode: c.mode, Request: []byte(DefaultRequest), Resume: c.resume})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := h.Prime(ctx); err != nil {
			t.Fatal(err)
		}
		if s := h.Handshake(ctx); !s.OK() {
			t.Fatalf("%s: %v %q", name, s.Err, s.Mismatch)
		}
		cancel()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		relay.mu.Lock()
		n := len(relay.sent)
		relay.mu.Unlock()
		if n >= 4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	relay.mu.Lock()
	defer relay.mu.Unlock()
	if len(relay.sent) < 4 {
		t.Fatalf("%d connections relayed, want 4", len(relay.sent))
	}
	for i, stream := range relay.sent {
		if typ := lastRecordType(stream); typ != 21 {
			t.Errorf("connection %d: last record type %d, want 21 (alert: close_notify)", i, typ)
		}
	}
}

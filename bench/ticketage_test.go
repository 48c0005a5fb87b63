package bench

import (
	"crypto/tls"
	"encoding/binary"

	"github.com/hsbench/hsbench/internal/target"
	"io"
	"testing"
	"time"
)

// captureSessions is a ClientSessionCache that keeps the last session.
type captureSessions struct{ cs *tls.ClientSessionState }

func (c *captureSessions) Get(string) (*tls.ClientSessionState, bool) { return nil, false }
func (c *captureSessions) Put(_ string, cs *tls.ClientSessionState) {
	if cs != nil {
		c.cs = cs
	}
}

// A re-stamped session carries the second it was stored in, and the clock
// its sending connection runs on makes crypto/tls's claimed ticket age the
// real age since storing: never older (GnuTLS rejects that), never negative.
func TestStampedSessionTicketAge(t *testing.T) {
	tg := startTestTarget(t, target.Options{})
	cache := &captureSessions{}
	cfg := clientConfig(tg, tls.VersionTLS13, mustGroup(t, "x25519"))
	cfg.ClientSessionCache = cache
	conn, err := tls.Dial("tcp", tg.Addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = conn.Write([]byte(DefaultRequest))
	_, _ = io.ReadAll(conn) // the ticket is stored while reading
	conn.Close()
	if cache.cs == nil {
		t.Fatal("no session stored")
	}
	// 0.9 s past a second: crypto/tls's own stamp makes the age 0.9 s too old.
	stored := time.Unix(time.Now().Unix()-1, 900_000_000) // in the past
	st, frac, err := stampedSession(cache.cs, stored)
	if err != nil {
		t.Fatal(err)
	}
	if frac != 900*time.Millisecond {
		t.Fatalf("fraction %v, want 900ms", frac)
	}
	_, state, err := st.ResumptionState()
	if err != nil {
		t.Fatal(err)
	}
	enc, err := state.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	created := time.Unix(int64(binary.BigEndian.Uint64(enc[sessionCreatedAtOff:sessionCreatedAtEnd])), 0)
	if created.Unix() != stored.Unix() {
		t.Fatalf("created_at %v, want the second of %v", created, stored)
	}
	// crypto/tls: age = Config.Time() − created_at.
	now := time.Now()
	claimed := ticketClock(frac)().Sub(created)
	real := now.Sub(stored)
	if claimed < 0 || claimed > real+5*time.Millisecond || claimed < real-50*time.Millisecond {
		t.Fatalf("claimed age %v, real %v", claimed, real)
	}
}

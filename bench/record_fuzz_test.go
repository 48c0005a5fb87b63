package bench

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// realClientHello captures the first flight crypto/tls writes for cfg: a
// real ClientHello record (with a post-quantum key share when asked).
func realClientHello(t testing.TB, cfg *tls.Config) []byte {
	t.Helper()
	c, s := net.Pipe()
	defer s.Close()
	go func() {
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_ = tls.Client(c, cfg).Handshake()
		c.Close()
	}()
	_ = s.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 16<<10)
	n, _ := s.Read(buf)
	return buf[:n]
}

// The record scanner must count the same records whatever pieces the bytes
// arrive in (reads do not align with records), and never panic on garbage.
// Seeds: real ClientHellos (classic and post-quantum key shares).
func FuzzRecordScanner(f *testing.F) {
	for _, g := range []tls.CurveID{tls.X25519, tls.X25519MLKEM768, tls.SecP384r1MLKEM1024} {
		hello := realClientHello(f, &tls.Config{ServerName: "localhost", CurvePreferences: []tls.CurveID{g}, InsecureSkipVerify: true})
		f.Add(hello, uint8(7))
		f.Add(append(append([]byte{}, hello...), hello...), uint8(1))
	}
	f.Add([]byte{22, 3, 1, 0, 0}, uint8(3))
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint8) {
		var whole, pieces recordScanner
		whole.scan(stream)
		step := int(chunk%64) + 1
		for i := 0; i < len(stream); i += step {
			pieces.scan(stream[i:min(i+step, len(stream))])
		}
		if whole.records != pieces.records || whole.bad != pieces.bad {
			t.Fatalf("split into %d-byte pieces: %v bad=%v; whole: %v bad=%v", step, pieces.records, pieces.bad, whole.records, whole.bad)
		}
	})
}

func TestRecordScannerCountsAClientHello(t *testing.T) {
	hello := realClientHello(t, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
	var r recordScanner
	for i := range hello {
		r.scan(hello[i : i+1])
	}
	if r.bad || r.count(recordHandshake) != 1 {
		t.Fatalf("one byte at a time: %d handshake records, bad=%v", r.count(recordHandshake), r.bad)
	}
}

package zerortt

import (
	"crypto/sha256"
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hsbench/hsbench/internal/testservers"
)

var captureFlag = flag.Bool("zerortt.capture", false, "capture real server flights into testdata/fuzz (seed corpus)")

type capturedRecord struct {
	typ  uint8
	data []byte
}

// captureFlights runs fn with every decrypted inbound record recorded.
func captureFlights(t *testing.T, fn func()) []capturedRecord {
	var mu sync.Mutex
	var recs []capturedRecord
	captureRecord = func(typ uint8, data []byte) {
		mu.Lock()
		recs = append(recs, capturedRecord{typ, append([]byte(nil), data...)})
		mu.Unlock()
	}
	defer func() { captureRecord = nil }()
	fn()
	return recs
}

func writeSeed(t *testing.T, target, name string, args ...any) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := "go test fuzz v1\n"
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			body += fmt.Sprintf("[]byte(%q)\n", v)
		case bool:
			body += fmt.Sprintf("bool(%v)\n", v)
		}
	}
	sum := sha256.Sum256([]byte(body))
	path := filepath.Join(dir, fmt.Sprintf("%s-%x", name, sum[:6]))
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// saveSeeds turns one connection's records into seeds for every target:
// each handshake message for its parser, the plaintext re-framing of the
// whole flight, and the flight re-protected under fuzzSecret.
func saveSeeds(t *testing.T, name string, recs []capturedRecord) {
	var plain, protected []byte
	hc, err := newHalfConn(fuzzSuite(), fuzzSecret)
	if err != nil {
		t.Fatal(err)
	}
	var hsStream []byte
	for _, r := range recs {
		if r.typ != recordApplicationData {
			plain = append(plain, r.typ, 3, 3, byte(len(r.data)>>8), byte(len(r.data)))
			plain = append(plain, r.data...)
		}
		protected = hc.seal(protected, r.typ, r.data)
		if r.typ == recordHandshake {
			hsStream = append(hsStream, r.data...)
		}
	}
	writeSeed(t, "FuzzRecordReader", name+"-plain", plain, false)
	writeSeed(t, "FuzzRecordReader", name+"-protected", protected, true)
	targets := map[uint8]string{
		typeServerHello:         "FuzzParseServerHello",
		typeEncryptedExtensions: "FuzzParseEncryptedExtensions",
		typeNewSessionTicket:    "FuzzParseNewSessionTicket",
	}
	for i := 0; len(hsStream) >= 4; i++ {
		n := int(hsStream[1])<<16 | int(hsStream[2])<<8 | int(hsStream[3])
		if len(hsStream) < 4+n {
			break
		}
		msg := hsStream[:4+n]
		hsStream = hsStream[4+n:]
		if target, ok := targets[msg[0]]; ok {
			writeSeed(t, target, fmt.Sprintf("%s-%d", name, i), msg)
		}
	}
}

// TestCaptureFuzzSeeds records real flights from openssl s_server, nginx,
// haproxy and Go into the seed corpus. Run it once with
//
//	go test -run TestCaptureFuzzSeeds -zerortt.capture ./bench/internal/zerortt/
func TestCaptureFuzzSeeds(t *testing.T) {
	if !*captureFlag {
		t.Skip("seed capture runs only with -zerortt.capture")
	}
	req := []byte(testservers.Request)
	run := func(name string, addr string, cfg *Config, tk *Ticket, early []byte) {
		recs := captureFlights(t, func() {
			c := dial(t, addr)
			defer c.Close()
			if _, err := Resume(testCtx(t), c, cfg, tk, early, nil); err != nil {
				t.Logf("%s: %v", name, err)
			}
		})
		if len(recs) == 0 {
			t.Fatalf("%s: nothing captured", name)
		}
		saveSeeds(t, name, recs)
	}

	o := testservers.StartOpenSSL(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	tk := serverTicket(t, o, nil)
	ocfg := &Config{ServerName: o.ServerName, RootCAs: o.Pool, Read: ReadUntilTicket}
	run("openssl-0rtt", o.Addr, ocfg, tk, req)
	run("openssl-replay-full", o.Addr, ocfg, tk, req)

	n := testservers.StartNginx(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	ntk := serverTicket(t, n, req, "http/1.1")
	run("nginx-0rtt", n.Addr, &Config{ServerName: n.ServerName, Read: ReadToEOF, ALPN: []string{"http/1.1"}}, ntk, req)

	h := testservers.StartHAProxy(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	htk := serverTicket(t, h, req)
	run("haproxy-0rtt", h.Addr, &Config{ServerName: h.ServerName, Read: ReadToEOF}, htk, req)

	g := startGoServer(t, func(c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP256} })
	gtk := goTicket(t, g)
	run("go-hrr", g.addr, &Config{ServerName: "localhost", SupportedGroups: []tls.CurveID{tls.CurveP256}}, gtk, nil)
	run("go-abort", g.addr, &Config{ServerName: "localhost", Group: tls.CurveP256}, gtk, req)
}

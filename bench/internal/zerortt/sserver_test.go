package zerortt

import (
	"crypto/tls"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/internal/testenv"
)

// startSServer runs openssl s_server limited to one TLS 1.3 cipher suite
// (the testservers harness does not pin 1.3 suites), with early data on
// and anti-replay off. Its stdin stays open until cleanup.
func startSServer(t *testing.T, ciphersuite string) (addr string) {
	t.Helper()
	bin := testenv.LookPath(t, "openssl")
	_, leaf := testPKI(t)
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := pki.WriteKeyPair(leaf, cert, key); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "s_server", "-accept", addr, "-cert", cert, "-key", key,
		"-tls1_3", "-ciphersuites", ciphersuite, "-early_data", "-no_anti_replay", "-quiet")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for range 100 {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("openssl s_server did not listen on %s", addr)
	return ""
}

func TestOpenSSLCipherSuites(t *testing.T) {
	for _, cs := range []uint16{tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256} {
		t.Run(tls.CipherSuiteName(cs), func(t *testing.T) {
			ca, _ := testPKI(t)
			addr := startSServer(t, tls.CipherSuiteName(cs))
			// The probe connection above counts as one s_server client; the
			// full handshake follows.
			c := dial(t, addr)
			tk, state, err := FirstTicket(testCtx(t), c, &tls.Config{ServerName: "localhost", RootCAs: ca.Pool()}, nil)
			c.Close()
			if err != nil {
				t.Fatal(err)
			}
			if state.CipherSuite != cs || tk.CipherSuite != cs {
				t.Fatalf("full handshake suite %#04x, ticket %#04x", state.CipherSuite, tk.CipherSuite)
			}
			early := []byte(fmt.Sprintf("early data over %s\n", tls.CipherSuiteName(cs)))
			for i := range 2 {
				c := dial(t, addr)
				res, err := Resume(testCtx(t), c, &Config{ServerName: "localhost", Read: ReadUntilTicket}, tk, early, nil)
				c.Close()
				if err != nil {
					t.Fatal(err)
				}
				if !res.Resumed || !res.EarlyDataAccepted || res.CipherSuite != cs || len(res.Tickets) == 0 {
					t.Fatalf("attempt %d: %+v", i, res)
				}
				tk = res.Tickets[0] // next round uses the engine's own ticket
				if tk.MaxEarlyData == 0 {
					t.Fatal("engine ticket lacks max_early_data_size")
				}
			}
		})
	}
}

package emulate

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/pki"
	"github.com/quic-go/quic-go"
)

// tlsConfigs returns a server config for ServerAddr and a client config
// that trusts it.
func tlsConfigs(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	ca, err := pki.NewCA(pki.ECDSAP256, "emulate test CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(pki.LeafOptions{KeyType: pki.ECDSAP256, IPs: []net.IP{ServerAddr.AsSlice()}})
	if err != nil {
		t.Fatal(err)
	}
	server = &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS13, NextProtos: []string{"hsbench"}}
	client = &tls.Config{RootCAs: ca.Pool(), ServerName: ServerAddr.String(), MinVersion: tls.VersionTLS13, NextProtos: []string{"hsbench"}}
	return server, client
}

// attempts is how many handshakes fastest times; the first one also pays
// for warm-up work (key generation, the race detector's bookkeeping).
const attempts = 5

// fastest runs f attempts times and returns the shortest duration.
func fastest(t *testing.T, f func()) time.Duration {
	t.Helper()
	best := time.Duration(1<<63 - 1)
	for range attempts {
		start := time.Now()
		f()
		best = min(best, time.Since(start))
	}
	return best
}

// TestHandshakesOverLink checks the round-trip counts the link must
// reproduce: TCP connect plus TLS 1.3 is 2 RTT, a QUIC handshake 1 RTT.
// The bound above is the next whole RTT: the handshakes' CPU time (large
// under -race on a loaded machine) must not make the test flaky.
func TestHandshakesOverLink(t *testing.T) {
	const rtt = 40 * time.Millisecond
	l := setupLink(t, Spec{RTT: rtt}, Options{})
	srvConf, cliConf := tlsConfigs(t)

	t.Run("tls13-tcp", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		ln, err := l.ListenTCP(":0")
		if err != nil {
			t.Fatal(err)
		}
		tln := tls.NewListener(ln, srvConf)
		defer tln.Close()
		go func() {
			for {
				c, err := tln.Accept()
				if err != nil {
					return
				}
				go func() { defer c.Close(); c.(*tls.Conn).Handshake(); c.Read(make([]byte, 1)) }()
			}
		}()
		took := fastest(t, func() {
			raw, err := l.DialContext(ctx, "tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			c := tls.Client(raw, cliConf)
			defer c.Close()
			if err := c.HandshakeContext(ctx); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("TCP connect + TLS 1.3 handshake, fastest of %d: %v (%.2f RTT)", attempts, took, float64(took)/float64(rtt))
		if took < 2*rtt || took >= 3*rtt {
			t.Errorf("took %v, want about 2 RTT (%v)", took, 2*rtt)
		}
	})

	t.Run("quic", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		sconn, err := l.ListenUDP(":0")
		if err != nil {
			t.Fatal(err)
		}
		defer sconn.Close()
		qln, err := quic.Listen(sconn, srvConf, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer qln.Close()
		go func() {
			for {
				c, err := qln.Accept(context.Background())
				if err != nil {
					return
				}
				go func() { <-c.Context().Done() }()
			}
		}()
		cconn, err := l.ListenPacketClient()
		if err != nil {
			t.Fatal(err)
		}
		defer cconn.Close()
		tr := &quic.Transport{Conn: cconn}
		defer tr.Close()
		took := fastest(t, func() {
			qc, err := tr.Dial(ctx, sconn.LocalAddr(), cliConf, nil)
			if err != nil {
				t.Fatal(err)
			}
			qc.CloseWithError(0, "")
		})
		t.Logf("QUIC handshake, fastest of %d: %v (%.2f RTT)", attempts, took, float64(took)/float64(rtt))
		if took < rtt || took >= 2*rtt {
			t.Errorf("took %v, want about 1 RTT (%v)", took, rtt)
		}
	})
}

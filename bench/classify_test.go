package bench

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/internal/target"
)

// Each deliberately bad target must produce its own failure class, never a
// crash and never a latency sample.
func TestFailureClasses(t *testing.T) {
	good := startTestTarget(t, target.Options{})
	otherCA, err := pki.NewCA(pki.ECDSAP256, "unknown CA")
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-72 * time.Hour)
	expired, err := good.CA.Issue(pki.LeafOptions{KeyType: pki.ECDSAP256, DNSNames: []string{"localhost"}, NotBefore: past, NotAfter: past.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	expiredTarget := startTestTarget(t, target.Options{CA: good.CA, Certificate: &expired})
	wrongName := startTestTarget(t, target.Options{CA: good.CA, ServerNames: []string{"other.example"}})
	unknownCA := startTestTarget(t, target.Options{CA: otherCA})
	tls12Only := startTestTarget(t, target.Options{CA: good.CA, MaxVersion: tls.VersionTLS12})
	needsClientCert := startTestTarget(t, target.Options{CA: good.CA, ClientAuth: true})

	// Nothing listening: take a free port and close it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()

	// Accepts and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()

	// Answers with something that is not TLS.
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })
	go func() {
		for {
			c, err := plain.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			c.Close()
		}
	}()

	rows := []struct {
		name    string
		addr    string
		version uint16
		timeout time.Duration
		want    string
		phase   sample.Phase
	}{
		{"expired certificate", expiredTarget.Addr, 0, 0, sample.ClassCertExpired, sample.TLSHandshake},
		{"certificate for another name", wrongName.Addr, 0, 0, sample.ClassCertName, sample.TLSHandshake},
		{"certificate from an unknown CA", unknownCA.Addr, 0, 0, sample.ClassCertAuthority, sample.TLSHandshake},
		{"TLS 1.2-only server asked for 1.3", tls12Only.Addr, tls.VersionTLS13, 0, sample.ClassVersion, sample.TLSHandshake},
		{"nothing listening", closedAddr, 0, 0, sample.ClassRefused, sample.TCPConnect},
		// TLS 1.3: the client's handshake is over before the server checks
		// the (missing) client certificate; its alert arrives with the response.
		{"client certificate required (TLS 1.3)", needsClientCert.Addr, tls.VersionTLS13, 0, "alert:certificate_required", sample.TTFB},
		{"client certificate required (TLS 1.2)", needsClientCert.Addr, tls.VersionTLS12, 0, "alert:handshake_failure", sample.TLSHandshake},
		{"accepts and never answers", silent.Addr().String(), 0, 300 * time.Millisecond, sample.ClassTimeout, sample.TLSHandshake},
		{"answers in plain text", plain.Addr().String(), 0, 0, sample.ClassProtocol, sample.TLSHandshake},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			cfg := &tls.Config{ServerName: "localhost", RootCAs: good.CA.Pool()}
			if r.version != 0 {
				cfg.MinVersion, cfg.MaxVersion = r.version, r.version
			}
			h := newHandshaker(t, TCPConfig{Address: r.addr, TLS: cfg, Mode: sample.ModeFull})
			ctx := context.Background()
			if r.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, r.timeout)
				defer cancel()
			}
			s := h.Handshake(ctx)
			if s.Err == nil {
				t.Fatal("bad target gave a successful sample")
			}
			if s.Class != r.want || s.FailedIn != r.phase {
				t.Fatalf("class %q in %s, want %q in %s (err: %v)", s.Class, s.FailedIn, r.want, r.phase, s.Err)
			}
		})
	}
}

// Errors that bad targets cannot easily produce on loopback, classified
// directly. (A resolver failure is not provoked for real: it would send a DNS
// query off this machine.)
func TestClassifyErrors(t *testing.T) {
	rows := []struct {
		err  error
		want string
	}{
		{&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, sample.ClassDNS},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EADDRNOTAVAIL)}, sample.ClassEphemeralPorts},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("socket", syscall.EMFILE)}, sample.ClassFDLimit},
		{&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, sample.ClassReset},
		{fmt.Errorf("wrapped: %w", tls.AlertError(40)), "alert:handshake_failure"},
		{tls.AlertError(70), sample.ClassVersion},
		{context.Canceled, sample.ClassCanceled},
		{fmt.Errorf("bench: %w", ErrNo0RTT), sample.ClassNo0RTT},
		{errors.New("something new"), sample.ClassOther},
	}
	for _, r := range rows {
		if got := Classify(r.err); got != r.want {
			t.Errorf("Classify(%v) = %q, want %q", r.err, got, r.want)
		}
	}
}

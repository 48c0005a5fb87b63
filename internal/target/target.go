// Package target is hsbench's embedded target: a crypto/tls server over TCP and a
// quic-go server over UDP that answer one request per connection.
package target

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/hsbench/hsbench/internal/pki"
)

// Options configure the embedded target.
type Options struct {
	// Addr to listen on; default 127.0.0.1:0 (a free port).
	Addr string
	// Listener, when set, is used instead of listening on Addr (for example a
	// listener created inside an emulated network).
	Listener net.Listener
	// Cert is the server key type; default ecdsa-p256.
	Cert pki.KeyType
	// ServerNames the certificate covers; default localhost, 127.0.0.1, ::1.
	ServerNames []string
	// MinVersion and MaxVersion bound the TLS versions; default 1.2 – 1.3.
	MinVersion, MaxVersion uint16
	// Groups restricts the server's key-exchange groups; empty means Go's defaults.
	Groups []tls.CurveID
	// ClientAuth requires a client certificate signed by the target's CA.
	ClientAuth bool
	// NoTickets turns session tickets off.
	NoTickets bool
	// Slowdown delays every handshake by this fraction of its own measured
	// duration (0.10 = 10% slower), to test regression gates.
	Slowdown float64
	// Stall, when set, is called before each handshake; a test uses it to
	// make the target hang.
	Stall func()
	// Certificate overrides the issued certificate (bad-target tests).
	Certificate *tls.Certificate
	// CA overrides the CA used to issue the certificate.
	CA *pki.CA
}

// Target is the embedded TLS target: crypto/tls over TCP, session tickets
// on, a certificate issued at start by an in-memory CA. After the handshake
// it reads one HTTP/1.x request head and answers "HTTP/1.1 200 OK" with a
// three-byte body, then closes (see the README's "embedded target protocol").
type Target struct {
	Addr string
	CA   *pki.CA
	// ClientCert is a client certificate the CA issued, for --client-cert tests.
	ClientCert tls.Certificate

	ln     net.Listener
	cfg    *tls.Config
	opts   Options
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// Start issues the certificates and starts serving.
func Start(o Options) (*Target, error) {
	if o.Cert == "" {
		o.Cert = pki.ECDSAP256
	}
	if o.MinVersion == 0 {
		o.MinVersion = tls.VersionTLS12
	}
	if o.MaxVersion == 0 {
		o.MaxVersion = tls.VersionTLS13
	}
	if len(o.ServerNames) == 0 {
		o.ServerNames = []string{"localhost", "127.0.0.1", "::1"}
	}
	ca := o.CA
	var err error
	if ca == nil {
		if ca, err = pki.NewCA(pki.ECDSAP256, "hsbench embedded target CA"); err != nil {
			return nil, fmt.Errorf("target:: %w", err)
		}
	}
	var cert tls.Certificate
	if o.Certificate != nil {
		cert = *o.Certificate
	} else {
		dns, ips := splitNames(o.ServerNames)
		if cert, err = ca.Issue(pki.LeafOptions{KeyType: o.Cert, DNSNames: dns, IPs: ips}); err != nil {
			return nil, fmt.Errorf("target:: %w", err)
		}
	}
	clientCert, err := ca.Issue(pki.LeafOptions{KeyType: pki.ECDSAP256, DNSNames: []string{"hsbench-client"}, Client: true})
	if err != nil {
		return nil, fmt.Errorf("target:: %w", err)
	}
	cfg := &tls.Config{
		Certificates:           []tls.Certificate{cert},
		MinVersion:             o.MinVersion,
		MaxVersion:             o.MaxVersion,
		CurvePreferences:       o.Groups,
		SessionTicketsDisabled: o.NoTickets,
		// RSA key exchange suites are off by default in crypto/tls; list
		// them so clients can select them with --suite.
		CipherSuites: allTLS12Suites(),
	}
	if o.ClientAuth {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		cfg.ClientCAs = ca.Pool()
	}
	ln := o.Listener
	if ln == nil {
		addr := o.Addr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		if ln, err = net.Listen("tcp", addr); err != nil {
			return nil, fmt.Errorf("target:: listening: %w", err)
		}
	}
	t := &Target{Addr: ln.Addr().String(), CA: ca, ClientCert: clientCert, ln: ln, cfg: cfg, opts: o, conns: map[net.Conn]struct{}{}}
	t.wg.Add(1)
	go t.serve()
	return t, nil
}

func splitNames(names []string) (dns []string, ips []net.IP) {
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			ips = append(ips, ip)
		} else {
			dns = append(dns, n)
		}
	}
	return dns, ips
}

func allTLS12Suites() []uint16 {
	var ids []uint16
	for _, cs := range tls.CipherSuites() {
		ids = append(ids, cs.ID)
	}
	for _, cs := range tls.InsecureCipherSuites() {
		for _, v := range cs.SupportedVersions {
			if v == tls.VersionTLS12 {
				ids = append(ids, cs.ID)
				break
			}
		}
	}
	return ids
}

// Certificate returns the target's server certificate, so a QUIC target
// started beside it (StartQUIC) can serve the same one.
func (t *Target) Certificate() tls.Certificate { return t.cfg.Certificates[0] }

// Close stops accepting, closes open connections and waits for handlers.
func (t *Target) Close() error {
	t.mu.Lock()
	t.closed = true
	for c := range t.conns {
		c.Close()
	}
	t.mu.Unlock()
	err := t.ln.Close()
	t.wg.Wait()
	return err
}

func (t *Target) serve() {
	defer t.wg.Done()
	for {
		c, err := t.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		t.mu.Lock()
		if t.closed {
			t.mu.Unlock()
			c.Close()
			return
		}
		t.conns[c] = struct{}{}
		t.wg.Add(1)
		t.mu.Unlock()
		go t.handle(c)
	}
}

const targetResponse = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nok\n"

func (t *Target) handle(c net.Conn) {
	defer t.wg.Done()
	defer func() {
		c.Close()
		t.mu.Lock()
		delete(t.conns, c)
		t.mu.Unlock()
	}()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	if t.opts.Stall != nil {
		t.opts.Stall()
	}
	conn := tls.Server(c, t.cfg)
	start := time.Now()
	if err := conn.HandshakeContext(context.Background()); err != nil {
		return
	}
	if t.opts.Slowdown > 0 {
		spin(time.Duration(float64(time.Since(start)) * t.opts.Slowdown))
	}
	if err := readRequest(bufio.NewReaderSize(conn, 1024), 8192); err != nil {
		return
	}
	_, _ = conn.Write([]byte(targetResponse))
}

// spin burns CPU for d, so a slowed target behaves like a slower build
// (sleeping would free the core and hide the cost under load).
func spin(d time.Duration) {
	end := time.Now().Add(d)
	x := uint64(1)
	for time.Now().Before(end) {
		for i := 0; i < 64; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink = x
}

var sink uint64

// readRequest reads one request head (up to the empty line), at most limit bytes.
func readRequest(br *bufio.Reader, limit int) error {
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		n += len(line)
		if err != nil {
			return err
		}
		if n > limit {
			return errors.New("request too large")
		}
		if len(line) <= 2 && (len(line) == 1 || line[0] == '\r') {
			return nil
		}
	}
}

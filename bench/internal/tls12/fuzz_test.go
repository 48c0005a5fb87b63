package tls12

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var captureFlag = flag.Bool("tls12.capture", false, "capture real server flights into testdata/fuzz (seed corpus)")

func FuzzParseServerHello(f *testing.F) {
	f.Add([]byte{typeServerHello, 0, 0, 0})
	f.Fuzz(func(t *testing.T, msg []byte) {
		m, err := parseServerHello(msg)
		if err == nil && (len(m.random) != 32 || len(m.sessionID) > 32) {
			t.Fatalf("inconsistent ServerHello %v", m)
		}
	})
}

// FuzzServerFlight feeds a server's byte stream to Resume. The session's
// ID is taken from the stream's ServerHello when it parses, so the
// engine goes on to the ChangeCipherSpec, the protected Finished and the
// records after it. It must return an error or a Conn, never panic or hang.
func FuzzServerFlight(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, typeServerHello, 0, 0, 0})
	f.Fuzz(func(t *testing.T, stream []byte) {
		sess := &Session{ID: []byte{1}, MasterSecret: make([]byte, 48), CipherSuite: tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
		if sh := firstServerHello(stream); sh != nil && len(sh.sessionID) > 0 {
			sess.ID, sess.EMS = sh.sessionID, sh.ems
			if Supported(sh.cipherSuite) {
				sess.CipherSuite = sh.cipherSuite
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		c, _, err := Resume(ctx, &streamConn{r: bytes.NewReader(stream)}, nil, sess, nil)
		if err == nil {
			_, _ = c.Read(make([]byte, 64))
		}
	})
}

// FuzzFullFlight feeds a server's byte stream to Full (certificate chain
// not verified, signatures still checked).
func FuzzFullFlight(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, typeServerHello, 0, 0, 0})
	f.Fuzz(func(t *testing.T, stream []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		c, _, err := Full(ctx, &streamConn{r: bytes.NewReader(stream)}, &FullConfig{InsecureSkipVerify: true}, nil)
		if err == nil {
			_, _ = c.Read(make([]byte, 64))
		}
	})
}

// firstServerHello parses the ServerHello of a stream that starts with a
// single plaintext handshake record carrying it.
func firstServerHello(stream []byte) *serverHello {
	if len(stream) < 9 || stream[0] != 22 {
		return nil
	}
	n := int(stream[3])<<8 | int(stream[4])
	if len(stream) < 5+n {
		return nil
	}
	sh, _ := parseServerHello(stream[5 : 5+n])
	return sh
}

// streamConn is a net.Conn that reads a fixed stream and discards writes.
type streamConn struct {
	net.Conn
	r *bytes.Reader
}

func (c *streamConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *streamConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *streamConn) SetDeadline(time.Time) error      { return nil }
func (c *streamConn) Close() error                     { return nil }
func (c *streamConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *streamConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *streamConn) SetReadDeadline(time.Time) error  { return nil }
func (c *streamConn) SetWriteDeadline(time.Time) error { return nil }
func (c *streamConn) CloseWrite() error                { return errors.ErrUnsupported }
func (c *streamConn) String() string                   { return fmt.Sprintf("stream(%d)", c.r.Len()) }

// recordingConn records what the server sent on a real connection.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	got []byte
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.got = append(c.got, p[:n]...)
	c.mu.Unlock()
	return n, err
}

// saveFlight writes a connection's server bytes as seeds when
// -tls12.capture is set: FuzzFullFlight for full handshakes (name has
// "-full-"), else FuzzServerFlight; the ServerHello for its parser.
func saveFlight(t *testing.T, name string, rc *recordingConn) {
	t.Helper()
	if !*captureFlag {
		return
	}
	rc.mu.Lock()
	stream := append([]byte(nil), rc.got...)
	rc.mu.Unlock()
	target := "FuzzServerFlight"
	if strings.Contains(name, "-full-") {
		target = "FuzzFullFlight"
	}
	writeSeed(t, target, name, stream)
	if len(stream) > 5 {
		n := int(stream[3])<<8 | int(stream[4])
		if len(stream) >= 5+n {
			writeSeed(t, "FuzzParseServerHello", name, stream[5:5+n])
		}
	}
}

func writeSeed(t *testing.T, target, name string, data []byte) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
	sum := sha256.Sum256([]byte(body))
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%x", name, sum[:6])), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

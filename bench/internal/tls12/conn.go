package tls12

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
)

// maxHandshakeMsg bounds a reassembled handshake message. An abbreviated
// handshake has no certificates: its messages are small.
const maxHandshakeMsg = 1 << 16

const alertCloseNotify uint8 = 0

// Conn is a resumed TLS 1.2 connection: Read and Write carry application
// data. It is not safe for concurrent Reads or concurrent Writes.
type Conn struct {
	raw     net.Conn
	rr      *tlswire.RecordReader
	in, out *halfConn // nil while plaintext
	hsBuf   []byte    // handshake bytes not yet returned as messages
	pending []byte    // application data not yet returned by Read
	readErr error

	closeOnce sync.Once
}

func newConn(raw net.Conn, r io.Reader) *Conn {
	return &Conn{raw: raw, rr: tlswire.NewRecordReader(r, "tls12")}
}

// readRecord returns the next record's type and plaintext. A
// close_notify alert becomes io.EOF, a fatal alert a tls.AlertError, and
// warning alerts are skipped.
func (c *Conn) readRecord() (uint8, []byte, error) {
	for range 64 { // bound consecutive skipped records
		hdr, body, err := c.rr.Next()
		if err != nil {
			return 0, nil, err
		}
		typ, data := hdr[0], body
		if c.in != nil {
			if data, err = c.in.open(hdr, body); err != nil {
				return 0, nil, err
			}
		} else if len(body) > tlswire.MaxPlaintext {
			return 0, nil, recordErr("record_overflow: plaintext record too long")
		}
		switch typ {
		case tlswire.RecordAlert:
			if len(data) != 2 {
				return 0, nil, recordErr("malformed alert")
			}
			if data[1] == alertCloseNotify {
				return 0, nil, io.EOF
			}
			if data[0] == 1 { // warning, e.g. no_renegotiation
				continue
			}
			return 0, nil, fmt.Errorf("tls12: remote error: %w", tls.AlertError(data[1]))
		case tlswire.RecordApplicationData:
			if c.in == nil {
				return 0, nil, recordErr("unprotected application data")
			}
		case tlswire.RecordHandshake:
			if len(data) == 0 {
				return 0, nil, recordErr("empty handshake record")
			}
		}
		return typ, data, nil
	}
	return 0, nil, recordErr("too many warning alerts")
}

// readHandshake returns the next complete handshake message (header
// included). Any other record is a protocol error here.
func (c *Conn) readHandshake() ([]byte, error) {
	for range maxHandshakeMsg {
		if len(c.hsBuf) >= 4 {
			n := int(c.hsBuf[1])<<16 | int(c.hsBuf[2])<<8 | int(c.hsBuf[3])
			if n > maxHandshakeMsg {
				return nil, handshakeErr("%d-byte handshake message is too large", n)
			}
			if len(c.hsBuf) >= 4+n {
				msg := c.hsBuf[: 4+n : 4+n]
				c.hsBuf = c.hsBuf[4+n:]
				return msg, nil
			}
		}
		typ, data, err := c.readRecord()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, handshakeErr("server closed the connection during the handshake: %w", io.ErrUnexpectedEOF)
			}
			return nil, err
		}
		if typ != tlswire.RecordHandshake {
			return nil, handshakeErr("unexpected record of type %d during the handshake", typ)
		}
		c.hsBuf = append(c.hsBuf, data...)
	}
	return nil, handshakeErr("handshake message never completed")
}

// readChangeCipherSpec reads the server's ChangeCipherSpec. No handshake
// bytes may be pending across it.
func (c *Conn) readChangeCipherSpec() error {
	typ, data, err := c.readRecord()
	if err != nil {
		return fmt.Errorf("tls12: reading ChangeCipherSpec: %w", err)
	}
	if typ != tlswire.RecordChangeCipherSpec || len(data) != 1 || data[0] != 1 || len(c.hsBuf) != 0 {
		return handshakeErr("expected ChangeCipherSpec, got record type %d", typ)
	}
	return nil
}

// Read reads application data. It returns io.EOF after the server's
// close_notify.
func (c *Conn) Read(p []byte) (int, error) {
	for len(c.pending) == 0 {
		if c.readErr != nil {
			return 0, c.readErr
		}
		typ, data, err := c.readRecord()
		switch {
		case err != nil:
			c.readErr = err
		case typ == tlswire.RecordApplicationData:
			c.pending = data
		case typ == tlswire.RecordHandshake:
			// HelloRequest: renegotiation is not supported and may be
			// ignored by a client (RFC 5246, Section 7.4.1.1).
		default:
			c.readErr = handshakeErr("unexpected record of type %d after the handshake", typ)
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// Write sends p as application data records.
func (c *Conn) Write(p []byte) (int, error) {
	var out []byte
	for rest := p; len(rest) > 0; {
		n := min(len(rest), tlswire.MaxPlaintext)
		out = c.out.seal(out, tlswire.RecordApplicationData, rest[:n])
		rest = rest[n:]
	}
	if _, err := c.raw.Write(out); err != nil {
		return 0, fmt.Errorf("tls12: write: %w", err)
	}
	return len(p), nil
}

// CloseNotify sends the close_notify alert, once. The connection itself
// stays open.
func (c *Conn) CloseNotify() error {
	var err error
	c.closeOnce.Do(func() {
		_, err = c.raw.Write(c.out.seal(nil, tlswire.RecordAlert, []byte{1, alertCloseNotify}))
	})
	return err
}

// Close sends close_notify and closes the underlying connection.
func (c *Conn) Close() error {
	err := c.CloseNotify()
	if cerr := c.raw.Close(); err == nil {
		err = cerr
	}
	return err
}

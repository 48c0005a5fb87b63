package zerortt

import (
	"errors"
	"fmt"
	"io"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
)

// maxHandshakeMsg bounds a reassembled handshake message (certificate
// chains are the largest ones a client receives).
const maxHandshakeMsg = 1 << 18

// Handshake message types (RFC 8446, Section 4).
const (
	typeClientHello         uint8 = 1
	typeServerHello         uint8 = 2
	typeNewSessionTicket    uint8 = 4
	typeEndOfEarlyData      uint8 = 5
	typeEncryptedExtensions uint8 = 8
	typeCertificate         uint8 = 11
	typeCertificateRequest  uint8 = 13
	typeCertificateVerify   uint8 = 15
	typeFinished            uint8 = 20
	typeKeyUpdate           uint8 = 24
	typeMessageHash         uint8 = 254
)

// errCloseNotify is returned by readRecord when the peer sent close_notify.
// It wraps io.EOF: the peer closed the connection.
var errCloseNotify = fmt.Errorf("zerortt: peer sent close_notify: %w", io.EOF)

// captureRecord, when set (by a test capturing fuzz seeds), sees every
// inbound record after decryption. It is nil in normal operation.
var captureRecord func(typ uint8, data []byte)

// recordConn is the inbound half of the record layer plus handshake
// message reassembly. It owns no socket: in is any byte stream.
type recordConn struct {
	rr    *tlswire.RecordReader
	in    *halfConn // nil while records are plaintext
	hsBuf []byte    // handshake bytes not yet returned as messages
	ccs   int       // change_cipher_spec records seen (compatibility mode)
}

func newRecordConn(r io.Reader) *recordConn {
	return &recordConn{rr: newRecordReader(r)}
}

// setReadKey switches inbound protection. Keys change only at record
// boundaries, so no handshake bytes may be pending (RFC 8446, Section 5.1).
func (c *recordConn) setReadKey(hc *halfConn) error {
	if len(c.hsBuf) != 0 {
		return handshakeErr("handshake message spans a key change")
	}
	c.in = hc
	return nil
}

// readRecord returns the next record's content type and plaintext.
// Alerts become *AlertError (errCloseNotify for close_notify), and
// compatibility change_cipher_spec records are skipped.
func (c *recordConn) readRecord() (uint8, []byte, error) {
	for range 64 { // bound consecutive skipped records
		hdr, body, err := c.rr.Next()
		if err != nil {
			return 0, nil, err
		}
		typ := hdr[0]
		if typ == recordChangeCipherSpec {
			// RFC 8446, Section 5: a single 0x01 byte, unprotected, may
			// arrive at any time during the handshake.
			if len(body) != 1 || body[0] != 1 || c.ccs > 0 {
				return 0, nil, &RecordError{Engine: "zerortt", Reason: "unexpected change_cipher_spec"}
			}
			c.ccs++
			continue
		}
		data := body
		if c.in != nil {
			typ, data, err = c.in.open(hdr, body)
			if err != nil {
				return 0, nil, err
			}
		} else if len(body) > maxPlaintext {
			return 0, nil, &RecordError{Engine: "zerortt", Reason: "record_overflow: plaintext record too long"}
		}
		if captureRecord != nil {
			captureRecord(typ, data)
		}
		switch typ {
		case recordAlert:
			if len(data) != 2 {
				return 0, nil, &RecordError{Engine: "zerortt", Reason: "malformed alert"}
			}
			if data[1] == alertCloseNotify {
				return 0, nil, errCloseNotify
			}
			return 0, nil, &AlertError{Level: data[0], Code: data[1]}
		case recordHandshake:
			if len(data) == 0 {
				return 0, nil, &RecordError{Engine: "zerortt", Reason: "empty handshake record"}
			}
		case recordApplicationData:
			if c.in == nil {
				return 0, nil, &RecordError{Engine: "zerortt", Reason: "unprotected application data"}
			}
		case recordChangeCipherSpec:
			return 0, nil, &RecordError{Engine: "zerortt", Reason: "protected change_cipher_spec"}
		default:
			return 0, nil, &RecordError{Engine: "zerortt", Reason: fmt.Sprintf("unknown inner content type %d", typ)}
		}
		return typ, data, nil
	}
	return 0, nil, &RecordError{Engine: "zerortt", Reason: "too many change_cipher_spec records"}
}

// nextBufferedMessage pops a complete handshake message from hsBuf.
func (c *recordConn) nextBufferedMessage() ([]byte, bool, error) {
	if len(c.hsBuf) < 4 {
		return nil, false, nil
	}
	n := int(c.hsBuf[1])<<16 | int(c.hsBuf[2])<<8 | int(c.hsBuf[3])
	if n > maxHandshakeMsg {
		return nil, false, handshakeErr("%d-byte handshake message is too large", n)
	}
	if len(c.hsBuf) < 4+n {
		return nil, false, nil
	}
	msg := c.hsBuf[: 4+n : 4+n]
	c.hsBuf = c.hsBuf[4+n:]
	if len(c.hsBuf) == 0 {
		c.hsBuf = nil
	}
	return msg, true, nil
}

// readHandshake returns the next complete handshake message (header
// included), reading and reassembling records as needed. Any other record
// type is a protocol error during the handshake.
func (c *recordConn) readHandshake() ([]byte, error) {
	for range maxHandshakeMsg + 1 {
		msg, ok, err := c.nextBufferedMessage()
		if err != nil || ok {
			return msg, err
		}
		typ, data, err := c.readRecord()
		if err != nil {
			if errors.Is(err, errCloseNotify) {
				return nil, fmt.Errorf("%w: server sent close_notify during the handshake: %w", ErrHandshakeFailed, io.ErrUnexpectedEOF)
			}
			return nil, err
		}
		if typ != recordHandshake {
			return nil, handshakeErr("unexpected record of type %d during the handshake", typ)
		}
		c.hsBuf = append(c.hsBuf, data...)
	}
	return nil, handshakeErr("handshake message never completed")
}

// Package tlswire holds the pieces of the TLS wire format that hsbench's
// own handshake engines share, whatever the protocol version: splitting a
// byte stream into records, the record-layer error, and walking a
// handshake message's extension block. The record protection itself
// differs between TLS 1.2 and 1.3 and lives with each engine
// (bench/internal/zerortt for TLS 1.3 0-RTT, bench/internal/tls12 for
// TLS 1.2 session-ID resumption and full handshakes with ordered groups).
package tlswire

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
)

// Record content types (RFC 5246 Section 6.2.1, RFC 8446 Section 5.1).
const (
	RecordChangeCipherSpec uint8 = 20
	RecordAlert            uint8 = 21
	RecordHandshake        uint8 = 22
	RecordApplicationData  uint8 = 23
)

// Record size limits.
const (
	RecordHeaderLen = 5
	MaxPlaintext    = 1 << 14
	MaxCiphertext   = MaxPlaintext + 256 // TLS 1.3 bound; TLS 1.2 allows 2048 of expansion, no AEAD uses it
	maxRecordBody   = MaxPlaintext + 2048
)

// RecordError is a record-layer failure: a malformed record header, an
// oversized record, or a record that does not authenticate. Engine is the
// prefix of the message ("zerortt", "tls12").
type RecordError struct {
	Engine string
	Reason string
}

func (e *RecordError) Error() string {
	p := e.Engine
	if p == "" {
		p = "tls"
	}
	return p + ": record layer: " + e.Reason
}

// RecordReader splits a byte stream into records.
type RecordReader struct {
	r      *bufio.Reader
	hdr    [RecordHeaderLen]byte
	engine string
	max    int
}

// NewRecordReader reads records from r; engine prefixes its errors.
// Record bodies longer than MaxCiphertext are rejected (record_overflow).
func NewRecordReader(r io.Reader, engine string) *RecordReader {
	return &RecordReader{r: bufio.NewReaderSize(r, RecordHeaderLen+maxRecordBody), engine: engine, max: MaxCiphertext}
}

// Next reads one record. The returned header stays valid until the next
// call; the body is freshly allocated.
func (rr *RecordReader) Next() (hdr, body []byte, err error) {
	if _, err := io.ReadFull(rr.r, rr.hdr[:]); err != nil {
		return nil, nil, err
	}
	typ := rr.hdr[0]
	if typ < RecordChangeCipherSpec || typ > RecordApplicationData {
		return nil, nil, &RecordError{Engine: rr.engine, Reason: fmt.Sprintf("unknown record type %d (not TLS?)", typ)}
	}
	if rr.hdr[1] != 3 || rr.hdr[2] > 4 {
		return nil, nil, &RecordError{Engine: rr.engine, Reason: fmt.Sprintf("unexpected record version %#02x%02x", rr.hdr[1], rr.hdr[2])}
	}
	n := int(binary.BigEndian.Uint16(rr.hdr[3:]))
	if n > rr.max {
		return nil, nil, &RecordError{Engine: rr.engine, Reason: fmt.Sprintf("record_overflow: %d-byte record", n)}
	}
	body = make([]byte, n)
	if _, err := io.ReadFull(rr.r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, nil, err
	}
	return rr.hdr[:], body, nil
}

// ReadExtensions walks an extension block (uint16 length-prefixed list of
// type + uint16 length-prefixed data), rejecting duplicates, and calls fn
// for each extension. It returns false on malformed input or when fn does.
func ReadExtensions(s *cryptobyte.String, fn func(typ uint16, data cryptobyte.String) bool) bool {
	var exts cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&exts) {
		return false
	}
	seen := make(map[uint16]bool)
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) || seen[typ] {
			return false
		}
		seen[typ] = true
		if !fn(typ, data) {
			return false
		}
	}
	return true
}

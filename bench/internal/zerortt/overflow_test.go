package zerortt

import (
	"bytes"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/hsbench/hsbench/bench/internal/tlswire"
)

// What a malicious or broken server can send at the record layer, where
// every server byte passes: RFC 8446 5.1, 5.2 and 5.4 bound a record, and
// anything beyond is record_overflow, never accepted.
func TestRecordOverflow(t *testing.T) {
	s, _ := suiteByID(tls.TLS_AES_128_GCM_SHA256)
	secret := bytes.Repeat([]byte{5}, s.size)
	// protected seals inner (content + type + padding) as one record,
	// whatever its length.
	protected := func(inner []byte) []byte {
		w, _ := newHalfConn(s, secret)
		n := len(inner) + w.aead.Overhead()
		hdr := []byte{recordApplicationData, 3, 3, byte(n >> 8), byte(n)}
		return w.aead.Seal(bytes.Clone(hdr), w.nonce(), inner, hdr)
	}
	padded := func(content, pad int) []byte {
		inner := append(bytes.Repeat([]byte{'x'}, content), recordApplicationData)
		return append(inner, make([]byte, pad)...)
	}
	plain := func(n int) []byte {
		return append([]byte{recordHandshake, 3, 3, byte(n >> 8), byte(n)}, make([]byte, n)...)
	}
	for _, c := range []struct {
		name      string
		stream    []byte
		keys      bool
		overflows bool
	}{
		{"2^14 content, no padding: the largest record", protected(padded(maxPlaintext, 0)), true, false},
		{"small content padded to exactly 2^14+1", protected(padded(10, maxPlaintext-10)), true, false},
		{"2^14 content plus one byte of padding", protected(padded(maxPlaintext, 1)), true, true},
		{"small content padded past 2^14+1", protected(padded(10, maxPlaintext)), true, true},
		{"2^14+1 content", protected(padded(maxPlaintext+1, 0)), true, true},
		{"ciphertext length 2^14+256+1 in the header", append([]byte{recordApplicationData, 3, 3, 0x41, 0x01}, make([]byte, tlswire.MaxCiphertext+1)...), true, true},
		{"ciphertext length 0xffff in the header", []byte{recordApplicationData, 3, 3, 0xff, 0xff}, true, true},
		{"plaintext record of 2^14", plain(maxPlaintext), false, false},
		{"plaintext record of 2^14+1", plain(maxPlaintext + 1), false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := newRecordConn(bytes.NewReader(c.stream))
			if c.keys {
				rc.in, _ = newHalfConn(s, secret)
			}
			_, _, err := rc.readRecord()
			var re *RecordError
			switch {
			case c.overflows && (!errors.As(err, &re) || !strings.HasPrefix(re.Reason, "record_overflow")):
				t.Fatalf("want record_overflow, got %v", err)
			case !c.overflows && err != nil:
				t.Fatalf("a record within the bounds refused: %v", err)
			}
		})
	}
}

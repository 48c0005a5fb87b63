package zerortt

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"testing"
)

// fuzzSecret keys the protected-record seeds of FuzzRecordReader.
var fuzzSecret = bytes.Repeat([]byte{0x5a}, 32)

func fuzzSuite() *suite {
	s, _ := suiteByID(tls.TLS_AES_128_GCM_SHA256)
	return s
}

func FuzzParseServerHello(f *testing.F) {
	f.Add([]byte{typeServerHello, 0, 0, 0})
	f.Fuzz(func(t *testing.T, msg []byte) {
		m, err := parseServerHello(msg)
		if err == nil && (len(m.random) != 32 || m.keyShare != nil && m.isHRR) {
			t.Fatalf("inconsistent ServerHello %+v", m)
		}
	})
}

func FuzzParseEncryptedExtensions(f *testing.F) {
	f.Add([]byte{typeEncryptedExtensions, 0, 0, 6, 0, 4, 0, 42, 0, 0})
	f.Fuzz(func(t *testing.T, msg []byte) {
		_, _ = parseEncryptedExtensions(msg)
	})
}

func FuzzParseNewSessionTicket(f *testing.F) {
	f.Add(unhex(f, rfc8448NST))
	s := fuzzSuite()
	f.Fuzz(func(t *testing.T, msg []byte) {
		m, err := parseNewSessionTicket(msg)
		if err != nil {
			return
		}
		if len(m.ticket) == 0 {
			t.Fatal("empty ticket accepted")
		}
		tk, err := ticketFromNST(s, fuzzSecret, m, timeNowForTest(), "", "")
		if err == nil && len(tk.PSK) != s.size {
			t.Fatal("bad PSK size")
		}
	})
}

// parseAny runs the parser that matches a handshake message's type.
func parseAny(msg []byte) {
	switch msg[0] {
	case typeServerHello:
		_, _ = parseServerHello(msg)
	case typeEncryptedExtensions:
		_, _ = parseEncryptedExtensions(msg)
	case typeCertificate:
		_, _ = parseCertificate(msg)
	case typeCertificateVerify:
		_, _ = parseCertificateVerify(msg)
	case typeFinished:
		_, _ = parseFinished(msg, 32)
	case typeNewSessionTicket:
		_, _ = parseNewSessionTicket(msg)
	case typeKeyUpdate:
		_, _ = parseKeyUpdate(msg)
	}
}

// FuzzRecordReader feeds a server byte stream to the record layer and the
// handshake reassembly, plaintext or protected under fuzzSecret, and runs
// each reassembled message through its parser.
func FuzzRecordReader(f *testing.F) {
	f.Add([]byte{recordHandshake, 3, 3, 0, 4, typeFinished, 0, 0, 0}, false)
	f.Fuzz(func(t *testing.T, stream []byte, protected bool) {
		rc := newRecordConn(bytes.NewReader(stream))
		if protected {
			hc, err := newHalfConn(fuzzSuite(), fuzzSecret)
			if err != nil {
				t.Fatal(err)
			}
			rc.in = hc
		}
		for range 1000 {
			msg, err := rc.readHandshake()
			if err != nil {
				if len(rc.hsBuf) > maxHandshakeMsg+4+maxPlaintext {
					t.Fatalf("handshake buffer grew to %d", len(rc.hsBuf))
				}
				var re *RecordError
				var ae *AlertError
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) &&
					!errors.As(err, &re) && !errors.As(err, &ae) && !errors.Is(err, ErrHandshakeFailed) {
					t.Fatalf("untyped error %T: %v", err, err)
				}
				return
			}
			if len(msg) < 4 {
				t.Fatalf("short message %x", msg)
			}
			parseAny(msg)
		}
	})
}

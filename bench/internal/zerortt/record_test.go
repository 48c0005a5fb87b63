package zerortt

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"testing"
)

func TestRecordSealOpenAllSuites(t *testing.T) {
	for _, s := range suites {
		t.Run(tls.CipherSuiteName(s.id), func(t *testing.T) {
			secret := bytes.Repeat([]byte{0x42}, s.size)
			w, err := newHalfConn(s, secret)
			if err != nil {
				t.Fatal(err)
			}
			var stream []byte
			payloads := [][]byte{[]byte("hello"), bytes.Repeat([]byte{7}, maxPlaintext), {}}
			stream = w.seal(stream, recordApplicationData, payloads[0])
			stream = w.seal(stream, recordApplicationData, payloads[1])
			stream = w.seal(stream, recordHandshake, []byte{typeKeyUpdate, 0, 0, 1, 0})
			r, _ := newHalfConn(s, secret)
			rc := newRecordConn(bytes.NewReader(stream))
			rc.in = r
			for i, want := range payloads[:2] {
				typ, got, err := rc.readRecord()
				if err != nil || typ != recordApplicationData || !bytes.Equal(got, want) {
					t.Fatalf("record %d: typ %d err %v len %d", i, typ, err, len(got))
				}
			}
			msg, err := rc.readHandshake()
			if err != nil || msg[0] != typeKeyUpdate {
				t.Fatalf("handshake record: %v %x", err, msg)
			}
			if _, _, err := rc.readRecord(); !errors.Is(err, io.EOF) {
				t.Fatalf("want EOF, got %v", err)
			}
		})
	}
}

func TestRecordTamperDetected(t *testing.T) {
	s, _ := suiteByID(tls.TLS_AES_128_GCM_SHA256)
	secret := bytes.Repeat([]byte{1}, s.size)
	w, _ := newHalfConn(s, secret)
	rec := w.seal(nil, recordApplicationData, []byte("attack at dawn"))
	for i := range rec {
		bad := bytes.Clone(rec)
		bad[i] ^= 0x80
		r, _ := newHalfConn(s, secret)
		rc := newRecordConn(bytes.NewReader(bad))
		rc.in = r
		if _, _, err := rc.readRecord(); err == nil {
			t.Fatalf("flipping byte %d went unnoticed", i)
		}
	}
	// Out-of-order (wrong sequence number) must fail too.
	rec2 := w.seal(nil, recordApplicationData, []byte("second"))
	r, _ := newHalfConn(s, secret)
	rc := newRecordConn(bytes.NewReader(rec2))
	rc.in = r
	var re *RecordError
	if _, _, err := rc.readRecord(); !errors.As(err, &re) {
		t.Fatalf("replayed sequence: want RecordError, got %v", err)
	}
}

func TestRecordPaddingAndAlerts(t *testing.T) {
	s, _ := suiteByID(tls.TLS_CHACHA20_POLY1305_SHA256)
	secret := bytes.Repeat([]byte{3}, s.size)
	w, _ := newHalfConn(s, secret)
	// Hand-made padded record: payload, type, zeros.
	inner := append([]byte("padded"), recordApplicationData, 0, 0, 0, 0)
	n := len(inner) + w.aead.Overhead()
	hdr := []byte{recordApplicationData, 3, 3, byte(n >> 8), byte(n)}
	stream := w.aead.Seal(bytes.Clone(hdr), w.nonce(), inner, hdr)
	w.seq++
	stream = w.seal(stream, recordAlert, []byte{2, alertDecodeError})
	stream = w.seal(stream, recordAlert, []byte{1, alertCloseNotify})
	r, _ := newHalfConn(s, secret)
	rc := newRecordConn(bytes.NewReader(stream))
	rc.in = r
	if typ, data, err := rc.readRecord(); err != nil || typ != recordApplicationData || string(data) != "padded" {
		t.Fatalf("padded record: %d %q %v", typ, data, err)
	}
	var ae *AlertError
	if _, _, err := rc.readRecord(); !errors.As(err, &ae) || ae.Name() != "decode_error" || ae.Level != 2 {
		t.Fatalf("want decode_error alert, got %v", err)
	}
	if _, _, err := rc.readRecord(); !errors.Is(err, errCloseNotify) {
		t.Fatalf("want close_notify, got %v", err)
	}
}

func TestHandshakeReassembly(t *testing.T) {
	// Two messages split across three plaintext records, plus a CCS.
	m1 := append([]byte{typeServerHello, 0, 0, 5}, 1, 2, 3, 4, 5)
	m2 := append([]byte{typeEncryptedExtensions, 0, 0, 2}, 0, 0)
	all := append(bytes.Clone(m1), m2...)
	var stream []byte
	stream = append(stream, recordHandshake, 3, 3, 0, 3)
	stream = append(stream, all[:3]...)
	stream = append(stream, recordChangeCipherSpec, 3, 3, 0, 1, 1)
	stream = append(stream, recordHandshake, 3, 3, 0, 7)
	stream = append(stream, all[3:10]...)
	stream = append(stream, recordHandshake, 3, 3, 0, byte(len(all)-10))
	stream = append(stream, all[10:]...)
	rc := newRecordConn(bytes.NewReader(stream))
	for i, want := range [][]byte{m1, m2} {
		got, err := rc.readHandshake()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("message %d: %x %v", i, got, err)
		}
	}
	// A key change with a partial message pending is refused.
	rc = newRecordConn(bytes.NewReader(append([]byte{recordHandshake, 3, 3, 0, 2}, typeFinished, 0)))
	if _, err := rc.readHandshake(); err == nil {
		t.Fatal("truncated stream accepted")
	}
	if err := rc.setReadKey(nil); err == nil {
		t.Fatal("key change accepted with a partial message pending")
	}
}

func TestRecordHeaderChecks(t *testing.T) {
	for name, stream := range map[string][]byte{
		"unknown type":  {99, 3, 3, 0, 1, 0},
		"bad version":   {recordHandshake, 2, 0, 0, 1, 0},
		"oversized":     {recordApplicationData, 3, 3, 0x48, 0x01},
		"plaintext app": {recordApplicationData, 3, 3, 0, 1, 0},
		"two ccs":       {20, 3, 3, 0, 1, 1, 20, 3, 3, 0, 1, 1},
		"bad ccs":       {20, 3, 3, 0, 1, 2},
	} {
		rc := newRecordConn(bytes.NewReader(stream))
		var re *RecordError
		if _, _, err := rc.readRecord(); !errors.As(err, &re) {
			t.Errorf("%s: want RecordError, got %v", name, err)
		}
	}
}

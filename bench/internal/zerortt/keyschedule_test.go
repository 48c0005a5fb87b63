package zerortt

import (
	"bytes"
	"crypto/tls"
	"encoding/hex"
	"strings"
	"testing"
)

// unhex decodes the RFC 8448 trace notation (spaced, wrapped hex).
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 8448, Section 4 ("Resumed 0-RTT Handshake").
const (
	rfc8448ResMaster = `7d f2 35 f2 03 1d 2a 05 12 87 d0 2b 02 41 b0 bf
		da f8 6c c8 56 23 1f 2d 5a ba 46 c4 34 ec 19 6c`
	rfc8448NST = `04 00 00 c9 00 00 00 1e fa d6 aa
		c5 02 00 00 00 b2 2c 03 5d 82 93 59 ee 5f f7 af 4e c9 00 00 00
		00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa 90 bf 1b 00 70 ad 3c
		49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60 97 a3 a9 82 11
		72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f d6 1d 28
		27 db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4 d2 9e e0 37 25
		a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2 67 7f a5 90 6c
		5b 3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6
		17 64 6f ac 5c 03 27 2e 97 07 27 c6 21 a7 91 41 ef 5f 7d e6 50
		5e 5b fb c3 88 e9 33 43 69 40 93 93 4a e4 d3 57 00 08 00 2a 00
		04 00 00 04 00`
	rfc8448PSK = `4e cd 0e b6 ec 3b 4d 87 f5 d6 02 8f 92 2c
		a4 c5 85 1a 27 7f d4 13 11 c9 e6 2d 2c 94 92 e1 c4 f3`
	rfc8448EarlySecret = `9b 21 88 e9 b2 fc 6d 64 d7 1d c3 29 90 0e 20
		bb 41 91 50 00 f6 78 aa 83 9c bb 79 7c b7 d8 33 2c`
	rfc8448BinderKey = `69 fe 13 1a 3b ba d5 d6 3c 64 ee bc c3 0e 39 5b
		9d 81 07 72 6a 13 d0 74 e3 89 db c8 a4 e4 72 56`
	// ClientHello truncated before the binders ("ClientHello prefix").
	rfc8448CHPrefix = `01 00 01 fc 03 03 1b c3 ce b6 bb
		e3 9c ff 93 83 55 b5 a5 0a db 6d b2 1b 7a 6a f6 49 d7 b4 bc 41
		9d 78 76 48 7d 95 00 00 06 13 01 13 03 13 02 01 00 01 cd 00 00
		00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00
		14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04
		00 33 00 26 00 24 00 1d 00 20 e4 ff b6 8a c0 5f 8d 96 c9 9d a2
		66 98 34 6c 6b e1 64 82 ba dd da fe 05 1a 66 b4 f1 8d 66 8f 0b
		00 2a 00 00 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03
		06 03 02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05
		02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01 00 15 00 57
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
		00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
		00 00 00 00 29 00 dd 00 b8 00 b2 2c 03 5d 82 93 59 ee 5f f7 af
		4e c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa 90 bf
		1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60
		97 a3 a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61
		be 7f d6 1d 28 27 db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4
		d2 9e e0 37 25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2
		67 7f a5 90 6c 5b 3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb
		f2 97 b5 ae a6 17 64 6f ac 5c 03 27 2e 97 07 27 c6 21 a7 91 41
		ef 5f 7d e6 50 5e 5b fb c3 88 e9 33 43 69 40 93 93 4a e4 d3 57
		fa d6 aa cb`
	rfc8448Binder = `3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e
		f5 e8 8d ae 99 01 41 c5 92 4d 57 bb 6f a3 1b 9e 5f 9d`
	rfc8448CHHash = `08 ad 0f a0 5d 7c 72 33 b1 77 5b a2 ff 9f 4c 5b
		8b 59 27 6b 7f 22 7f 13 a9 76 24 5f 5d 96 09 13`
	rfc8448CETS = `3f bb e6 a6 0d eb 66 c3 0a 32 79 5a ba 0e
		ff 7e aa 10 10 55 86 e7 be 5c 09 67 8d 63 b6 ca ab 62`
	rfc8448EarlyKey = `92 02 05 a5 b7 bf 21 15 e6 fc 5c 29 42 83 4f 54`
	rfc8448EarlyIV  = `6d 47 5f 09 93 c8 e5 64 61 0d b2 b9`
)

func TestRFC8448ResumedKeySchedule(t *testing.T) {
	s, err := suiteByID(tls.TLS_AES_128_GCM_SHA256)
	if err != nil {
		t.Fatal(err)
	}
	nst, err := parseNewSessionTicket(unhex(t, rfc8448NST))
	if err != nil {
		t.Fatal(err)
	}
	if nst.lifetime != 30 || nst.ageAdd != 0xfad6aac5 || !bytes.Equal(nst.nonce, []byte{0, 0}) ||
		len(nst.ticket) != 178 || !nst.hasEarlyData || nst.maxEarlyData != 1024 {
		t.Fatalf("NewSessionTicket parsed as %+v", nst)
	}
	psk := s.pskFromResumption(unhex(t, rfc8448ResMaster), nst.nonce)
	check := func(name string, got []byte, want string) {
		t.Helper()
		if w := unhex(t, want); !bytes.Equal(got, w) {
			t.Errorf("%s = %x, want %x", name, got, w)
		}
	}
	check("PSK", psk, rfc8448PSK)
	early := s.earlySecret(psk)
	check("early secret", early, rfc8448EarlySecret)
	binderKey := s.binderKey(early)
	check("binder key", binderKey, rfc8448BinderKey)

	// The full ClientHello is the prefix plus the binders list; setBinder
	// must compute the binder over exactly the truncated part.
	prefix := unhex(t, rfc8448CHPrefix)
	ch := append(bytes.Clone(prefix), 0x00, 0x21, 0x20)
	ch = append(ch, make([]byte, 32)...)
	if len(ch) != 512 || int(ch[1])<<16|int(ch[2])<<8|int(ch[3]) != len(ch)-4 {
		t.Fatalf("reassembled ClientHello is %d bytes", len(ch))
	}
	setBinder(s, binderKey, nil, ch)
	check("binder", ch[len(ch)-32:], rfc8448Binder)
	chHash := s.transcriptHash(ch)
	check("ClientHello hash", chHash, rfc8448CHHash)
	cets := s.deriveSecret(early, labelClientEarly, chHash)
	check("client_early_traffic_secret", cets, rfc8448CETS)
	key, iv := s.trafficKeys(cets)
	check("early key", key, rfc8448EarlyKey)
	check("early iv", iv, rfc8448EarlyIV)

	// Tampering with the ticket nonce must change the PSK.
	if bytes.Equal(s.pskFromResumption(unhex(t, rfc8448ResMaster), []byte{0, 1}), psk) {
		t.Error("PSK does not depend on the nonce")
	}
}

func TestTicketFromNSTUsesNonce(t *testing.T) {
	s, _ := suiteByID(tls.TLS_AES_128_GCM_SHA256)
	m, err := parseNewSessionTicket(unhex(t, rfc8448NST))
	if err != nil {
		t.Fatal(err)
	}
	tk, err := ticketFromNST(s, unhex(t, rfc8448ResMaster), m, timeNowForTest(), "server", "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tk.PSK, unhex(t, rfc8448PSK)) || tk.MaxEarlyData != 1024 || tk.Lifetime.Seconds() != 30 {
		t.Fatalf("ticket %+v", tk)
	}
	m.lifetime = 8 * 24 * 3600
	if _, err := ticketFromNST(s, unhex(t, rfc8448ResMaster), m, timeNowForTest(), "", ""); err == nil {
		t.Fatal("accepted an 8-day ticket lifetime")
	}
}

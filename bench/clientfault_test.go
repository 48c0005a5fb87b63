package bench

import (
	"context"
	"crypto/tls"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/target"
)

type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// A key log that cannot be written (--keylog /dev/full, a full disk) fails
// the handshake on the client's side: classified client_fault, never as a
// fault of the target.
func TestKeyLogWriteFailureIsAClientFault(t *testing.T) {
	tg, err := target.Start(target.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	f, err := NewTCPFactory(TCPConfig{Address: tg.Addr, Mode: sample.ModeFull, Request: []byte(DefaultRequest),
		TLS:    &tls.Config{ServerName: "localhost", RootCAs: tg.CA.Pool()},
		KeyLog: NewSyncWriter(fullDisk{})})
	if err != nil {
		t.Fatal(err)
	}
	h, err := f()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := h.Handshake(ctx)
	if s.Class != sample.ClassClientFault || !errors.Is(s.Err, syscall.ENOSPC) {
		t.Fatalf("class %q (%v), want %s wrapping ENOSPC", s.Class, s.Err, sample.ClassClientFault)
	}
}

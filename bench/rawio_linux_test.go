package bench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// rawPair returns a raw-I/O client connection and the server side of a
// loopback TCP connection.
func rawPair(t *testing.T) (client net.Conn, server *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	rc := rawIO(c)
	if _, ok := rc.(*rawIOConn); !ok {
		t.Fatalf("rawIO(%T) = %T, want *rawIOConn", c, rc)
	}
	return rc, s.(*net.TCPConn)
}

// Large transfers both ways go through partial writes and EAGAIN waits on
// the poller; every byte arrives in order, and EOF is io.EOF.
func TestRawIOTransfersAndEOF(t *testing.T) {
	c, s := rawPair(t)
	want := make([]byte, 8<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	echoed := make(chan []byte, 1)
	go func() {
		got, _ := io.ReadAll(s) // until the client's half close
		_, _ = s.Write(got)
		_ = s.CloseWrite()
		echoed <- got
	}()
	n, err := c.Write(want) // the server reads slowly enough to fill the socket buffers
	if err != nil || n != len(want) {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(want))
	}
	_ = c.(*rawIOConn).Conn.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if !bytes.Equal(<-echoed, want) || !bytes.Equal(got, want) {
		t.Fatalf("bytes differ after the round trip (%d sent, %d back)", len(want), len(got))
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("Read after EOF = %d, %v; want 0, io.EOF", n, err)
	}
}

// Deadlines and resets fail as net's own calls do, and classify alike.
func TestRawIOErrorsClassifyAsNet(t *testing.T) {
	c, s := rawPair(t)
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := c.Read(make([]byte, 1))
	var op *net.OpError
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &op) || op.Op != "read" || Classify(err) != sample.ClassTimeout {
		t.Fatalf("read past the deadline: %v (class %q); want a read *net.OpError, os.ErrDeadlineExceeded, class timeout", err, Classify(err))
	}
	_ = c.SetReadDeadline(time.Time{})
	_ = s.SetLinger(0)
	_ = s.Close() // RST
	_, err = c.Read(make([]byte, 1))
	if Classify(err) != sample.ClassReset {
		t.Fatalf("read after a reset: %v (class %q), want class reset", err, Classify(err))
	}
}

// Every TCP attempt's connection goes through raw I/O.
func TestDialTracedUsesRawIO(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := &net.Dialer{}
	tc, err := dialTraced(context.Background(), d.DialContext, ln.Addr().String(), newTrace())
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if _, ok := tc.Conn.(*rawIOConn); !ok {
		t.Fatalf("traced connection wraps %T, want *rawIOConn", tc.Conn)
	}
}

// A connected UDP socket: datagrams both ways (an empty one is not EOF),
// ICMP port unreachable reported as ECONNREFUSED, concurrent writers.
func TestRawIODatagrams(t *testing.T) {
	srv, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	uc, err := net.DialUDP("udp", nil, srv.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	c := rawIO(uc)
	if _, ok := c.(*rawIOConn); !ok {
		t.Fatalf("rawIO(%T) = %T, want *rawIOConn", uc, c)
	}
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 50; i++ {
				if n, err := c.Write([]byte("ping")); n != 4 || err != nil {
					t.Errorf("Write = %d, %v", n, err)
					return
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	buf := make([]byte, 64)
	for i := 0; i < 200; i++ {
		n, from, err := srv.ReadFromUDP(buf)
		if err != nil || string(buf[:n]) != "ping" {
			t.Fatalf("datagram %d: %q, %v", i, buf[:n], err)
		}
		if i == 0 {
			if _, err := srv.WriteToUDP(nil, from); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := c.Read(buf); n != 0 || err != nil {
		t.Fatalf("empty datagram: Read = %d, %v; want 0, nil", n, err)
	}
	srv.Close()
	_, _ = c.Write([]byte("anyone?"))
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = c.Read(buf)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("read after ICMP port unreachable: %v, want ECONNREFUSED", err)
	}
}

// QUIC's worker sockets go through raw I/O too.
func TestQUICSocketUsesRawIO(t *testing.T) {
	u, err := dialConnectedUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if _, ok := u.rw.(*rawIOConn); !ok {
		t.Fatalf("QUIC socket reads and writes through %T, want *rawIOConn", u.rw)
	}
}

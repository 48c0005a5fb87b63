package zerortt

import (
	"net"
	"sync"
	"testing"
	"time"
)

// delayRelay forwards 127.0.0.1 connections to target, holding each chunk
// from the server back by delay, so that the client's Finished reaches the
// server well after its early data (as on a real network path).
func delayRelay(t *testing.T, target string, delay time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 1000 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			wg.Add(2)
			go func() { // client -> server, undelayed
				defer wg.Done()
				pump(c, s, 0)
			}()
			go func() { // server -> client, delayed
				defer wg.Done()
				pump(s, c, delay)
			}()
		}
	}()
	return ln.Addr().String()
}

func pump(from, to net.Conn, delay time.Duration) {
	defer to.Close()
	defer from.Close()
	buf := make([]byte, 32<<10)
	for range 1 << 16 {
		_ = from.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := from.Read(buf)
		if n > 0 {
			time.Sleep(delay)
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if tc, ok := to.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
			return
		}
	}
}

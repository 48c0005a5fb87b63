package testservers

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// DelayRelay listens on loopback and forwards every connection to target,
// delivering each chunk toServer (client → server) or toClient (server →
// client) after it was read: a crude link with a round-trip time of
// toServer+toClient, enough to let a server see early data before the
// client's Finished, as on a real path. It stops at cleanup.
func DelayRelay(t testing.TB, target string, toServer, toClient time.Duration) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, s)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				var pair sync.WaitGroup
				pair.Add(2)
				go func() { defer pair.Done(); delayCopy(s, c, toServer) }()
				go func() { defer pair.Done(); delayCopy(c, s, toClient) }()
				pair.Wait()
				c.Close()
				s.Close()
			}()
		}
	}()
	return l.Addr().String()
}

// delayCopy copies src to dst, each chunk delay late, then closes dst's
// write side (or dst).
func delayCopy(dst, src net.Conn, delay time.Duration) {
	type chunk struct {
		at   time.Time
		data []byte
	}
	ch := make(chan chunk, 64)
	go func() {
		defer close(ch)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				ch <- chunk{time.Now().Add(delay), buf[:n]}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	// Drain so the reader goroutine ends once src closes.
	for range ch {
	}
	_, _ = io.Copy(io.Discard, src)
}

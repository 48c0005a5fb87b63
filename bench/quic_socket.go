package bench

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"
)

// errQUICRefused is an attempt's error when the target's UDP port answered
// with ICMP port unreachable.
var errQUICRefused = fmt.Errorf("bench: QUIC: ICMP port unreachable: %w", syscall.ECONNREFUSED)

// connectedUDP is a worker's UDP socket connected to the target (an IP
// literal), so that the kernel reports ICMP port unreachable as
// ECONNREFUSED, which an unconnected socket never sees. quic-go would close
// its whole Transport on such a read error; connectedUDP reports it to the
// attempt under way (onRefused) and keeps reading instead.
//
// quic-go reads from its own goroutine and writes from the connections'
// run loops; the attempt's goroutine sets the callback. mu guards it.
type connectedUDP struct {
	c *net.UDPConn
	// rw reads and writes datagrams on c with raw system calls (rawIO: no
	// runtime monitor wake-up per datagram).
	rw      net.Conn
	mu      sync.Mutex
	refused func()
}

func dialConnectedUDP(network string, raddr *net.UDPAddr) (*connectedUDP, error) {
	c, err := net.DialUDP(network, nil, raddr)
	if err != nil {
		return nil, err
	}
	return &connectedUDP{c: c, rw: rawIO(c)}, nil
}

// onRefused sets the function called when the port is unreachable (nil:
// none), returning the one it replaces.
func (u *connectedUDP) onRefused(f func()) {
	u.mu.Lock()
	u.refused = f
	u.mu.Unlock()
}

// report tells the attempt under way, and reports whether err was a
// refusal.
func (u *connectedUDP) report(err error) bool {
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	u.mu.Lock()
	f := u.refused
	u.mu.Unlock()
	if f != nil {
		f()
	}
	return true
}

func (u *connectedUDP) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, err := u.rw.Read(p)
		if err != nil && u.report(err) {
			continue
		}
		return n, u.c.RemoteAddr(), err
	}
}

// WriteTo sends to the connected peer (quic-go passes the peer's address).
func (u *connectedUDP) WriteTo(p []byte, _ net.Addr) (int, error) {
	n, err := u.rw.Write(p)
	if err != nil && u.report(err) {
		return len(p), nil // the attempt is told; the datagram is lost like any other
	}
	return n, err
}

func (u *connectedUDP) Close() error                       { return u.c.Close() }
func (u *connectedUDP) LocalAddr() net.Addr                { return u.c.LocalAddr() }
func (u *connectedUDP) SetDeadline(t time.Time) error      { return u.c.SetDeadline(t) }
func (u *connectedUDP) SetReadDeadline(t time.Time) error  { return u.c.SetReadDeadline(t) }
func (u *connectedUDP) SetWriteDeadline(t time.Time) error { return u.c.SetWriteDeadline(t) }

// SetReadBuffer and SetWriteBuffer let quic-go size the socket's buffers as
// it does for a *net.UDPConn.
func (u *connectedUDP) SetReadBuffer(n int) error  { return u.c.SetReadBuffer(n) }
func (u *connectedUDP) SetWriteBuffer(n int) error { return u.c.SetWriteBuffer(n) }

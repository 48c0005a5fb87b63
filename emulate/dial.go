package emulate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"time"

	"golang.org/x/sys/unix"
)

// DialContext connects from the client namespace, so the connection
// crosses the emulated link. It has the signature of net.Dialer's
// DialContext and suits any custom dial hook (http.Transport.DialContext,
// or tls.Client over the returned conn). network is "tcp", "tcp4",
// "udp" or "udp4"; address should be ServerAddr with a port (host names
// are resolved in the caller's namespace, IPv4 only). The context bounds
// the connect; the returned conn is a *net.TCPConn or *net.UDPConn.
//
// Only the socket is created inside the namespace (on a thread that
// lives there); the connect runs on the caller's goroutine through the
// Go poller, so concurrent dials do not serialise.
func (l *Link) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var typ int
	switch network {
	case "tcp", "tcp4":
		typ = unix.SOCK_STREAM
	case "udp", "udp4":
		typ = unix.SOCK_DGRAM
	default:
		return nil, fmt.Errorf("emulate: dial: unsupported network %q", network)
	}
	ap, err := resolve4(ctx, address)
	if err != nil {
		return nil, fmt.Errorf("emulate: dial %s: %w", address, err)
	}
	fd, err := l.socket(typ)
	if err != nil {
		return nil, fmt.Errorf("emulate: dial %s: %w", address, err)
	}
	f := os.NewFile(uintptr(fd), "emulate-dial") // non-blocking: uses the poller
	defer f.Close()                              // net.FileConn duplicates the fd
	if err := connect(ctx, f, fd, ap); err != nil {
		return nil, fmt.Errorf("emulate: dial %s %s: %w", network, address, err)
	}
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("emulate: dial %s: %w", address, err)
	}
	return c, nil
}

// socket creates a non-blocking IPv4 socket in the client namespace.
func (l *Link) socket(typ int) (int, error) {
	fd := -1
	var err error
	if derr := l.client.do(func() {
		fd, err = unix.Socket(unix.AF_INET, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	}); derr != nil {
		return -1, derr
	}
	if err != nil {
		return -1, fmt.Errorf("creating socket: %w", err)
	}
	return fd, nil
}

// connect starts a non-blocking connect and waits for it on the poller,
// honouring ctx's deadline and cancellation.
func connect(ctx context.Context, f *os.File, fd int, ap netip.AddrPort) error {
	sa := &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	err := unix.Connect(fd, sa)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.EINPROGRESS) && !errors.Is(err, unix.EINTR) {
		return err
	}
	if d, ok := ctx.Deadline(); ok {
		f.SetWriteDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var cerr error
	werr := rc.Write(func(uintptr) bool {
		// Look at the socket itself rather than trusting a wakeup:
		// connected, failed, or still in progress (wait again).
		if _, err := unix.Getpeername(fd); err == nil {
			return true
		}
		soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			cerr = err
			return true
		}
		if soerr != 0 {
			cerr = unix.Errno(soerr)
			return true
		}
		return false
	})
	if werr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(werr, os.ErrDeadlineExceeded) {
			return context.DeadlineExceeded
		}
		return werr
	}
	return cerr
}

// resolve4 turns host:port into an IPv4 address and port.
func resolve4(ctx context.Context, address string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(address); err == nil {
		if !ap.Addr().Unmap().Is4() {
			return netip.AddrPort{}, fmt.Errorf("not an IPv4 address")
		}
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return netip.AddrPort{}, err
	}
	p, err := net.DefaultResolver.LookupPort(ctx, "tcp", port)
	if err != nil {
		return netip.AddrPort{}, err
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip4", host)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if len(addrs) == 0 {
		return netip.AddrPort{}, fmt.Errorf("no IPv4 address for %q", host)
	}
	return netip.AddrPortFrom(addrs[0].Unmap(), uint16(p)), nil
}

// ListenTCP listens inside the server namespace. An empty host (":0",
// ":443" or "") means ServerAddr. Accepted connections belong to the
// server namespace, so they cross the link.
func (l *Link) ListenTCP(addr string) (*net.TCPListener, error) {
	la, err := l.serverAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("emulate: listen tcp %q: %w", addr, err)
	}
	var ln *net.TCPListener
	if derr := l.server.do(func() { ln, err = net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(la)) }); derr != nil {
		return nil, derr
	}
	if err != nil {
		return nil, fmt.Errorf("emulate: listen tcp %q: %w", addr, err)
	}
	return ln, nil
}

// ListenUDP opens a UDP socket inside the server namespace (for a QUIC
// server). Address rules as for ListenTCP.
func (l *Link) ListenUDP(addr string) (*net.UDPConn, error) {
	la, err := l.serverAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("emulate: listen udp %q: %w", addr, err)
	}
	return l.listenUDP(l.server, la)
}

// ListenPacketClient opens an unconnected UDP socket in the client
// namespace on ClientAddr and an ephemeral port, for a QUIC client
// (quic.Transport{Conn: c} or quic.Dial with this conn).
func (l *Link) ListenPacketClient() (*net.UDPConn, error) {
	return l.listenUDP(l.client, netip.AddrPortFrom(ClientAddr, 0))
}

func (l *Link) listenUDP(t *nsThread, la netip.AddrPort) (*net.UDPConn, error) {
	var (
		c   *net.UDPConn
		err error
	)
	if derr := t.do(func() { c, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(la)) }); derr != nil {
		return nil, derr
	}
	if err != nil {
		return nil, fmt.Errorf("emulate: listen udp %s: %w", la, err)
	}
	return c, nil
}

// serverAddr completes a listen address, defaulting the host to ServerAddr.
func (l *Link) serverAddr(addr string) (netip.AddrPort, error) {
	if addr == "" {
		return netip.AddrPortFrom(ServerAddr, 0), nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	a := ServerAddr
	if host != "" {
		if a, err = netip.ParseAddr(host); err != nil {
			return netip.AddrPort{}, err
		}
	}
	p, err := net.LookupPort("tcp", port)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(a, uint16(p)), nil
}

// Command returns a command that runs name inside the server namespace
// (through `ip netns exec`, which execs the program, so the Cmd's
// process is the program itself). Use it for external servers such as
// nginx or openssl s_server; they should listen on ServerAddr or 0.0.0.0.
func (l *Link) Command(name string, args ...string) *exec.Cmd {
	return exec.Command(l.ip, append([]string{"netns", "exec", l.serverNS, name}, args...)...)
}

// ClientCommand is like Command but runs inside the client namespace
// (for external clients such as curl or openssl s_client).
func (l *Link) ClientCommand(name string, args ...string) *exec.Cmd {
	return exec.Command(l.ip, append([]string{"netns", "exec", l.clientNS, name}, args...)...)
}

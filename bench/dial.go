package bench

import (
	"context"
	"net"
	"time"
)

// resolve returns the IP of an address's host and stamps EvResolved. A host
// name is looked up on every attempt (tr.Resolved: a dns phase exists); an
// IP literal costs nothing.
func resolve(ctx context.Context, address string, tr *Trace) (ip net.IP, port string, err error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, "", err
	}
	if ip := net.ParseIP(host); ip != nil {
		tr.StampAt(EvResolved, tr.At(EvStart))
		return ip, port, nil
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, "", err
	}
	if len(ips) == 0 {
		return nil, "", &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	tr.Stamp(EvResolved)
	tr.Resolved = true
	return ips[0].IP, port, nil
}

// dialTraced resolves the address, connects over TCP (EvConnected) and wraps
// the connection in a traceConn stamping into tr.
func dialTraced(ctx context.Context, dial func(ctx context.Context, network, addr string) (net.Conn, error),
	address string, tr *Trace) (*traceConn, error) {
	tr.TCP = true
	ip, port, err := resolve(ctx, address, tr)
	if err != nil {
		return nil, err
	}
	raw, err := dial(ctx, "tcp", net.JoinHostPort(ip.String(), port))
	if err != nil {
		return nil, err
	}
	tr.Stamp(EvConnected)
	return &traceConn{Conn: rawIO(raw), tr: tr}, nil
}

// dialAttempt dials like dialTraced and bounds the connection by ctx: its
// deadline becomes the connection's, and a cancelled ctx unblocks a read or
// write at once instead of waiting for the deadline. done closes the
// connection and releases the cancellation hook.
func (h *tcpHandshaker) dialAttempt(ctx context.Context, tr *Trace) (tc *traceConn, done func(), err error) {
	tc, err = dialTraced(ctx, h.cfg.Dial, h.cfg.Address, tr)
	if err != nil {
		return nil, nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = tc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = tc.SetDeadline(time.Unix(1, 0)) })
	return tc, func() { stop(); tc.Close() }, nil
}

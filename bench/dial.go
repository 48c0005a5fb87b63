package bench

import (
	"context"
	"net"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
)

// resolve returns the IP of an address's host and when it was known. A
// host name is looked up on every attempt and the lookup is the dns phase,
// set in s; an IP literal costs nothing and sets no phase.
func resolve(ctx context.Context, address string, start time.Time, s *sample.Sample) (ip net.IP, port string, resolved time.Time, err error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, "", start, err
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip, port, start, nil
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, "", start, err
	}
	if len(ips) == 0 {
		return nil, "", start, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	resolved = time.Now()
	s.SetPhase(sample.DNS, resolved.Sub(start))
	return ips[0].IP, port, resolved, nil
}

// dialTraced resolves the address (dns phase), connects over TCP
// (tcp_connect phase) and wraps the connection in a traceConn, recording the
// instants in tl. failedIn says which phase an error belongs to.
func dialTraced(ctx context.Context, dial func(ctx context.Context, network, addr string) (net.Conn, error),
	address string, tl *timeline, s *sample.Sample) (tc *traceConn, failedIn sample.Phase, err error) {
	ip, port, resolved, err := resolve(ctx, address, tl.start, s)
	if err != nil {
		return nil, sample.DNS, err
	}
	tl.resolved = resolved
	raw, err := dial(ctx, "tcp", net.JoinHostPort(ip.String(), port))
	if err != nil {
		return nil, sample.TCPConnect, err
	}
	tl.connected = time.Now()
	s.SetPhase(sample.TCPConnect, tl.connected.Sub(tl.resolved))
	return &traceConn{Conn: raw, tl: tl}, sample.TCPConnect, nil
}

package emulate

import (
	"context"
	"fmt"
	"os"
	"strconv"
)

// setupTUNRelay gives each namespace a TUN device with a point-to-point
// address towards the other side and starts the relay between them.
func (l *Link) setupTUNRelay(ctx context.Context, limit int) error {
	sides := []struct {
		t           *nsThread
		ns          string
		local, peer string
	}{
		{l.client, l.clientNS, ClientAddr.String(), ServerAddr.String()},
		{l.server, l.serverNS, ServerAddr.String(), ClientAddr.String()},
	}
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, s := range sides {
		// IPv6 off: the relay carries IPv4 only, so spare it the
		// router solicitations a new interface would send.
		_ = s.t.do(func() { disableIPv6Here() })
		f, err := openTUN(s.t, tunName)
		if err != nil {
			closeAll()
			return err
		}
		files = append(files, f)
		cmds := [][]string{
			// A long device queue (the kernel's ring between the stack
			// and our reader) absorbs bursts while the relay is not
			// scheduled; the shaper's own limit still applies.
			{"-n", s.ns, "link", "set", tunName, "mtu", strconv.Itoa(tunMTU), "txqueuelen", strconv.Itoa(defaultQueueLimit), "up"},
			{"-n", s.ns, "addr", "add", s.local, "peer", s.peer, "dev", tunName},
		}
		for _, c := range cmds {
			if err := run(ctx, l.ip, c...); err != nil {
				closeAll()
				return fmt.Errorf("emulate: configuring tun device: %w", err)
			}
		}
	}
	l.relay = startRelay(files[0], files[1], l.spec, l.seed, limit)
	return nil
}

// disableIPv6Here turns IPv6 off for new interfaces in the calling
// thread's namespace. Failure (no IPv6 in the kernel) is harmless.
func disableIPv6Here() {
	for _, p := range []string{
		"/proc/sys/net/ipv6/conf/default/disable_ipv6",
		"/proc/sys/net/ipv6/conf/all/disable_ipv6",
	} {
		_ = os.WriteFile(p, []byte("1\n"), 0o644)
	}
}

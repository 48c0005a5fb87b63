package emulate

import (
	"context"
	"fmt"
	"strconv"
)

// probeNetem reports whether tc can attach a netem qdisc, by trying it
// on the loopback device of a namespace of ours and removing it again.
func probeNetem(ctx context.Context, ns string) error {
	tc, err := findTool("tc")
	if err != nil {
		return err
	}
	if err := run(ctx, tc, "-n", ns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"); err != nil {
		return err
	}
	return run(ctx, tc, "-n", ns, "qdisc", "del", "dev", "lo", "root")
}

// skipNetemQdisc leaves out the qdiscs (and the probe), so tests on a
// kernel without sch_netem can still check the veth topology.
var skipNetemQdisc bool

// setupNetem connects the namespaces with a veth pair and puts a netem
// qdisc with the one-way conditions on both ends.
func (l *Link) setupNetem(ctx context.Context, limit int) error {
	if !skipNetemQdisc {
		if err := probeNetem(ctx, l.clientNS); err != nil {
			return fmt.Errorf("emulate: netem backend unavailable (no sch_netem?): %w", err)
		}
	}
	tc, err := findTool("tc")
	if err != nil {
		return err
	}
	if limit <= 0 {
		limit = defaultQueueLimit
	}
	if err := run(ctx, l.ip, "-n", l.clientNS, "link", "add", tunName, "type", "veth", "peer", "name", tunName, "netns", l.serverNS); err != nil {
		return fmt.Errorf("emulate: creating veth pair: %w", err)
	}
	netem := netemArgs(l.spec, limit)
	for _, s := range []struct{ ns, local, peer string }{
		{l.clientNS, ClientAddr.String(), ServerAddr.String()},
		{l.serverNS, ServerAddr.String(), ClientAddr.String()},
	} {
		if err := run(ctx, l.ip, "-n", s.ns, "addr", "add", s.local, "peer", s.peer, "dev", tunName); err != nil {
			return fmt.Errorf("emulate: configuring veth: %w", err)
		}
		if err := run(ctx, l.ip, "-n", s.ns, "link", "set", tunName, "up"); err != nil {
			return fmt.Errorf("emulate: configuring veth: %w", err)
		}
		if skipNetemQdisc {
			continue
		}
		args := append([]string{"-n", s.ns, "qdisc", "add", "dev", tunName, "root"}, netem...)
		if err := run(ctx, tc, args...); err != nil {
			return fmt.Errorf("emulate: adding netem qdisc: %w", err)
		}
	}
	return nil
}

// netemArgs renders the one-way conditions as tc netem arguments.
func netemArgs(spec Spec, limit int) []string {
	args := []string{"netem", "limit", strconv.Itoa(limit),
		"delay", strconv.FormatInt(spec.OneWay().Microseconds(), 10) + "us"}
	if spec.Loss > 0 {
		args = append(args, "loss", strconv.FormatFloat(spec.Loss*100, 'g', -1, 64)+"%")
	}
	if spec.Rate > 0 {
		args = append(args, "rate", strconv.FormatUint(spec.Rate, 10)+"bit")
	}
	return args
}

package emulate

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNetemArgs(t *testing.T) {
	got := strings.Join(netemArgs(Spec{RTT: 50 * time.Millisecond, Loss: 0.015, Rate: 10_000_000}, 1000), " ")
	want := "netem limit 1000 delay 25000us loss 1.5% rate 10000000bit"
	if got != want {
		t.Errorf("netemArgs = %q, want %q", got, want)
	}
	got = strings.Join(netemArgs(Spec{}, 5), " ")
	if want := "netem limit 5 delay 0us"; got != want {
		t.Errorf("netemArgs(zero) = %q, want %q", got, want)
	}
}

// TestVethTopology checks the netem backend's veth pair and addresses
// without the qdiscs, so it runs on kernels without sch_netem too.
func TestVethTopology(t *testing.T) {
	skipNetemQdisc = true
	l := setupLink(t, Spec{}, Options{Backend: BackendNetem})
	skipNetemQdisc = false
	if l.Backend() != BackendNetem {
		t.Fatalf("Backend() = %q", l.Backend())
	}
	ln, err := l.ListenTCP(":0")
	if err != nil {
		t.Fatal(err)
	}
	echoServer(t, ln)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := l.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial over veth: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	msg := []byte("veth")
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil || !slices.Equal(buf, msg) {
		t.Fatalf("echo over veth: %q, %v", buf, err)
	}
	if st := l.Stats(); st != (Stats{}) {
		t.Errorf("netem backend reports relay stats %+v", st)
	}
}

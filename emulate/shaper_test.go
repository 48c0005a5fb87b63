package emulate

import (
	"math"
	"testing"
	"time"
)

func pkt(n int) packet { return packet{n: n} }

// drain pops everything due at now.
func drain(s *shaper, now time.Duration) []packet {
	var out []packet
	for {
		p, ok := s.pop(now)
		if !ok {
			return out
		}
		out = append(out, p)
	}
}

func TestShaperDelayOrder(t *testing.T) {
	s := newShaper(Spec{RTT: 40 * time.Millisecond}, 1, 0, 0)
	ms := time.Millisecond
	for i, at := range []time.Duration{0, 1 * ms, 1 * ms, 5 * ms} {
		if v := s.offer(at, packet{n: 100 + i}); v != queued {
			t.Fatalf("packet %d: verdict %v, want queued", i, v)
		}
	}
	if next, ok := s.next(); !ok || next != 20*ms {
		t.Fatalf("next = %v,%v; want 20ms,true", next, ok)
	}
	if got := drain(s, 20*ms-1); len(got) != 0 {
		t.Fatalf("%d packets delivered before their delay", len(got))
	}
	got := drain(s, 21*ms)
	if len(got) != 3 || got[0].n != 100 || got[1].n != 101 || got[2].n != 102 {
		t.Fatalf("at 21ms got %+v, want packets 100,101,102 in order", got)
	}
	if next, _ := s.next(); next != 25*ms {
		t.Fatalf("next = %v, want 25ms", next)
	}
	got = drain(s, time.Hour)
	if len(got) != 1 || got[0].n != 103 || got[0].due != 25*ms {
		t.Fatalf("last packet %+v, want n=103 due 25ms", got)
	}
	if _, ok := s.next(); ok {
		t.Fatal("queue not empty after draining")
	}
}

func TestShaperLossFraction(t *testing.T) {
	const n = 10000
	for _, loss := range []float64{0, 0.01, 0.1, 0.5, 1} {
		s := newShaper(Spec{Loss: loss}, 42, 0, n+1)
		dropped := 0
		for i := range n {
			if s.offer(time.Duration(i), pkt(100)) == lost {
				dropped++
			}
		}
		got := float64(dropped) / n
		// Binomial: 4 standard deviations, at least a small floor.
		tol := 4*math.Sqrt(loss*(1-loss)/n) + 1e-9
		if math.Abs(got-loss) > tol {
			t.Errorf("loss %v: dropped fraction %v, outside ±%v", loss, got, tol)
		}
		if s.q.len() != n-dropped {
			t.Errorf("loss %v: queue holds %d, want %d", loss, s.q.len(), n-dropped)
		}
	}
}

func TestShaperLossDeterministic(t *testing.T) {
	pattern := func(seed, stream uint64) []bool {
		s := newShaper(Spec{Loss: 0.3}, seed, stream, 0)
		out := make([]bool, 200)
		for i := range out {
			out[i] = s.offer(0, pkt(1)) == lost
		}
		return out
	}
	a, b, c := pattern(7, 0), pattern(7, 0), pattern(7, 1)
	same := func(x, y []bool) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("same seed gave different loss patterns")
	}
	if same(a, c) {
		t.Error("the two directions share a loss pattern")
	}
}

func TestShaperRate(t *testing.T) {
	// 1 Mbit/s: a 1250-byte packet takes 10 ms to serialise.
	s := newShaper(Spec{RTT: 10 * time.Millisecond, Rate: 1_000_000}, 1, 0, 0)
	ms := time.Millisecond
	s.offer(0, pkt(1250))     // tx 0-10, due 15
	s.offer(0, pkt(1250))     // tx 10-20, due 25
	s.offer(2*ms, pkt(125))   // tx 20-21, due 26
	s.offer(100*ms, pkt(125)) // link idle again: tx 100-101, due 106
	want := []time.Duration{15 * ms, 25 * ms, 26 * ms, 106 * ms}
	got := drain(s, time.Hour)
	if len(got) != len(want) {
		t.Fatalf("got %d packets, want %d", len(got), len(want))
	}
	for i, p := range got {
		if p.due != want[i] {
			t.Errorf("packet %d due %v, want %v", i, p.due, want[i])
		}
	}
	if d := serialisation(1500, 10_000_000); d != 1200*time.Microsecond {
		t.Errorf("serialisation(1500, 10mbit) = %v, want 1.2ms", d)
	}
}

func TestShaperOverflow(t *testing.T) {
	s := newShaper(Spec{RTT: time.Second}, 1, 0, 3)
	var v []verdict
	for range 5 {
		v = append(v, s.offer(0, pkt(1)))
	}
	want := []verdict{queued, queued, queued, overflow, overflow}
	for i := range want {
		if v[i] != want[i] {
			t.Fatalf("verdicts %v, want %v", v, want)
		}
	}
	drain(s, time.Hour)
	if s.offer(0, pkt(1)) != queued {
		t.Error("queue did not accept after draining")
	}
}

func TestRingGrowsAndWraps(t *testing.T) {
	var r ring
	next, want := 0, 0
	for round := range 50 {
		for range round % 7 * 5 {
			r.push(packet{n: next})
			next++
		}
		for range round % 5 * 4 {
			if r.len() == 0 {
				break
			}
			if p := r.pop(); p.n != want {
				t.Fatalf("popped %d, want %d", p.n, want)
			}
			want++
		}
	}
	if r.len() != next-want {
		t.Fatalf("len %d, want %d", r.len(), next-want)
	}
}

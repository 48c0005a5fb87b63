package emulate

import (
	"math/rand/v2"
	"time"
)

// defaultQueueLimit is the number of packets one direction may hold
// (in flight plus waiting for the rate limiter) before tail drop.
const defaultQueueLimit = 10000

// packet is one IP packet held by the relay.
type packet struct {
	due time.Duration // when to deliver, on the shaper's clock
	buf *[]byte       // pooled buffer; (*buf)[:n] is the packet
	n   int
}

// verdict says what the shaper did with an offered packet.
type verdict int

const (
	queued   verdict = iota // accepted, deliver at its due time
	lost                    // dropped by the random loss
	overflow                // dropped because the queue is full
)

// shaper is the clock-free core of one relay direction: it decides when
// each packet is delivered and which are dropped. Times are durations
// since an arbitrary origin (the relay uses the monotonic clock; tests
// inject their own). Delivery times never decrease, so a FIFO is a
// time-ordered queue and packets keep their order.
//
// A shaper is not safe for concurrent use.
type shaper struct {
	delay time.Duration
	rate  uint64 // bits/s, 0 = unlimited
	loss  float64
	rng   *rand.Rand
	limit int

	txFree time.Duration // when the emulated transmitter is idle again
	q      ring
}

// newShaper returns a shaper for one direction of spec; seed and stream
// select the loss sequence.
func newShaper(spec Spec, seed, stream uint64, limit int) *shaper {
	if limit <= 0 {
		limit = defaultQueueLimit
	}
	return &shaper{
		delay: spec.OneWay(),
		rate:  spec.Rate,
		loss:  spec.Loss,
		rng:   rand.New(rand.NewPCG(seed, stream)),
		limit: limit,
	}
}

// offer submits a packet of p.n bytes that arrived at now. On queued,
// the packet is stored with its due time; otherwise the caller keeps p.
func (s *shaper) offer(now time.Duration, p packet) verdict {
	if s.loss > 0 && s.rng.Float64() < s.loss {
		return lost
	}
	if s.q.len() >= s.limit {
		return overflow
	}
	due := now
	if s.rate > 0 {
		start := max(now, s.txFree)
		s.txFree = start + serialisation(p.n, s.rate)
		due = s.txFree
	}
	p.due = due + s.delay
	s.q.push(p)
	return queued
}

// next returns the due time of the oldest packet, if any.
func (s *shaper) next() (time.Duration, bool) {
	if s.q.len() == 0 {
		return 0, false
	}
	return s.q.peek().due, true
}

// pop removes and returns the oldest packet if it is due at now.
func (s *shaper) pop(now time.Duration) (packet, bool) {
	if s.q.len() == 0 || s.q.peek().due > now {
		return packet{}, false
	}
	return s.q.pop(), true
}

// serialisation is the time to send n bytes at rate bits/s.
func serialisation(n int, rate uint64) time.Duration {
	return time.Duration(uint64(n) * 8 * uint64(time.Second) / rate)
}

package bench

import "time"

// PrimeNeeder is implemented by Handshakers whose attempts can use up what
// Prime fetched (0-RTT with fresh tickets, QUIC resumed and 0-RTT): the
// load generator asks after each attempt and primes outside it, so a
// priming handshake is neither on a measured attempt's clock nor charged
// to its CPU time. Handshake still primes by itself when needed.
type PrimeNeeder interface {
	// NeedsPrime reports whether the next attempt would have to prime.
	NeedsPrime() bool
}

// primed counts one priming handshake; attempted says whether the worker
// had run a measured attempt before it.
func (s *ZeroRTTStats) primed(attempted bool) {
	s.Primes.Add(1)
	if !attempted {
		s.Initial.Add(1)
	}
}

// NeedsPrime reports whether the worker holds no usable ticket.
func (h *zeroRTTHandshaker) NeedsPrime() bool { return !usable(h.ticket, time.Now()) }

// NeedsPrime reports whether the worker holds no ticket (and the target
// has not shown that it sends none).
func (h *quicHandshaker) NeedsPrime() bool {
	return h.cache != nil && !h.cache.has() && !h.noTicket
}

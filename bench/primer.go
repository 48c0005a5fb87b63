package bench

import "time"

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

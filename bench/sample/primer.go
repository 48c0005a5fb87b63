package sample

// PrimeNeeder is implemented by Handshakers whose attempts can use up what
// Prime fetched (0-RTT with fresh tickets, QUIC resumed and 0-RTT): the
// load generator asks after each attempt and primes outside it, so a
// priming handshake is neither on a measured attempt's clock nor charged
// to its CPU time. Handshake still primes by itself when needed.
type PrimeNeeder interface {
	// NeedsPrime reports whether the next attempt would have to prime.
	NeedsPrime() bool
}

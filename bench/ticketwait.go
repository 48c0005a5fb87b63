package bench

import "time"

// ticketWait bounds the unmeasured wait, after a measured attempt's first
// response byte, for the session ticket the next attempt will send (TCP
// 0-RTT; QUIC also waits for the handshake confirmation): quicAfterMin plus
// quicAfterRTTs round trips, at most quicAfterMax. rtt is the attempt's
// own round trip.
func ticketWait(rtt time.Duration) time.Duration {
	return min(quicAfterMin+quicAfterRTTs*rtt, quicAfterMax)
}

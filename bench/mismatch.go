package bench

import (
	"fmt"

	"github.com/hsbench/hsbench/bench/sample"
)

// Mismatch reasons: a completed sample that did not negotiate what the cell
// asked is counted apart under its reason and never enters the latencies.
// The words are the same over TCP and QUIC.
const (
	MismatchResumedFull = "asked resumed, got a full handshake"
	Mismatch0RTTFull    = "asked 0-RTT, got a full handshake"
	// Mismatch0RTTNotOffered: the ticket does not allow early data (no
	// early_data extension, or max_early_data_size 0; for QUIC crypto/tls's
	// SessionState.EarlyData), so none was sent (RFC 8446 4.2.10) and the
	// handshake resumed without it.
	Mismatch0RTTNotOffered     = "asked 0-RTT, ticket does not allow early data"
	MismatchTicketNoEarly      = Mismatch0RTTNotOffered
	MismatchEarlyRejected      = "asked 0-RTT, early data rejected"
	MismatchEarlyRejectedReuse = "asked 0-RTT, early data rejected (ticket reuse)"
	MismatchEarlyRejectedHRR   = "asked 0-RTT, early data rejected (HelloRetryRequest)"
)

// mismatch says why a completed attempt with labels l differs from what was
// asked, or "". rejected says the server rejected the early data.
func mismatch(asked Asked, l sample.Labels, rejected bool) string {
	switch {
	case asked.Mode == sample.ModeResumed && !l.Resumed:
		return MismatchResumedFull
	case asked.Mode == sample.Mode0RTT && !l.EarlyData && !l.Resumed:
		return Mismatch0RTTFull
	case asked.Mode == sample.Mode0RTT && !l.EarlyData:
		return Mismatch0RTTNotOffered
	case asked.Mode == sample.Mode0RTT && (rejected || !l.EarlyAccepted):
		switch {
		case l.HRR:
			return MismatchEarlyRejectedHRR
		case asked.Tickets == TicketsReuse && asked.EarlyAcceptedBefore:
			return MismatchEarlyRejectedReuse
		}
		return MismatchEarlyRejected
	case asked.Suite != "" && l.Suite != "" && l.Suite != asked.Suite:
		return fmt.Sprintf("asked suite %s, got %s", asked.Suite, l.Suite)
	case asked.Group != "" && l.Group != "" && l.Group != asked.Group:
		return fmt.Sprintf("asked group %s, got %s", asked.Group, l.Group)
	}
	return ""
}

package bench

import (
	"context"
	"fmt"

	"github.com/hsbench/hsbench/bench/internal/zerortt"
)

// learnEarlyData turns a ticket obtained through crypto/tls, which drops
// the ticket's max_early_data_size over TCP, into one whose early-data
// allowance is known: an unmeasured resumption with t and no early data,
// read until the server's next ticket. It returns that ticket, or t
// (allowance unknown, so no early data will be sent on it) when the server
// sends none. It counts as one more priming handshake.
func (h *zeroRTTHandshaker) learnEarlyData(ctx context.Context, t *zerortt.Ticket) (*zerortt.Ticket, error) {
	conn, err := h.cfg.Dial(ctx, "tcp", h.cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("bench: priming 0-RTT: %w", err)
	}
	defer conn.Close()
	h.cfg.Stats.primed(h.attempted)
	eng := h.engine
	eng.Read = zerortt.ReadUntilTicket
	eng.TicketWait = ticketWait
	res, err := zerortt.Resume(ctx, conn, &eng, t, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("bench: priming 0-RTT (resumption): %w", err)
	}
	if len(res.Tickets) == 0 {
		return t, nil
	}
	return res.Tickets[0], nil
}

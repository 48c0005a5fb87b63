package bench

import "context"

// Handshaker performs handshakes of one kind against one target. The load
// generator gives each worker goroutine its own Handshaker, so an
// implementation needs no locking; its session cache belongs to that worker.
type Handshaker interface {
	// Prime prepares what the measured handshakes need and is not measured:
	// for resumed and 0-RTT modes it runs a full handshake and keeps the
	// session ticket. The load generator calls it once per worker, before
	// the first measured attempt, and again when an attempt lost the ticket.
	Prime(ctx context.Context) error
	// Handshake runs one measured attempt. Failures are reported in the
	// Sample (Err, Class), never as a panic.
	Handshake(ctx context.Context) Sample
	// Close releases what the Handshaker holds.
	Close() error
}

// Factory creates one Handshaker per worker.
type Factory func() (Handshaker, error)

package bench

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"

	"github.com/hsbench/hsbench/bench/internal/tls12"
	"github.com/hsbench/hsbench/bench/sample"
)

// Mismatch reasons of resumption.
const (
	MismatchNoTicket   = "asked resumed, got a full handshake (the server issued no ticket)"
	MismatchIDDeclined = "asked resumed by session ID, the server declined it (full handshake)"
)

// countingCache is a worker's session cache that remembers whether
// crypto/tls ever stored a session in it: over TLS 1.2 it stores one only
// when the server sent a NewSessionTicket.
type countingCache struct {
	tls.ClientSessionCache
	puts atomic.Int64
}

func (c *countingCache) Put(key string, cs *tls.ClientSessionState) {
	if cs != nil {
		c.puts.Add(1)
	}
	c.ClientSessionCache.Put(key, cs)
}

// primeSession runs the unmeasured full handshake of --resume id or auto:
// crypto/tls with the request (so a ticket, if any, is read), keeping the
// session ID and master secret; auto then picks a ticket when one came.
func (h *tcpHandshaker) primeSession(ctx context.Context) error {
	raw, err := h.cfg.Dial(ctx, "tcp", h.cfg.Address)
	if err != nil {
		return classified(err)
	}
	defer raw.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	if h.ordered != nil {
		return h.primeFull12(ctx, raw)
	}
	cfg := h.base.Clone()
	if h.cfg.KeyLog != nil {
		cfg.KeyLogWriter = h.cfg.KeyLog
	}
	conn, sess, perr := tls12.Prime(ctx, raw, cfg)
	if conn == nil {
		return classified(perr)
	}
	defer conn.Close()
	tr := newTrace()
	tr.Priming = true
	if err := h.exchange(tr, conn); err != nil {
		return classified(err)
	}
	cache, _ := h.base.ClientSessionCache.(*countingCache)
	h.noTicket = cache == nil || cache.puts.Load() == 0
	switch {
	case h.cfg.Resume == ResumeAuto && !h.noTicket:
		h.resumeBy, h.session = ResumeTicket, nil
		return nil
	case perr != nil:
		return classified(fmt.Errorf("bench: --resume %s: %w", h.cfg.Resume, perr))
	}
	h.resumeBy, h.session = ResumeID, sess
	return nil
}

// primeFull12 makes the session with the own client when the cell's
// group order needs it (it asks for no ticket: auto resumes by ID).
func (h *tcpHandshaker) primeFull12(ctx context.Context, raw net.Conn) error {
	c, res, err := tls12.Full(ctx, raw, h.fullConfig(), h.keyLogHooks(&tls12.Hooks{}))
	if err != nil {
		return classified(err)
	}
	defer c.Close()
	tr := newTrace()
	tr.Priming = true
	if err := h.exchange(tr, c); err != nil {
		return classified(err)
	}
	if res.Session == nil {
		return classified(fmt.Errorf("bench: --resume %s: %w", h.cfg.Resume, tls12.ErrNoSessionID))
	}
	h.resumeBy, h.session, h.noTicket = ResumeID, res.Session, true
	return nil
}

// runSessionID runs one measured resumption by session ID.
func (h *tcpHandshaker) runSessionID(ctx context.Context, tr *Trace) (*traceConn, error) {
	tc, done, err := h.dialAttempt(ctx, tr)
	if err != nil {
		return nil, err
	}
	defer done()
	hooks := h.keyLogHooks(&tls12.Hooks{})
	sess := h.session
	c, res, err := tls12.Resume(ctx, tc, &tls12.Config{ServerName: h.base.ServerName}, sess, hooks)
	tr.Labels = sample.Labels{Transport: "tcp", Version: "1.2", Suite: tls.CipherSuiteName(sess.CipherSuite), Group: GroupName(sess.Group)}
	if res != nil {
		tr.Labels.Resumed, tr.Labels.ALPN = res.Resumed, res.ALPN
	}
	if errors.Is(err, tls12.ErrNotResumed) {
		// The server started a full handshake, which the engine does not
		// complete: a labelled mismatch, its timings end at the ServerHello.
		tr.Labels.Suite = tls.CipherSuiteName(res.CipherSuite)
		tr.NoResponse = true
		tr.Stamp(EvHandshakeDone)
		return tc, nil
	}
	if err != nil {
		return tc, err
	}
	tr.Stamp(EvHandshakeDone)
	defer c.Close() // close_notify, off the clock
	return tc, h.exchange(tr, c)
}

// labelResumption adds how a resumed sample resumed, and why a ticket
// resumption fell back to a full handshake.
func (h *tcpHandshaker) labelResumption(s *sample.Sample) {
	if s.Labels.Resumed {
		if s.Labels.Version == "1.2" { // TLS 1.3 resumes by PSK (ticket) only
			s.Labels.ResumedBy = h.resumeBy
		}
		return
	}
	if s.Mismatch != MismatchResumedFull {
		return
	}
	switch {
	case h.resumeBy == ResumeID:
		s.Mismatch = MismatchIDDeclined
	case h.noTicket && s.Labels.Version == "1.2":
		s.Mismatch = MismatchNoTicket
	}
}

// noResponse marks a failure to read the response after a completed
// handshake and a written request: the server closed or never answered.
func noResponse(err error) error {
	var ne net.Error
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: %w", ErrNoResponse, err)
	}
	return err
}

// checkStatus reads the status line (the first byte already read) and
// checks it against expect; an empty expect checks nothing.
func checkStatus(expect StatusSet, first byte, r io.Reader) error {
	if expect.IsZero() {
		return nil
	}
	code, err := readStatusLine(first, r)
	if err != nil {
		return err
	}
	if !expect.Has(code) {
		return &StatusError{Code: code}
	}
	return nil
}

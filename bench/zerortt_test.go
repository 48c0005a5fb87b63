package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/internal/zerortt"
	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/target"
)

func newZeroRTT(t *testing.T, cfg ZeroRTTConfig) *zeroRTTHandshaker {
	t.Helper()
	if cfg.Request == nil {
		cfg.Request = []byte(DefaultRequest)
	}
	f, err := NewZeroRTTFactory(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return h.(*zeroRTTHandshaker)
}

func testTicket(id string) *zerortt.Ticket {
	return &zerortt.Ticket{Identity: []byte(id), Lifetime: time.Hour, ReceivedAt: time.Now()}
}

func TestZeroRTTFactoryChecks(t *testing.T) {
	rows := []struct {
		cfg  ZeroRTTConfig
		want string
	}{
		{ZeroRTTConfig{Address: "nohost", Request: []byte("x")}, "target"},
		{ZeroRTTConfig{Address: "127.0.0.1:1"}, "request"},
		{ZeroRTTConfig{Address: "127.0.0.1:1", Request: []byte("x"), Tickets: "sometimes"}, "ticket policy"},
		{ZeroRTTConfig{Address: "127.0.0.1:1", Request: []byte("x"), TLS: &tls.Config{MaxVersion: tls.VersionTLS12}}, "TLS 1.3"},
	}
	for _, r := range rows {
		if _, err := NewZeroRTTFactory(r.cfg); err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%+v: error %v, want one naming %q", r.cfg, err, r.want)
		}
	}
	h := newZeroRTT(t, ZeroRTTConfig{Address: "127.0.0.1:1", TLS: &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP384, tls.X25519}}})
	if h.cfg.Tickets != TicketsFresh || h.engine.Group != tls.CurveP384 || h.engine.Read != zerortt.ReadFirstResponseThenTicket || h.engine.TicketWait == nil {
		t.Errorf("defaults: tickets %q group %v read %v", h.cfg.Tickets, h.engine.Group, h.engine.Read)
	}
}

func TestZeroRTTReadMode(t *testing.T) {
	rows := []struct {
		noResp  bool
		tickets string
		want    zerortt.ReadMode
	}{
		{false, TicketsFresh, zerortt.ReadFirstResponseThenTicket}, // and the next ticket after it
		{false, TicketsReuse, zerortt.ReadFirstResponse},
		{true, TicketsFresh, zerortt.ReadUntilTicket}, // the next ticket is needed
		{true, TicketsReuse, zerortt.ReadNone},
	}
	for _, r := range rows {
		if got := readMode(ZeroRTTConfig{NoResponse: r.noResp, Tickets: r.tickets}); got != r.want {
			t.Errorf("no response %v, %s: read mode %v, want %v", r.noResp, r.tickets, got, r.want)
		}
	}
}

// Fresh: every attempt's ticket is the one the previous attempt received,
// never one used before; without one the next attempt primes and the stats
// say so. Reuse: the primed ticket stays.
func TestZeroRTTTicketPolicy(t *testing.T) {
	fresh := newZeroRTT(t, ZeroRTTConfig{Address: "127.0.0.1:1"})
	primed := testTicket("primed")
	fresh.ticket = primed
	next := testTicket("next")
	fresh.afterAttempt(true, &zerortt.Result{Tickets: []*zerortt.Ticket{next, testTicket("other")}})
	if fresh.ticket != next {
		t.Fatalf("fresh: kept %q, want the first new ticket", fresh.ticket.Identity)
	}
	fresh.afterAttempt(true, &zerortt.Result{})
	if fresh.ticket != nil {
		t.Fatalf("fresh: kept %q after an attempt that received none", fresh.ticket.Identity)
	}
	fresh.ticket = next
	fresh.afterAttempt(false, nil) // a failed attempt consumes its ticket too
	if fresh.ticket != nil {
		t.Fatal("fresh: kept a ticket after a failed attempt")
	}
	st := fresh.cfg.Stats
	if st.Attempts.Load() != 2 || st.NoFreshTicket.Load() != 1 {
		t.Fatalf("stats: attempts %d, no fresh ticket %d; want 2 and 1", st.Attempts.Load(), st.NoFreshTicket.Load())
	}
	if w := st.Warning(); !strings.Contains(w, "1 of 2 0-RTT handshakes brought no fresh ticket") {
		t.Errorf("warning %q", w)
	}

	reuse := newZeroRTT(t, ZeroRTTConfig{Address: "127.0.0.1:1", Tickets: TicketsReuse})
	reuse.ticket = primed
	reuse.afterAttempt(true, &zerortt.Result{Tickets: []*zerortt.Ticket{next}})
	reuse.afterAttempt(false, nil)
	if reuse.ticket != primed {
		t.Fatalf("reuse: holds %q, want the primed ticket", reuse.ticket.Identity)
	}
	if w := reuse.cfg.Stats.Warning(); w != "" {
		t.Errorf("reuse warning %q", w)
	}
	// An expired ticket is not usable: Prime fetches a new one.
	if usable(&zerortt.Ticket{Lifetime: time.Second, ReceivedAt: time.Now().Add(-2 * time.Second)}, time.Now()) || usable(nil, time.Now()) {
		t.Error("expired or missing ticket reported usable")
	}
	if !usable(primed, time.Now()) {
		t.Error("fresh ticket reported unusable")
	}
}

func TestZeroRTTLabelsAndMismatch(t *testing.T) {
	accepted := &zerortt.Result{Resumed: true, EarlyDataOffered: true, EarlyDataAccepted: true, EarlyDataSent: 57,
		CipherSuite: tls.TLS_AES_128_GCM_SHA256, Group: tls.X25519, ALPN: "http/1.1"}
	l := zeroRTTLabels(accepted)
	want := sample.Labels{Transport: "tcp", Version: "1.3", Suite: "TLS_AES_128_GCM_SHA256", Group: GroupName(tls.X25519),
		Resumed: true, ALPN: "http/1.1", EarlyData: true, EarlyAccepted: true, EarlyBytes: 57}
	if l != want {
		t.Errorf("labels %+v, want %+v", l, want)
	}
	rows := []struct {
		res      zerortt.Result
		policy   string
		accepted bool // the worker's early data was accepted before
		want     string
	}{
		{*accepted, TicketsFresh, false, ""},
		{*accepted, TicketsReuse, false, ""},
		{zerortt.Result{Resumed: true, EarlyDataOffered: true}, TicketsFresh, false, MismatchEarlyRejected},
		{zerortt.Result{Resumed: true, EarlyDataOffered: true}, TicketsFresh, true, MismatchEarlyRejected},
		// A replay rejected after the ticket was accepted once: anti-replay.
		{zerortt.Result{Resumed: true, EarlyDataOffered: true}, TicketsReuse, true, MismatchEarlyRejectedReuse},
		{zerortt.Result{EarlyDataOffered: true}, TicketsReuse, true, MismatchEarlyRejectedReuse},
		// A server that never accepted early data: not the reuse's fault.
		{zerortt.Result{Resumed: true, EarlyDataOffered: true}, TicketsReuse, false, MismatchEarlyRejected},
		{zerortt.Result{}, TicketsFresh, false, Mismatch0RTTFull},
		{zerortt.Result{Resumed: true}, TicketsFresh, false, Mismatch0RTTNotOffered},
		{zerortt.Result{Resumed: true, EarlyDataOffered: true, HelloRetryRequest: true}, TicketsReuse, true, MismatchEarlyRejectedHRR},
	}
	for _, r := range rows {
		asked := Asked{Mode: sample.Mode0RTT, Tickets: r.policy, EarlyAcceptedBefore: r.accepted}
		if got := mismatch(asked, zeroRTTLabels(&r.res), !r.res.EarlyDataAccepted); got != r.want {
			t.Errorf("%+v %s accepted before %v: mismatch %q, want %q", r.res, r.policy, r.accepted, got, r.want)
		}
	}
	// A worker's Asked learns from its samples.
	var a Asked
	a.sawSample(&sample.Sample{Labels: sample.Labels{EarlyData: true}})
	if a.EarlyAcceptedBefore {
		t.Error("a rejected sample marked the early data accepted")
	}
	a.sawSample(&sample.Sample{Labels: sample.Labels{EarlyData: true, EarlyAccepted: true}})
	if !a.EarlyAcceptedBefore {
		t.Error("an accepted sample not noted")
	}
	for _, m := range []string{MismatchEarlyRejected, MismatchEarlyRejectedReuse, MismatchEarlyRejectedHRR} {
		if !strings.HasPrefix(m, "asked 0-RTT, early data rejected") {
			t.Errorf("mismatch %q does not start with the common reason", m)
		}
	}
}

// The embedded Go target's TCP tickets carry no early_data extension, so
// no early data is sent on them (RFC 8446 4.2.10): every attempt resumes
// without it and is a MismatchTicketNoEarly sample; each brings the next
// ticket, so only the first priming (two handshakes) happens.
func TestZeroRTTGoTargetTicketsForbidEarlyData(t *testing.T) {
	tg := startTestTarget(t, target.Options{})
	for _, policy := range []string{TicketsFresh, TicketsReuse} {
		t.Run(policy, func(t *testing.T) {
			var keylog bytes.Buffer
			h := newZeroRTT(t, ZeroRTTConfig{Address: tg.Addr, Tickets: policy, KeyLog: NewSyncWriter(&keylog),
				TLS: clientConfig(tg, tls.VersionTLS13, mustGroup(t, "x25519"))})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := h.Prime(ctx); err != nil {
				t.Fatal(err)
			}
			if age := time.Since(h.ticket.ReceivedAt); age < 0 || age > 2*time.Second {
				t.Errorf("primed ticket is %v old", age)
			}
			if h.ticket.MaxEarlyData != 0 {
				t.Fatalf("Go target's ticket allows %d bytes of early data", h.ticket.MaxEarlyData)
			}
			for i := range 3 {
				s := h.Handshake(ctx)
				if s.Err != nil || s.Mismatch != MismatchTicketNoEarly {
					t.Fatalf("attempt %d: err %v mismatch %q", i, s.Err, s.Mismatch)
				}
				if s.Labels.EarlyData || s.Labels.EarlyBytes != 0 || !s.Labels.Resumed || !s.Set.Has(sample.TCPConnect) {
					t.Fatalf("attempt %d: labels %+v phases %v", i, s.Labels, s.Set)
				}
			}
			if got := h.cfg.Stats.Primes.Load(); got != 2 {
				t.Errorf("%d priming handshakes, want 2", got)
			}
			if strings.Contains(keylog.String(), "CLIENT_EARLY_TRAFFIC_SECRET ") || !strings.Contains(keylog.String(), "CLIENT_TRAFFIC_SECRET_0 ") {
				t.Errorf("key log has early secrets or lacks the traffic secrets:\n%s", keylog.String())
			}
		})
	}
}

func TestZeroRTTPrimeFails(t *testing.T) {
	h := newZeroRTT(t, ZeroRTTConfig{Address: "127.0.0.1:1"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := h.Handshake(ctx)
	if s.Err == nil || s.Class != sample.ClassRefused || s.OK() {
		t.Fatalf("class %q err %v", s.Class, s.Err)
	}
}

func mustGroup(t *testing.T, name string) Group {
	t.Helper()
	g, err := ParseGroup(name)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

package bench

import (
	"context"
	"testing"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/testservers"
)

func nginxTCP(t *testing.T, s *testservers.Server, resume, expect string) sample.Handshaker {
	t.Helper()
	set, err := ParseStatusSet(expect)
	if err != nil {
		t.Fatal(err)
	}
	req := &HTTPRequest{Host: Authority(s.ServerName, s.Addr), Expect: set}
	f, err := NewTCPFactory(TCPConfig{Address: s.Addr, TLS: s.ClientConfig(), Mode: sample.ModeResumed,
		Request: req.HTTP1(), Expect: set, Resume: resume})
	if err != nil {
		t.Fatal(err)
	}
	h, err := f()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Prime(ctx); err != nil {
		t.Fatalf("prime: %v\n%s", err, s.Log())
	}
	return h
}

func attempt(h sample.Handshaker) sample.Sample {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return h.Handshake(ctx)
}

// Against nginx with ssl_session_tickets off, --resume id resumes every
// attempt by session ID (nginx's $ssl_session_reused agrees), ticket
// resumption names the missing ticket, and auto picks the session ID.
func TestNginxResumeByID(t *testing.T) {
	s := testservers.StartNginx(t, testservers.Options{MaxVersion: "1.2", NoTickets: true})
	h := nginxTCP(t, s, ResumeID, DefaultExpectStatus)
	for i := range 3 {
		sm := attempt(h)
		if !sm.OK() || !sm.Labels.Resumed || sm.Labels.ResumedBy != ResumeID || sm.Labels.Version != "1.2" {
			t.Fatalf("attempt %d: %+v (err %v)", i, sm.Labels, sm.Err)
		}
	}
	log, err := s.AccessLog(4, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range log {
		if e.Reused != (i > 0) {
			t.Errorf("request %d: nginx logged reused=%v", i, e.Reused)
		}
	}
	if sm := attempt(nginxTCP(t, s, ResumeTicket, DefaultExpectStatus)); sm.Mismatch != MismatchNoTicket {
		t.Errorf("ticket resumption without tickets: mismatch %q, want %q", sm.Mismatch, MismatchNoTicket)
	}
	if sm := attempt(nginxTCP(t, s, ResumeAuto, DefaultExpectStatus)); !sm.OK() || sm.Labels.ResumedBy != ResumeID {
		t.Errorf("auto: %+v %q %v", sm.Labels, sm.Mismatch, sm.Err)
	}
	// nginx answers 200: a run that expects 404 fails with the status.
	if sm := attempt(nginxTCP(t, s, ResumeID, "404")); sm.Class != "http_status:200" {
		t.Errorf("expect 404: class %q (%v)", sm.Class, sm.Err)
	}
}

package zerortt

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/testservers"
)

// serverTicket does a crypto/tls full handshake against s and returns the
// ticket; the connection is closed (openssl serves one at a time).
func serverTicket(t *testing.T, s *testservers.Server, request []byte, alpn ...string) *Ticket {
	t.Helper()
	c := dial(t, s.Addr)
	defer c.Close()
	tk, _, err := FirstTicket(testCtx(t), c, &tls.Config{ServerName: s.ServerName, RootCAs: s.Pool, NextProtos: alpn}, request)
	if err != nil {
		t.Fatalf("%v\nserver log:\n%s", err, s.Log())
	}
	return tk
}

func resumeOnce(t *testing.T, s *testservers.Server, cfg *Config, tk *Ticket, early []byte) *Result {
	t.Helper()
	c := dial(t, s.Addr)
	defer c.Close()
	res, err := Resume(testCtx(t), c, cfg, tk, early, nil)
	if err != nil {
		t.Fatalf("%v\nserver log:\n%s", err, s.Log())
	}
	return res
}

func TestOpenSSLEarlyDataAntiReplay(t *testing.T) {
	s := testservers.StartOpenSSL(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	cfg := &Config{ServerName: s.ServerName, RootCAs: s.Pool, Read: ReadUntilTicket}
	tk := serverTicket(t, s, nil)
	req := []byte(testservers.Request)

	res := resumeOnce(t, s, cfg, tk, req)
	if !res.Resumed || !res.EarlyDataAccepted || res.EarlyDataSent != len(req) || res.EarlyDataResent {
		t.Fatalf("first 0-RTT: %+v", res)
	}
	if len(res.Tickets) == 0 || res.Tickets[0].MaxEarlyData == 0 {
		t.Fatalf("fresh tickets lack max_early_data_size: %+v", res.Tickets)
	}
	fresh := res.Tickets[0]

	// Same ticket again: openssl's anti-replay refuses it (full handshake),
	// the handshake still completes and the request is resent.
	replay := resumeOnce(t, s, cfg, tk, req)
	if replay.EarlyDataAccepted || !replay.EarlyDataResent {
		t.Fatalf("replayed ticket: %+v", replay)
	}
	t.Logf("replay: resumed=%v (openssl falls back to a full handshake: %v)", replay.Resumed, !replay.Resumed)

	// A ticket issued to the engine itself carries early data again.
	again := resumeOnce(t, s, cfg, fresh, req)
	if !again.Resumed || !again.EarlyDataAccepted {
		t.Fatalf("engine ticket: %+v", again)
	}

	c, err := s.EarlyData(4, 5*time.Second)
	if err != nil {
		t.Fatalf("%v\nlog:\n%s", err, s.Log())
	}
	if c.Accepted != 2 || c.Rejected != 1 || c.NotSent != 1 {
		t.Errorf("server reports %+v, want 2 accepted, 1 rejected, 1 not sent", c)
	}
}

func TestOpenSSLNoAntiReplayGroups(t *testing.T) {
	s := testservers.StartOpenSSL(t, testservers.Options{EarlyData: true, MinVersion: "1.3", NoAntiReplay: true})
	tk := serverTicket(t, s, nil)
	for _, g := range []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521} {
		t.Run(g.String(), func(t *testing.T) {
			cfg := &Config{ServerName: s.ServerName, Group: g, Read: ReadUntilTicket}
			res := resumeOnce(t, s, cfg, tk, []byte(testservers.Request))
			if !res.Resumed || !res.EarlyDataAccepted || res.Group != g {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

func TestNginxEarlyData(t *testing.T) {
	s := testservers.StartNginx(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	req := []byte(testservers.Request)
	// OpenSSL accepts early data only with the ticket's ALPN.
	tk := serverTicket(t, s, req, "http/1.1")
	if tk.ALPN != "http/1.1" {
		t.Fatalf("ticket ALPN %q", tk.ALPN)
	}
	cfg := &Config{ServerName: s.ServerName, RootCAs: s.Pool, Read: ReadToEOF, ALPN: []string{"http/1.1"}}
	// nginx reports $ssl_early_data=1 only for a request it handles before
	// the client Finished arrives: on bare loopback that is a race.
	s.Addr = testservers.DelayRelay(t, s.Addr, 0, 5*time.Millisecond)
	for i := range 2 { // nginx accepts replays
		res := resumeOnce(t, s, cfg, tk, req)
		if !res.Resumed || !res.EarlyDataAccepted {
			t.Fatalf("attempt %d: %+v", i, res)
		}
		resp := strings.ToLower(string(res.Response))
		if !strings.HasPrefix(resp, "http/1.1 200") || !strings.Contains(resp, "x-early-data: 1") {
			t.Fatalf("attempt %d: response %q", i, res.Response)
		}
		// nginx answers an early-data request with "Connection: close"
		// before it reads the client Finished, so it may issue no ticket.
		t.Logf("attempt %d: %d fresh tickets", i, len(res.Tickets))
	}
	// Without early data (and nothing to read: the engine sends no request).
	c := dial(t, s.Addr)
	res, err := Resume(testCtx(t), c, &Config{ServerName: s.ServerName, Read: ReadNone, ALPN: []string{"http/1.1"}}, tk, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed || res.EarlyDataOffered {
		t.Fatalf("result %+v", res)
	}
}

func TestHAProxyEarlyData(t *testing.T) {
	s := testservers.StartHAProxy(t, testservers.Options{EarlyData: true, MinVersion: "1.3"})
	req := []byte(testservers.Request)
	tk := serverTicket(t, s, req)
	cfg := &Config{ServerName: s.ServerName, RootCAs: s.Pool, Read: ReadToEOF}
	res := resumeOnce(t, s, cfg, tk, req)
	if !res.Resumed || !res.EarlyDataAccepted {
		t.Fatalf("result %+v", res)
	}
	if !strings.HasPrefix(string(res.Response), "HTTP/1.1 200") {
		t.Fatalf("response %q", res.Response)
	}
	// haproxy marks early data only if it handled the request before the
	// client Finished arrived, which on loopback it usually does not.
	t.Logf("haproxy response marker present: %v", strings.Contains(string(res.Response), testservers.EarlyDataAcceptedMarker))
}

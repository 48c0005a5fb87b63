package bench

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/hsbench/hsbench/bench/sample"
	"github.com/hsbench/hsbench/internal/testservers"
)

// matrixAttempts is how many measured attempts each cell runs.
const matrixAttempts = 3

// matrixCell is one column of the interop matrix: what hsbench asks for,
// the server options it needs, and what the server should see.
type matrixCell struct {
	name    string
	opts    testservers.Options
	quic    bool
	handshk func(t *testing.T, s *testservers.Server) sample.Handshaker
	resumed bool                         // the measured attempts should resume (the priming one is full)
	early   bool                         // 0-RTT: early data should be accepted
	wantHs  func(l sample.Labels) string // "" when hsbench's labels are what the cell asked
}

// matrixServer is one row: how to start it and which cells it cannot do.
type matrixServer struct {
	name        string
	start       func(testing.TB, testservers.Options) *testservers.Server
	unsupported map[string]string // cell → why
}

func tcpCell(version uint16, mode sample.Mode, resume, group string, suite uint16) func(*testing.T, *testservers.Server) sample.Handshaker {
	return func(t *testing.T, s *testservers.Server) sample.Handshaker {
		cfg := s.ClientConfig()
		cfg.MinVersion, cfg.MaxVersion = version, version
		g, _ := ParseGroup(group)
		cfg.CurvePreferences = ClientGroups(g, version)
		if suite != 0 {
			cfg.CipherSuites = []uint16{suite}
		}
		req := &HTTPRequest{Host: Authority(s.ServerName, s.Addr)}
		expect, _ := ParseStatusSet(DefaultExpectStatus)
		return newHandshaker(t, TCPConfig{Address: s.Addr, TLS: cfg, Mode: mode, Request: req.HTTP1(), Expect: expect,
			WantGroup: group, Resume: resume})
	}
}

func zeroRTTCell(t *testing.T, s *testservers.Server) sample.Handshaker {
	req := (&HTTPRequest{Host: Authority(s.ServerName, s.Addr)}).HTTP1()
	return newZeroRTT(t, ZeroRTTConfig{Address: s.Addr, Request: req, NoResponse: !s.Responds,
		TLS: &tls.Config{ServerName: s.ServerName, RootCAs: s.Pool, CurvePreferences: []tls.CurveID{tls.X25519}}})
}

func quicCell(mode sample.Mode) func(*testing.T, *testservers.Server) sample.Handshaker {
	return func(t *testing.T, s *testservers.Server) sample.Handshaker {
		cfg := s.ClientConfig()
		cfg.NextProtos = []string{"h3"}
		req := &HTTPRequest{Host: Authority(s.ServerName, s.Addr)}
		expect, _ := ParseStatusSet(DefaultExpectStatus)
		kl, err := os.Create(filepath.Join(t.TempDir(), "keylog"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { kl.Close() })
		matrixKeyLog[t.Name()] = kl.Name()
		return newQUICHandshaker(t, QUICConfig{Address: s.Addr, TLS: cfg, Mode: mode, Request: []byte("h3"), HTTP3: true,
			HTTP3Request: req.HTTP3(), Expect: expect, KeyLog: NewSyncWriter(kl)})
	}
}

// matrixKeyLog maps a QUIC cell's test name to its key log file.
var matrixKeyLog = map[string]string{}

func labelsWant(version string, resumed bool, resumedBy, group, suite string, early bool) func(sample.Labels) string {
	return func(l sample.Labels) string {
		var bad []string
		if l.Version != version {
			bad = append(bad, "version "+l.Version)
		}
		if l.Resumed != resumed {
			bad = append(bad, fmt.Sprintf("resumed %v", l.Resumed))
		}
		if resumedBy != "" && l.ResumedBy != resumedBy {
			bad = append(bad, "resumed_by "+l.ResumedBy)
		}
		if group != "" && !resumed && l.Group != group {
			bad = append(bad, "group "+l.Group)
		}
		if suite != "" && l.Suite != suite {
			bad = append(bad, "suite "+l.Suite)
		}
		if early && !l.EarlyAccepted {
			bad = append(bad, "early data not accepted")
		}
		return strings.Join(bad, ", ")
	}
}

var (
	v12, v13 = testservers.Options{MaxVersion: "1.2"}, testservers.Options{MinVersion: "1.3"}
	chacha12 = tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
)

var matrixCells = []matrixCell{
	{name: "1.2 full", opts: v12, handshk: tcpCell(tls.VersionTLS12, sample.ModeFull, "", "x25519", 0),
		wantHs: labelsWant("1.2", false, "", "x25519", "", false)},
	{name: "1.2 resumed ticket", opts: v12, handshk: tcpCell(tls.VersionTLS12, sample.ModeResumed, ResumeTicket, "x25519", 0), resumed: true,
		wantHs: labelsWant("1.2", true, ResumeTicket, "", "", false)},
	{name: "1.2 resumed id", opts: testservers.Options{MaxVersion: "1.2", NoTickets: true}, handshk: tcpCell(tls.VersionTLS12, sample.ModeResumed, ResumeID, "x25519", 0), resumed: true,
		wantHs: labelsWant("1.2", true, ResumeID, "", "", false)},
	{name: "1.2 p384", opts: v12, handshk: tcpCell(tls.VersionTLS12, sample.ModeFull, "", "p384", 0),
		wantHs: labelsWant("1.2", false, "", "p384", "", false)},
	{name: "1.2 chacha20", opts: v12, handshk: tcpCell(tls.VersionTLS12, sample.ModeFull, "", "x25519", chacha12),
		wantHs: labelsWant("1.2", false, "", "x25519", tls.CipherSuiteName(chacha12), false)},
	{name: "1.3 full", opts: v13, handshk: tcpCell(tls.VersionTLS13, sample.ModeFull, "", "x25519", 0),
		wantHs: labelsWant("1.3", false, "", "x25519", "", false)},
	{name: "1.3 p521", opts: v13, handshk: tcpCell(tls.VersionTLS13, sample.ModeFull, "", "p521", 0),
		wantHs: labelsWant("1.3", false, "", "p521", "", false)},
	{name: "1.3 resumed", opts: v13, handshk: tcpCell(tls.VersionTLS13, sample.ModeResumed, "", "x25519", 0), resumed: true,
		wantHs: labelsWant("1.3", true, "", "", "", false)},
	{name: "1.3 0-RTT", opts: testservers.Options{MinVersion: "1.3", EarlyData: true, NoAntiReplay: true}, handshk: zeroRTTCell, resumed: true, early: true,
		wantHs: labelsWant("1.3", true, "", "", "", true)},
	{name: "quic full", quic: true, handshk: quicCell(sample.ModeFull), wantHs: labelsWant("1.3", false, "", "", "", false)},
	{name: "quic resumed", quic: true, handshk: quicCell(sample.ModeResumed), resumed: true, wantHs: labelsWant("1.3", true, "", "", "", false)},
	{name: "quic 0-RTT", quic: true, handshk: quicCell(sample.Mode0RTT), resumed: true, early: true, wantHs: labelsWant("1.3", true, "", "", "", true)},
}

var noQUIC = "no QUIC in this server (build)"

var matrixServers = []matrixServer{
	{"nginx", testservers.StartNginx, map[string]string{"quic full": noQUIC, "quic resumed": noQUIC, "quic 0-RTT": noQUIC}},
	{"openssl", func(t testing.TB, o testservers.Options) *testservers.Server {
		o.LogHandshakes = true
		return testservers.StartOpenSSL(t, o)
	}, map[string]string{"quic full": noQUIC, "quic resumed": noQUIC, "quic 0-RTT": noQUIC}},
	{"haproxy", testservers.StartHAProxy, map[string]string{"quic full": noQUIC, "quic resumed": noQUIC, "quic 0-RTT": noQUIC}},
	{"caddy", testservers.StartCaddy, map[string]string{
		"1.2 resumed id": "Go server: no session-ID resumption",
		"1.3 0-RTT":      "Go server: no 0-RTT over TCP",
		"1.3 p521":       "caddy 2.6 offers only X25519 and P-256",
		"1.2 p384":       "",
	}},
	{"gnutls", testservers.StartGnuTLS, map[string]string{"quic full": noQUIC, "quic resumed": noQUIC, "quic 0-RTT": noQUIC}},
	{"gtlsserver", testservers.StartGtlsserver, map[string]string{}},
	{"stunnel", testservers.StartStunnel, map[string]string{"1.3 0-RTT": "stunnel has no 0-RTT", "quic full": noQUIC, "quic resumed": noQUIC, "quic 0-RTT": noQUIC}},
}

// matrixResult is one cell of the printed table.
type matrixResult struct {
	verdict string // agree, disagree, unsupported, no view
	hs, srv string // hsbench's view, the server's view
}

// TestInteropMatrix runs, for each real server, the cells it supports and
// checks hsbench's labels against the server's own view (its log), then
// prints the table server × cell. A server whose binary is missing skips
// (fails under HSBENCH_REQUIRE_INTEROP=1).
func TestInteropMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("interop matrix: -short")
	}
	table := map[string]map[string]matrixResult{}
	for _, srv := range matrixServers {
		row := map[string]matrixResult{}
		table[srv.name] = row
		t.Run(srv.name, func(t *testing.T) {
			for _, c := range matrixCells {
				why, skip := srv.unsupported[c.name]
				if srv.name == "gtlsserver" && !c.quic {
					why, skip = "QUIC only", true
				}
				if skip && why != "" {
					row[c.name] = matrixResult{verdict: "unsupported", hs: why}
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					r := runMatrixCell(t, srv, c)
					row[c.name] = r
					if r.verdict == "disagree" {
						t.Errorf("%s %s: hsbench %s; server %s", srv.name, c.name, r.hs, r.srv)
					}
				})
			}
		})
	}
	t.Log("\n" + formatMatrix(table))
}

// hsView is hsbench's view of a cell's measured attempts.
type hsView struct {
	ok, resumed, early int
	groups             map[string]int
	problems           []string // errors, mismatches, labels other than asked
	last               string
}

// srvView is the server's view of the same connections (priming included);
// a negative count or empty curve means the server does not show it.
type srvView struct {
	full, resumed, early int
	curve                string
	text                 string
}

func runMatrixCell(t *testing.T, srv matrixServer, c matrixCell) matrixResult {
	s := srv.start(t, c.opts)
	var capture *testservers.Capture
	if c.quic {
		_, port, _ := net.SplitHostPort(s.Addr)
		p, _ := strconv.Atoi(port)
		capture = testservers.StartCapture(t, p, true)
	}
	h := c.handshk(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.Prime(ctx); err != nil {
		return matrixResult{verdict: "disagree", hs: "prime: " + sample.ClassOf(err), srv: "-"}
	}
	hv := hsView{groups: map[string]int{}}
	for i := range matrixAttempts {
		actx, acancel := context.WithTimeout(ctx, 5*time.Second)
		sm := h.Handshake(actx)
		acancel()
		if sm.Err != nil {
			hv.problems = append(hv.problems, fmt.Sprintf("attempt %d: %s", i, sm.Class))
			continue
		}
		hv.ok++
		if sm.Labels.Resumed {
			hv.resumed++
		}
		if sm.Labels.EarlyAccepted {
			hv.early++
		}
		hv.groups[sm.Labels.Group]++
		if d := c.wantHs(sm.Labels); d != "" || sm.Mismatch != "" {
			hv.problems = append(hv.problems, strings.Trim(d+"; "+sm.Mismatch, "; "))
		}
		hv.last = describe(sm.Labels)
	}
	made := hv.ok
	if c.resumed {
		made++ // the priming handshake
	}
	sv := serverView(t, s, c, capture, made)
	return verdict(c, hv, sv)
}

// verdict compares what both sides can tell: resumptions, accepted early
// data, the group.
func verdict(c matrixCell, hv hsView, sv srvView) matrixResult {
	hs := fmt.Sprintf("%d/%d ok, %d resumed", hv.ok, matrixAttempts, hv.resumed)
	if c.early {
		hs += fmt.Sprintf(", %d early accepted", hv.early)
	}
	if hv.last != "" {
		hs += " (" + hv.last + ")"
	}
	if len(hv.problems) > 0 {
		hs += " [" + strings.Join(uniq(hv.problems), "; ") + "]"
	}
	// Resumed cells may prime more than once (a ticket that did not arrive
	// in time): their full count is not compared.
	// 0-RTT cells may also resume once more, unmeasured, to collect the next
	// ticket when none came with the response: the server counts those too.
	agree := sv.resumed < 0 || sv.resumed == hv.resumed && (c.resumed || sv.full == hv.ok) ||
		c.early && sv.resumed >= hv.resumed
	if sv.early >= 0 && c.early {
		agree = agree && sv.early == hv.early
	}
	if sv.curve != "" {
		for g := range hv.groups {
			agree = agree && curveNames[g] == sv.curve
		}
	}
	if hv.ok == 0 {
		agree = false
	}
	v := "agree"
	switch {
	case !agree:
		v = "disagree"
	case sv.resumed < 0 && sv.early < 0 && sv.curve == "":
		v = "no view" // the server showed nothing to compare
	}
	return matrixResult{verdict: v, hs: hs, srv: sv.text}
}

// curveNames maps hsbench's group names to OpenSSL's (nginx's $ssl_curve).
var curveNames = map[string]string{"x25519": "X25519", "p256": "prime256v1", "p384": "secp384r1", "p521": "secp521r1"}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// describe is hsbench's view of one sample.
func describe(l sample.Labels) string {
	d := l.Transport + " " + l.Version
	switch {
	case l.EarlyAccepted:
		d += " 0-RTT accepted"
	case l.Resumed && l.ResumedBy != "":
		d += " resumed by " + l.ResumedBy
	case l.Resumed:
		d += " resumed"
	default:
		d += " full " + l.Group
	}
	return d
}

// serverView reads what the server saw: its log, or for QUIC servers a
// capture (caddy's log is shown beside it).
func serverView(t *testing.T, s *testservers.Server, c matrixCell, capture *testservers.Capture, made int) srvView {
	total := matrixAttempts
	if c.resumed {
		total++ // the priming handshake
	}
	if capture != nil {
		v, err := capture.Handshakes(matrixKeyLog[t.Name()], true)
		if err != nil {
			return srvView{full: -1, resumed: -1, early: -1, text: err.Error()}
		}
		if v.ServerHellos < made {
			// Seen on a loaded machine: the capture missed packets.
			t.Logf("incomplete capture; tshark: %s", capture.Log())
			return srvView{full: -1, resumed: -1, early: -1,
				text: fmt.Sprintf("capture incomplete (%d of at least %d handshakes)", v.ServerHellos, made)}
		}
		sv := srvView{full: v.ServerHellos - v.Resumed, resumed: v.Resumed, early: v.EarlyAccepted,
			text: fmt.Sprintf("capture: %d full, %d resumed, %d early accepted", v.ServerHellos-v.Resumed, v.Resumed, v.EarlyAccepted)}
		if full, resumed, err := s.Handshakes(total, time.Second); err == nil {
			sv.text += fmt.Sprintf("; access log: %d full, %d resumed", full, resumed)
		}
		return sv
	}
	sv := srvView{early: -1}
	if s.Name == "openssl" && c.early {
		ec, err := s.EarlyData(matrixAttempts, 3*time.Second)
		// Connections that sent no early data (priming, collecting the next
		// ticket) count towards the total too: wait for as many more, or an
		// accepted attempt whose report lags is missed.
		if err == nil && ec.NotSent > 0 {
			ec, err = s.EarlyData(matrixAttempts+ec.NotSent, 3*time.Second)
		}
		sv.early = ec.Accepted
		sv.text = fmt.Sprintf("early data: %d accepted, %d rejected; ", ec.Accepted, ec.Rejected)
		if err != nil {
			sv.text += err.Error() + "; "
		}
	}
	full, resumed, err := s.Handshakes(total, 3*time.Second)
	if err != nil {
		return srvView{full: -1, resumed: -1, early: -1, text: sv.text + err.Error()}
	}
	// Extra priming handshakes count towards total: give the lines of the
	// last attempts a moment, then count again.
	time.Sleep(200 * time.Millisecond)
	if full, resumed, err = s.Handshakes(total, time.Second); err != nil {
		return srvView{full: -1, resumed: -1, early: -1, text: sv.text + err.Error()}
	}
	sv.full, sv.resumed = full, resumed
	sv.text += fmt.Sprintf("%d full, %d resumed", full, resumed)
	if s.Name == "nginx" {
		if log, err := s.AccessLog(total, time.Second); err == nil && len(log) > 0 {
			e := log[len(log)-1]
			if !c.resumed {
				sv.curve = e.Curve
			}
			sv.text += fmt.Sprintf(" (last: %s %s %s)", e.Protocol, e.Cipher, e.Curve)
		}
	}
	return sv
}

func formatMatrix(table map[string]map[string]matrixResult) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "server\tcell\tverdict\thsbench\tserver's view")
	for _, srv := range matrixServers {
		row := table[srv.name]
		for _, c := range matrixCells {
			if r, ok := row[c.name]; ok {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", srv.name, c.name, r.verdict, r.hs, r.srv)
			}
		}
	}
	w.Flush()
	return b.String()
}

package testservers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
)

// Markers of haproxy's log line per request.
const (
	haproxyFull    = "resumed=0"
	haproxyResumed = "resumed=1"
)

// haproxyMaxConn stays well below the file descriptor limit a test process
// usually has; haproxy refuses to start when maxconn needs more.
const haproxyMaxConn = 2000

// haproxyConf answers every request itself with http-request return; no
// backend, no stats. Each request is logged to stdout with its TLS state
// (Handshakes counts "resumed=0" and "resumed=1").
//
// ssl_fc_has_early is true only while the handshake is still in progress,
// and haproxy 2.6 handles a request that came as early data after the
// client's Finished has arrived, at least on loopback; so the marker also
// checks for the client early traffic secret, which OpenSSL derives only
// when it accepts early data (needs tune.ssl.keylog).
var haproxyConf = template.Must(template.New("haproxy.cfg").Parse(`global
    maxconn {{.MaxConn}}
    nbthread 1
    tune.ssl.default-dh-param 2048
{{- if .EarlyData}}
    tune.ssl.keylog on
{{- end}}

defaults
    mode http
    log stdout format raw local0 info
    option dontlognull
    timeout connect 5s
    timeout client 10s
    timeout server 10s
    timeout http-request 10s

frontend hsbench
    log-format "hsbench-tls %[ssl_fc_protocol] %[ssl_fc_cipher] resumed=%[ssl_fc_is_resumed] early=%[var(txn.early)] status=%ST"
    bind {{.Addr}} ssl crt {{.Crt}} ssl-min-ver {{.Min}} ssl-max-ver {{.Max}}{{if .EarlyData}} allow-0rtt{{end}}{{if .NoTickets}} no-tls-tickets{{end}}{{if .Ciphers12}} ciphers {{.Ciphers12}}{{end}}{{if .Groups}} curves {{.Groups}}{{end}}
    http-request set-var(txn.early) str(0)
    http-request set-var(txn.early) str(1) if { ssl_fc_has_early } || { ssl_fc_client_early_traffic_secret -m len gt 0 }
    http-request return status 200 content-type text/plain hdr X-Early-Data "%[var(txn.early)]" lf-string "ok early-data=%[var(txn.early)]\n"
`))

// StartHAProxy starts haproxy (in the foreground, -db) terminating TLS on
// a free loopback port. It answers every request with 200, the header
// X-Early-Data ("1" when the request came as accepted early data, else "0")
// and the body "ok early-data=1" or "=0". Session tickets are on (haproxy's
// own keys); o.EarlyData adds allow-0rtt to the bind line. haproxy accepts
// replayed tickets for 0-RTT. Its marker says whether the connection's early
// data was accepted (not whether this very request was in it: for the
// one-request connections of Request that is the same).
func StartHAProxy(t testing.TB, o Options) *Server {
	t.Helper()
	s, certs, bin := prepare(t, "haproxy", "haproxy", o)
	s.Version = versionLine(bin, "-v")
	conf := filepath.Join(s.Dir, "haproxy.cfg")
	crt := filepath.Join(s.Dir, "haproxy.pem")
	chain, err := os.ReadFile(certs.Chain)
	if err != nil {
		t.Fatalf("testservers: %v", err)
	}
	key, err := os.ReadFile(certs.Key)
	if err != nil {
		t.Fatalf("testservers: %v", err)
	}
	if err := os.WriteFile(crt, append(chain, key...), 0o600); err != nil {
		t.Fatalf("testservers: writing haproxy certificate: %v", err)
	}
	protos := protocols(s.Options)
	out := newLogBuffer(haproxyFull, haproxyResumed)
	s.view = s.markHandshakes(haproxyFull, haproxyResumed)
	start := func(port int) ([]string, []string, error) {
		var b strings.Builder
		err := haproxyConf.Execute(&b, map[string]any{
			"MaxConn":   haproxyMaxConn,
			"Addr":      s.Options.hostPort(port),
			"Crt":       crt,
			"Min":       protos[0],
			"Max":       protos[len(protos)-1],
			"EarlyData": s.Options.EarlyData,
			"NoTickets": s.Options.NoTickets,
			"Ciphers12": s.Options.Ciphers12,
			"Groups":    s.Options.Groups,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("testservers: haproxy config: %w", err)
		}
		if err := os.WriteFile(conf, []byte(b.String()), 0o644); err != nil {
			return nil, nil, fmt.Errorf("testservers: writing haproxy config: %w", err)
		}
		return []string{"-db", "-f", conf}, nil, nil
	}
	s.proc, s.Addr, _ = run(t, s.Name, bin, s.Dir, certs.Leaf.Certificate[0], out, start, s.Options)
	return s
}

package testservers

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
)

var caddyfile = template.Must(template.New("Caddyfile").Parse(`{
	admin off
	auto_https off
	storage file_system {{.Dir}}/data
}
https://{{.ServerName}}:{{.Port}} {
	bind {{.Host}}
	tls {{.Chain}} {{.Key}} {
		protocols {{.Min}} {{.Max}}
	}
	log {
		output file {{.Dir}}/access.log
		format json
	}
	respond "ok" 200
}
`))

// StartCaddy starts caddy (a Go server, Debian package caddy, built with
// an older Go and quic-go) serving HTTPS over TCP (h1, h2) and HTTP/3 over
// UDP on the same port. Every request is logged as JSON with its TLS state
// (AccessLog, Handshakes). Its HOME and XDG directories point into Dir.
// o.NoTickets, o.EarlyData, o.Groups and o.Ciphers12 are ignored (caddy
// uses Go's defaults: tickets on).
func StartCaddy(t testing.TB, o Options) *Server {
	t.Helper()
	s, certs, bin := prepare(t, "caddy", "caddy", o)
	s.Version = versionLine(bin, "version")
	s.EarlyDataMarker = ""
	s.view = s.accessLogHandshakes
	env := testenvPath(t, "env")
	conf := filepath.Join(s.Dir, "Caddyfile")
	ver := map[string]string{"1.2": "tls1.2", "1.3": "tls1.3"}
	start := func(port int) ([]string, []string, error) {
		var b strings.Builder
		err := caddyfile.Execute(&b, map[string]any{
			"Dir": s.Dir, "ServerName": ServerName, "Port": port, "Host": s.Options.Host,
			"Chain": certs.Chain, "Key": certs.Key, "Min": ver[s.Options.MinVersion], "Max": ver[s.Options.MaxVersion],
		})
		if err != nil {
			return nil, nil, fmt.Errorf("testservers: Caddyfile: %w", err)
		}
		if err := os.WriteFile(conf, []byte(b.String()), 0o644); err != nil {
			return nil, nil, fmt.Errorf("testservers: writing Caddyfile: %w", err)
		}
		return []string{"HOME=" + s.Dir, "XDG_DATA_HOME=" + s.Dir, "XDG_CONFIG_HOME=" + s.Dir,
			bin, "run", "--config", conf, "--adapter", "caddyfile"}, nil, nil
	}
	s.proc, s.Addr, _ = run(t, s.Name, env, s.Dir, certs.Leaf.Certificate[0], newLogBuffer(), start, s.Options)
	return s
}

// caddyEntry is the part of caddy's JSON access log line used here.
type caddyEntry struct {
	Request struct {
		Proto string `json:"proto"`
		TLS   struct {
			Resumed     bool   `json:"resumed"`
			Version     uint16 `json:"version"`
			CipherSuite uint16 `json:"cipher_suite"`
			Proto       string `json:"proto"`
		} `json:"tls"`
	} `json:"request"`
	Status int `json:"status"`
}

// readCaddyLog parses caddy's access log.
func (s *Server) readCaddyLog() ([]AccessEntry, error) {
	f, err := os.Open(filepath.Join(s.Dir, "access.log"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("testservers: %w", err)
	}
	defer f.Close()
	var out []AccessEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e caddyEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Status == 0 {
			continue
		}
		out = append(out, AccessEntry{
			Protocol:  strings.Replace(tls.VersionName(e.Request.TLS.Version), "TLS 1.", "TLSv1.", 1),
			Cipher:    tls.CipherSuiteName(e.Request.TLS.CipherSuite),
			Reused:    e.Request.TLS.Resumed,
			Status:    e.Status,
			HTTPProto: e.Request.Proto,
		})
	}
	return out, sc.Err()
}

package testservers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
)

// nginxConf is the complete configuration of a test nginx: one process in
// the foreground, every path inside its temporary directory.
var nginxConf = template.Must(template.New("nginx.conf").Parse(`daemon off;
master_process off;
worker_processes 1;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log notice;

events {
    worker_connections 1024;
}

http {
    # One line per request: the server's own view of each connection,
    # read by (*Server).AccessLog.
    log_format hsbench '$ssl_protocol $ssl_cipher $ssl_curve $ssl_session_reused $ssl_early_data $status';
    access_log {{.Dir}}/access.log hsbench;
    client_body_temp_path {{.Dir}}/client_body;
    proxy_temp_path {{.Dir}}/proxy;
    fastcgi_temp_path {{.Dir}}/fastcgi;
    uwsgi_temp_path {{.Dir}}/uwsgi;
    scgi_temp_path {{.Dir}}/scgi;

    # $ssl_early_data is "1" for a request that came as accepted early data
    # and "" otherwise; nginx drops headers with empty values, so map it.
    map $ssl_early_data $hsbench_early_data {
        "1"     "1";
        default "0";
    }

    server {
        listen {{.Addr}} ssl;
        server_name {{.ServerName}};

        ssl_certificate     {{.Chain}};
        ssl_certificate_key {{.Key}};
        ssl_protocols       {{.Protocols}};
        ssl_session_cache   shared:SSL:1m;
        ssl_session_tickets {{if .NoTickets}}off{{else}}on{{end}};
        ssl_early_data      {{if .EarlyData}}on{{else}}off{{end}};
{{- if .Ciphers12}}
        ssl_ciphers         "{{.Ciphers12}}";
{{- end}}
{{- if .Groups}}
        ssl_ecdh_curve      "{{.Groups}}";
{{- end}}

        location / {
            default_type text/plain;
            add_header X-Early-Data $hsbench_early_data always;
            return 200 "ok early-data=$hsbench_early_data\n";
        }
    }
}
`))

// StartNginx starts nginx serving TLS on a free loopback port. It answers
// every GET with 200, the header X-Early-Data ("1" when the request came as
// accepted early data, else "0") and the body "ok early-data=1" or "=0".
// Session tickets and a shared session cache are on; o.EarlyData sets
// ssl_early_data on. nginx accepts replayed tickets for 0-RTT.
//
// Every request is logged to access.log in Dir (see AccessLog).
//
// nginx's $ssl_early_data is "1" only while the handshake is incomplete, so
// the marker says 1 only if nginx handles the request before the client's
// Finished arrives. With any real round trip it does; on plain loopback a
// client that sends its Finished at once sees early-data=0 now and then
// although its early data was accepted (a few percent of attempts here).
// Judge acceptance from the handshake (the server's early_data extension in
// EncryptedExtensions) when it must be exact.
func StartNginx(t testing.TB, o Options) *Server {
	t.Helper()
	s, certs, bin := prepare(t, "nginx", "nginx", o)
	s.Version = versionLine(bin, "-v")
	conf := filepath.Join(s.Dir, "nginx.conf")
	errorLog := filepath.Join(s.Dir, "error.log")
	out := newLogBuffer()
	start := func(port int) ([]string, []string, error) {
		var b strings.Builder
		err := nginxConf.Execute(&b, map[string]any{
			"Dir":        s.Dir,
			"Addr":       s.Options.hostPort(port),
			"ServerName": ServerName,
			"Chain":      certs.Chain,
			"Key":        certs.Key,
			"Protocols":  strings.Join(protocols(s.Options), " "),
			"NoTickets":  s.Options.NoTickets,
			"EarlyData":  s.Options.EarlyData,
			"Ciphers12":  s.Options.Ciphers12,
			"Groups":     s.Options.Groups,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("testservers: nginx config: %w", err)
		}
		if err := os.WriteFile(conf, []byte(b.String()), 0o644); err != nil {
			return nil, nil, fmt.Errorf("testservers: writing nginx config: %w", err)
		}
		_ = os.Remove(errorLog)
		// -e keeps even the messages before the config is read out of /var/log.
		return []string{"-p", s.Dir + "/", "-c", conf, "-e", errorLog}, []string{errorLog}, nil
	}
	s.view = s.accessLogHandshakes
	s.proc, s.Addr, _ = run(t, s.Name, bin, s.Dir, certs.Leaf.Certificate[0], out, start, s.Options)
	return s
}

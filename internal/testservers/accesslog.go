package testservers

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// AccessEntry is one request as nginx logged it.
type AccessEntry struct {
	Protocol  string // $ssl_protocol, e.g. "TLSv1.2"
	Cipher    string // $ssl_cipher (OpenSSL name)
	Curve     string // $ssl_curve, e.g. "prime256v1", "X25519"; "" if none
	Reused    bool   // $ssl_session_reused is "r"
	EarlyData bool   // $ssl_early_data is "1"
	Status    int
	HTTPProto string // caddy only: "HTTP/1.1", "HTTP/2.0", "HTTP/3.0"
}

// AccessLog returns nginx's or caddy's access log entries, waiting up to timeout for
// at least n of them (nginx writes a line when the request completes).
// Only for StartNginx and StartCaddy servers (caddy logs no curve and no
// early data).
func (s *Server) AccessLog(n int, timeout time.Duration) ([]AccessEntry, error) {
	deadline := time.Now().Add(timeout)
	for {
		entries, err := s.readAccessLog()
		if err != nil || len(entries) >= n || time.Now().After(deadline) {
			if err == nil && len(entries) < n {
				err = fmt.Errorf("testservers: %s logged %d requests in %v, want %d", s.Name, len(entries), timeout, n)
			}
			return entries, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) readAccessLog() ([]AccessEntry, error) {
	if s.Name == "caddy" {
		return s.readCaddyLog()
	}
	data, err := os.ReadFile(filepath.Join(s.Dir, "access.log"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("testservers: %w", err)
	}
	var out []AccessEntry
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 {
			continue
		}
		dash := func(v string) string {
			if v == "-" {
				return ""
			}
			return v
		}
		status, _ := strconv.Atoi(f[5])
		out = append(out, AccessEntry{
			Protocol: dash(f[0]), Cipher: dash(f[1]), Curve: dash(f[2]),
			Reused: f[3] == "r", EarlyData: f[4] == "1", Status: status,
		})
	}
	return out, nil
}

// accessLogHandshakes counts requests by whether their session was reused.
func (s *Server) accessLogHandshakes(total int, timeout time.Duration) (full, resumed int, err error) {
	entries, err := s.AccessLog(total, timeout)
	for _, e := range entries {
		if e.Reused {
			resumed++
		} else {
			full++
		}
	}
	return full, resumed, err
}

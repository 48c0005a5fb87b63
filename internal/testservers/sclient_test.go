package testservers

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/testenv"
)

// sClient runs openssl s_client against s with args added, feeding it
// stdin, and returns its output. ignEOF keeps it reading after stdin ends
// until the server closes (or the timeout kills it).
func sClient(t *testing.T, s *Server, stdin string, ignEOF bool, args ...string) string {
	t.Helper()
	bin := testenv.LookPath(t, "openssl")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a := []string{"s_client", "-connect", s.Addr, "-servername", s.ServerName,
		"-CAfile", s.CAFile, "-verify_return_error", "-tls1_3"}
	if ignEOF {
		a = append(a, "-ign_eof")
	}
	cmd := exec.CommandContext(ctx, bin, append(a, args...)...)
	var in io.Reader = strings.NewReader(stdin)
	if !ignEOF {
		in = &slowEOF{r: in, wait: 300 * time.Millisecond}
	}
	cmd.Stdin = in
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s: s_client timed out\n%s", s.Name, out)
	}
	if err != nil {
		t.Fatalf("%s: s_client: %v\n%s", s.Name, err, out)
	}
	return string(out)
}

// zeroRTT gets a ticket with a full handshake, then sends Request as early
// data with it, replays times, using openssl s_client, and returns the
// outputs of the 0-RTT runs.
func zeroRTT(t *testing.T, s *Server, replays int) []string {
	t.Helper()
	sess := filepath.Join(t.TempDir(), "session.pem")
	req := filepath.Join(t.TempDir(), "request.txt")
	if err := os.WriteFile(req, s.Request, 0o644); err != nil {
		t.Fatal(err)
	}
	first := sClient(t, s, Request, s.Responds, "-sess_out", sess)
	if !strings.Contains(first, "Max Early Data: ") || strings.Contains(first, "Max Early Data: 0\n") {
		t.Fatalf("%s: ticket allows no early data:\n%s", s.Name, first)
	}
	var outs []string
	for i := 0; i <= replays; i++ {
		outs = append(outs, sClient(t, s, "", s.Responds, "-sess_in", sess, "-early_data", req))
	}
	return outs
}

// slowEOF returns r's data, then waits before reporting EOF, so s_client
// reads what the server sends after the handshake (TLS 1.3 tickets) even
// from a server that never answers or closes.
type slowEOF struct {
	r    io.Reader
	wait time.Duration
}

func (s *slowEOF) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF && n == 0 {
		time.Sleep(s.wait)
	}
	return n, err
}

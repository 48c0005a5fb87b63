package testservers

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsbench/hsbench/internal/testenv"
)

// Capture is a tshark capture on the loopback interface, limited to one
// port (the test's own server), for servers that do not log what they
// negotiated (QUIC servers). It needs root (or capture rights).
type Capture struct {
	tshark string
	file   string
	port   int
	cmd    *exec.Cmd
	stderr *syncBuffer
	stdout *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for tshark's writes and our reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// StartCapture starts capturing packets to or from port (UDP when udp,
// else TCP) on lo, and waits until tshark captures. It stops at cleanup.
func StartCapture(t testing.TB, port int, udp bool) *Capture {
	t.Helper()
	bin := testenv.LookPath(t, "tshark")
	testenv.Root(t)
	proto := "tcp"
	if udp {
		proto = "udp"
	}
	c := &Capture{tshark: bin, file: filepath.Join(t.TempDir(), "capture.pcapng"), port: port, stderr: &syncBuffer{}, stdout: &syncBuffer{}}
	// -P prints a line per packet while writing the file: the probes below
	// show when packets are really being captured.
	c.cmd = exec.Command(bin, "-i", "lo", "-B", "16", "-f", fmt.Sprintf("%s port %d", proto, port), "-w", c.file, "-P", "-l")
	c.cmd.Stderr = c.stderr
	c.cmd.Stdout = c.stdout
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("testservers: tshark: %v", err)
	}
	t.Cleanup(func() { c.Stop() })
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.stderr.String(), "Capture started") {
		if time.Now().After(deadline) {
			t.Fatalf("testservers: tshark did not start capturing: %s", c.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// tshark reports the start before packets are really captured (on a
	// loaded machine, seconds before): send probe datagrams until one shows.
	for c.stdout.String() == "" {
		if time.Now().After(deadline) {
			t.Fatalf("testservers: tshark captured no probe packet: %s", c.stderr)
		}
		if udp {
			if pc, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
				_, _ = pc.Write([]byte{0})
				pc.Close()
			}
		} else if tc, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			tc.Close()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return c
}

// captureFlush is how long Stop lets dumpcap write before stopping it.
const captureFlush = 1200 * time.Millisecond

// Stop ends the capture (tshark stops dumpcap cleanly on SIGINT).
func (c *Capture) Stop() {
	if c.cmd.Process == nil || c.cmd.ProcessState != nil {
		return
	}
	// dumpcap writes its file in batches, about once a second; a stop
	// right after the last packets can lose them.
	time.Sleep(captureFlush)
	_ = c.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// HandshakeView is what a capture shows of the server's handshakes.
type HandshakeView struct {
	ServerHellos  int // handshakes
	Resumed       int // ServerHellos with pre_shared_key (TLS 1.3)
	EarlyAccepted int // EncryptedExtensions with early_data (needs the key log)
}

// Handshakes stops the capture and reads it, decrypting with the NSS key
// log keyLog (may be empty: then EarlyAccepted stays 0). QUIC Initial
// packets (which carry the ServerHello) decrypt without keys. In one
// server frame pre_shared_key (41) can only belong to a ServerHello and
// early_data (42) only to EncryptedExtensions.
func (c *Capture) Handshakes(keyLog string, udp bool) (HandshakeView, error) {
	c.Stop()
	decode := fmt.Sprintf("tcp.port==%d,tls", c.port)
	if udp {
		decode = fmt.Sprintf("udp.port==%d,quic", c.port)
	}
	args := []string{"-r", c.file, "-d", decode,
		"-Y", fmt.Sprintf("tls.handshake.type && (udp.srcport == %d || tcp.srcport == %d)", c.port, c.port),
		"-T", "fields", "-e", "tls.handshake.type", "-e", "tls.handshake.extension.type"}
	if keyLog != "" {
		args = append(args, "-o", "tls.keylog_file:"+keyLog)
	}
	out, err := exec.Command(c.tshark, args...).Output()
	if err != nil {
		return HandshakeView{}, fmt.Errorf("testservers: tshark -r: %w", err)
	}
	var v HandshakeView
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		types, exts, _ := strings.Cut(line, "\t")
		has := func(list, x string) bool { return slices.Contains(strings.Split(list, ","), x) }
		if has(types, "2") {
			v.ServerHellos++
			if has(exts, "41") {
				v.Resumed++
			}
		}
		if has(types, "8") && has(exts, "42") {
			v.EarlyAccepted++
		}
	}
	return v, nil
}

// Log returns what tshark printed (capture start, packet count).
func (c *Capture) Log() string { return c.stderr.String() }

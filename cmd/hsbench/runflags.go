package main

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/hsbench/hsbench/bench"
)

// runFlags are the flags of 'hsbench run'.
type runFlags struct {
	target, sni, ca, clientCert, clientKey string
	insecure, clientAuth                   bool
	versions, modes, groups, suites, certs string
	concurrency                            int
	rate                                   float64
	duration, warmup, timeout, interval    time.Duration
	count                                  uint64
	repeat                                 int
	seed                                   uint64
	out, keylog                            string
	maxErrorRate, maxMismatchRate          float64
	quiet                                  bool
	tables                                 string // per-phase tables at the end: auto, all or none
	request                                string
	path, expectStatus, resume             string
	headers                                []string
	tickets                                string // 0-RTT ticket policy: fresh or reuse
	alpn                                   string // QUIC: ALPN protocols to offer
	emulate                                string // emulated link, e.g. rtt=50ms,loss=1%
	emulateExec                            string // shell command started inside the emulated network
	shard, startAt                         string // sharded runs: I/N and a common start time
	cpuprofile                             string // diagnostic: pprof CPU profile of the run
}

func newRunFlags(stdout io.Writer) (*pflag.FlagSet, *runFlags) {
	f := &runFlags{}
	fs := newFlagSet("run", "Usage: hsbench run [flags]\n\nBenchmarks handshakes against --target, or the embedded target when none is given.", stdout)
	fs.StringVar(&f.target, "target", "", "host:port of the TLS server to benchmark (default: start the embedded target in-process)")
	fs.StringVar(&f.sni, "sni", "", "server name to send and verify (default: the target's host, or localhost)")
	fs.StringVar(&f.ca, "ca", "", "PEM file of CA certificates to trust (default: the system roots)")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify the server certificate")
	fs.StringVar(&f.clientCert, "client-cert", "", "PEM client certificate (with --client-key)")
	fs.StringVar(&f.clientKey, "client-key", "", "PEM client private key")
	fs.StringVar(&f.versions, "tls", "1.3", "TLS versions and transports, comma-separated: 1.2, 1.3 (over TCP), quic (TLS 1.3 over QUIC, UDP)")
	fs.StringVar(&f.modes, "mode", "full,resumed", "handshake modes, comma-separated: full, resumed, 0rtt (TLS 1.3 and quic: the request sent as early data)")
	fs.StringVar(&f.groups, "group", "x25519", "key-exchange groups, comma-separated: x25519, p256, p384, p521, x25519mlkem768, secp256r1mlkem768, secp384r1mlkem1024 (empty: the client's defaults)")
	fs.StringVar(&f.suites, "suite", "", "cipher suites by IANA name, comma-separated: TLS 1.2 ones (RSA key exchange suites allowed) and TLS 1.3 ones (pinned process-wide for the cell)")
	fs.StringVar(&f.certs, "cert", "ecdsa-p256", "embedded target only: certificate key types, comma-separated: ecdsa-p256, ecdsa-p384, rsa-2048, rsa-4096, ed25519")
	fs.BoolVar(&f.clientAuth, "client-auth", false, "embedded target only: require a client certificate (hsbench presents one the target's CA issued)")
	fs.IntVar(&f.concurrency, "concurrency", 0, "closed loop: workers (default 1); open loop: most handshakes in flight (default 64)")
	fs.Float64Var(&f.rate, "rate", 0, "open loop: handshakes per second on a global schedule, latency from each intended start (0: closed loop)")
	fs.DurationVar(&f.duration, "duration", 3*time.Second, "measured time per cell and repeat (0: bounded by --count only)")
	fs.Uint64Var(&f.count, "count", 0, "measured handshakes per cell and repeat (0: bounded by --duration only)")
	fs.DurationVar(&f.warmup, "warmup", 500*time.Millisecond, "unrecorded warm-up before each cell and repeat")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "limit for one handshake attempt, request and first response byte included")
	fs.DurationVar(&f.interval, "interval", time.Second, "length of the intervals in phases.hlog")
	fs.IntVar(&f.repeat, "repeat", 1, "run every cell this many times, in shuffled interleaved order")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the --repeat shuffle")
	fs.StringVar(&f.out, "out", "", "run directory to create (default ./runs/<UTC timestamp>)")
	fs.StringVar(&f.keylog, "keylog", "", "append SSLKEYLOGFILE lines to this file (for Wireshark)")
	fs.Float64Var(&f.maxErrorRate, "max-error-rate", 0.01, "exit 1 when more than this fraction of attempts failed (0..1)")
	fs.Float64Var(&f.maxMismatchRate, "max-mismatch-rate", 0.01, "exit 1 when more than this fraction of attempts negotiated something else than asked (0..1)")
	fs.BoolVar(&f.quiet, "quiet", false, "no live progress line on stderr (each cell's result line and the tables still go to stdout)")
	fs.StringVar(&f.tables, "tables", "auto", "per-phase tables printed at the end: auto (for up to 4 cells; more get the summary table only, report.md has them all), all or none")
	fs.StringVar(&f.request, "request", "http", "what to send after the handshake: http (a GET for /, measuring ttfb) or none")
	fs.StringVar(&f.path, "path", "/", "path of the GET request")
	fs.StringArrayVar(&f.headers, "header", nil, "extra request header \"Name: value\" (repeatable)")
	fs.StringVar(&f.expectStatus, "expect-status", bench.DefaultExpectStatus, "HTTP statuses that count as success, e.g. 2xx,3xx,404; others fail as http_status:<code> (TCP)")
	fs.StringVar(&f.resume, "resume", bench.ResumeTicket, "how TLS 1.2 resumed cells resume: ticket, id (session ID) or auto (ticket when the server issues one, else session ID)")
	fs.StringVar(&f.alpn, "alpn", "", "QUIC: ALPN protocols to offer, comma-separated (default hsbench, the embedded target's; required with --target, e.g. h3, which sends an HTTP/3 GET)")
	fs.StringVar(&f.tickets, "tickets", "fresh", "0-RTT ticket policy: fresh (a new ticket per handshake, as browsers do) or reuse (replay one ticket)")
	fs.StringVar(&f.emulate, "emulate", "", "put the target behind an emulated link, e.g. rtt=50ms,loss=1%,rate=100mbit (needs root)")
	fs.StringVar(&f.emulateExec, "emulate-exec", "", "with --emulate and --target 198.19.0.1:PORT: shell command that starts the target inside the emulated network for the run")
	fs.StringVar(&f.shard, "shard", "", "run the I-th of N equal parts of the load, as I/N (e.g. 2/4)")
	fs.StringVar(&f.startAt, "start-at", "", "start at this RFC 3339 time (shards start together); fail if not ready by then")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "diagnostic: write a pprof CPU profile of the run to this file")
	_ = fs.MarkHidden("cpuprofile")
	fs.Var(&matrixPreset{fs: fs}, "matrix", "comparison matrix preset: --tls 1.2,1.3,quic --mode full,resumed,0rtt, all seven groups, --cert ecdsa-p256, --duration 2s --warmup 300ms (flags given explicitly win)")
	fs.Lookup("matrix").NoOptDefVal = "true"
	group(fs, groupTarget, "target", "sni", "ca", "insecure", "client-cert", "client-key", "cert", "client-auth", "alpn", "emulate", "emulate-exec")
	group(fs, groupHandshake, "tls", "mode", "group", "suite", "resume", "request", "path", "header", "expect-status", "tickets", "matrix")
	group(fs, groupLoad, "concurrency", "rate", "duration", "count", "warmup", "timeout", "repeat", "seed", "shard", "start-at")
	group(fs, groupOutput, "out", "interval", "keylog", "quiet", "tables")
	group(fs, groupGate, "max-error-rate", "max-mismatch-rate")
	return fs, f
}

// matrixDefaults are the defaults --matrix switches to: every version,
// mode and group, short cells so the whole matrix runs in a few minutes.
var matrixDefaults = [][2]string{
	{"tls", "1.2,1.3,quic"}, {"mode", "full,resumed,0rtt"},
	{"group", "x25519,p256,p384,p521,x25519mlkem768,secp256r1mlkem768,secp384r1mlkem1024"},
	{"cert", "ecdsa-p256"}, {"duration", "2s"}, {"warmup", "300ms"},
}

// matrixPreset is the --matrix flag. Setting it changes the defaults of the
// flags not given so far; flags given later overwrite them as usual, so an
// explicit flag wins wherever it stands.
type matrixPreset struct {
	fs *pflag.FlagSet
	on bool
}

func (m *matrixPreset) String() string { return strconv.FormatBool(m.on) }
func (m *matrixPreset) Type() string   { return "bool" }

func (m *matrixPreset) Set(s string) error {
	on, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("--matrix: %w", err)
	}
	m.on = on
	if !on {
		return nil
	}
	for _, d := range matrixDefaults {
		if fl := m.fs.Lookup(d[0]); fl != nil && !fl.Changed {
			if err := fl.Value.Set(d[1]); err != nil {
				return fmt.Errorf("--matrix: %s: %w", d[0], err)
			}
		}
	}
	return nil
}

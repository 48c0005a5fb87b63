package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hsbench/hsbench/bench"
	"github.com/hsbench/hsbench/internal/pki"
	"github.com/hsbench/hsbench/internal/target"
)

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "Usage: hsbench serve [flags]\n\nRuns the embedded TLS target (and a QUIC listener beside it) until interrupted.", stdout)
	addr := fs.String("addr", "127.0.0.1:8443", "address to listen on")
	cert := fs.String("cert", "ecdsa-p256", "certificate key type: ecdsa-p256, ecdsa-p384, rsa-2048, rsa-4096, ed25519")
	caOut := fs.String("ca-out", "hsbench-ca.pem", "file to write the CA certificate to (trust it with --ca)")
	clientAuth := fs.Bool("client-auth", false, "require a client certificate signed by the CA (written next to --ca-out)")
	minV := fs.String("min-tls", "1.2", "lowest TLS version: 1.2 or 1.3")
	maxV := fs.String("max-tls", "1.3", "highest TLS version: 1.2 or 1.3")
	noTickets := fs.Bool("no-tickets", false, "turn session tickets off")
	noQUIC := fs.Bool("no-quic", false, "do not serve QUIC (by default a QUIC listener, ALPN hsbench, 0-RTT accepted, shares the TCP port number over UDP)")
	slowdown := fs.String("slowdown", "0%", "make every handshake this much slower (CPU spent after it), e.g. 10%")
	emulateSpec := fs.String("emulate", "", "serve inside an emulated network, e.g. rtt=50ms,loss=1% (needs root; reachable from its client namespace only, see docs/emulation.md)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	kt, err := pki.ParseKeyType(*cert)
	if err != nil {
		return usagef("parsing --cert: %v", err)
	}
	lo, err := bench.ParseVersion(*minV)
	if err != nil {
		return usagef("parsing --min-tls: %v", err)
	}
	hi, err := bench.ParseVersion(*maxV)
	if err != nil {
		return usagef("parsing --max-tls: %v", err)
	}
	if lo > hi {
		return usagef("--min-tls %s is above --max-tls %s", *minV, *maxV)
	}
	slow, err := parsePercent(*slowdown)
	if err != nil || slow < 0 {
		return usagef("parsing --slowdown: %q: want a percentage such as 10%%", *slowdown)
	}
	o := target.Options{Addr: *addr, Cert: kt, ClientAuth: *clientAuth,
		MinVersion: lo, MaxVersion: hi, NoTickets: *noTickets, Slowdown: slow}
	em, err := serveEmulation(ctx, *emulateSpec, fs.Changed("addr"), &o)
	if err != nil {
		return err
	}
	defer em.close()
	tg, err := target.Start(o)
	if err != nil {
		return usagef("serve: %v", err)
	}
	defer tg.Close()
	if err := tg.CA.WriteCertPEM(*caOut); err != nil {
		return usagef("writing --ca-out: %v", err)
	}
	fmt.Fprintf(stdout, "hsbench: serving TLS %s–%s on %s (%s certificate for localhost, 127.0.0.1, ::1)\n",
		bench.VersionName(lo), bench.VersionName(hi), tg.Addr, kt)
	fmt.Fprintf(stdout, "hsbench: CA certificate in %s: hsbench run --target %s --ca %s\n", *caOut, tg.Addr, *caOut)
	em.serveHint(stdout, tg.Addr, *caOut)
	if !*noQUIC && *emulateSpec == "" {
		qo := target.QUICOptions{Addr: tg.Addr, Certificate: tg.Certificate(), NoTickets: *noTickets}
		if *clientAuth {
			qo.ClientCAs = tg.CA.Pool()
		}
		qt, err := target.StartQUIC(qo)
		if err != nil {
			return usagef("serve: QUIC listener on udp %s: %v (use --no-quic to serve TCP only)", tg.Addr, err)
		}
		defer qt.Close()
		fmt.Fprintf(stdout, "hsbench: serving QUIC (ALPN %s, 0-RTT accepted) on udp %s: hsbench run --tls quic --target %s --ca %s --alpn %s\n",
			bench.QUICALPN, qt.Addr, qt.Addr, *caOut, bench.QUICALPN)
	}
	if *clientAuth {
		cp := strings.TrimSuffix(*caOut, ".pem") + "-client.pem"
		kp := strings.TrimSuffix(*caOut, ".pem") + "-client-key.pem"
		if err := pki.WriteKeyPair(tg.ClientCert, cp, kp); err != nil {
			return usagef("writing the client certificate: %v", err)
		}
		fmt.Fprintf(stdout, "hsbench: client certificate in %s and %s\n", cp, kp)
	}
	<-ctx.Done()
	return nil
}

// parsePercent parses "10%" or "0.1" into a fraction.
func parsePercent(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(p, 64)
		return v / 100, err
	}
	return strconv.ParseFloat(s, 64)
}

func versionCmd(_ context.Context, _ []string, stdout, _ io.Writer) error {
	fmt.Fprintln(stdout, "hsbench", versionString())
	return nil
}

//go:build tools

// Package deps pins modules used across the project so go.mod lists them
// before every package imports them.
package deps

import (
	_ "github.com/HdrHistogram/hdrhistogram-go"
	_ "github.com/quic-go/quic-go"
	_ "github.com/spf13/pflag"
	_ "golang.org/x/crypto/chacha20poly1305"
	_ "golang.org/x/perf/benchmath"
	_ "golang.org/x/sys/unix"
	_ "gonum.org/v1/plot"
)

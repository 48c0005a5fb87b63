//go:build !linux

package testservers

import (
	"os"
	"syscall"
)

// sysProcAttr returns no special attributes outside Linux.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// signalGroup kills p; outside Linux there is no graceful stop.
func signalGroup(p *os.Process, kill bool) { _ = p.Kill() }

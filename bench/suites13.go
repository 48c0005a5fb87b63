package bench

import (
	"crypto/tls"
	"fmt"
	"slices"
	"sync"
	_ "unsafe" // for go:linkname
)

// crypto/tls offers (client) and prefers (server) these lists of TLS 1.3
// cipher suites; Config.CipherSuites does not apply to TLS 1.3. Both
// variables are marked in crypto/tls as accessed by linkname (quic-go pins
// suites the same way).
//
//go:linkname defaultCipherSuitesTLS13 crypto/tls.defaultCipherSuitesTLS13
var defaultCipherSuitesTLS13 []uint16

//go:linkname defaultCipherSuitesTLS13NoAES crypto/tls.defaultCipherSuitesTLS13NoAES
var defaultCipherSuitesTLS13NoAES []uint16

// pin is the single owner of the two crypto/tls lists: at most one pin is
// held at a time, from PinTLS13Suite until its unpin.
var pin struct {
	mu              sync.Mutex
	held            bool
	id              uint16
	prev, prevNoAES []uint16
}

// PinTLS13Suite makes every crypto/tls client and server of this process
// (quic-go included) offer and accept only the TLS 1.3 cipher suite id, and
// returns the function that restores the lists crypto/tls had before.
//
// The lists are process-wide and crypto/tls reads them without a lock, so a
// pin is held for a whole cell: take it before the cell's first handshake
// starts and unpin after its last one ends. A second pin while one is held
// (nested, or from a concurrent cell) is refused with an error rather than
// changing the lists under running handshakes; unpin is idempotent. An
// in-process target shares the pin, which makes it choose the same suite.
// The pin only shapes what is offered: every sample's negotiated suite is
// still checked against the one asked (WantSuite).
func PinTLS13Suite(id uint16) (unpin func(), err error) {
	if !IsTLS13Suite(id) {
		return nil, fmt.Errorf("bench: %s is not a TLS 1.3 cipher suite", tls.CipherSuiteName(id))
	}
	pin.mu.Lock()
	defer pin.mu.Unlock()
	if pin.held {
		return nil, fmt.Errorf("bench: pinning TLS 1.3 suite %s: %s is pinned already (one pin at a time, for a whole cell)",
			tls.CipherSuiteName(id), tls.CipherSuiteName(pin.id))
	}
	pin.held, pin.id = true, id
	pin.prev, pin.prevNoAES = defaultCipherSuitesTLS13, defaultCipherSuitesTLS13NoAES
	defaultCipherSuitesTLS13 = []uint16{id}
	defaultCipherSuitesTLS13NoAES = []uint16{id}
	var once sync.Once
	return func() {
		once.Do(func() {
			pin.mu.Lock()
			defer pin.mu.Unlock()
			defaultCipherSuitesTLS13, defaultCipherSuitesTLS13NoAES = pin.prev, pin.prevNoAES
			pin.held = false
		})
	}, nil
}

// TLS13Suites returns the TLS 1.3 suites crypto/tls currently offers, in
// preference order (hardware-AES order).
func TLS13Suites() []uint16 {
	pin.mu.Lock()
	defer pin.mu.Unlock()
	return slices.Clone(defaultCipherSuitesTLS13)
}

// IsTLS13Suite reports whether id is one of the TLS 1.3 cipher suites.
func IsTLS13Suite(id uint16) bool {
	for _, s := range tls.CipherSuites() {
		if s.ID == id {
			return slices.Equal(s.SupportedVersions, []uint16{tls.VersionTLS13})
		}
	}
	return false
}

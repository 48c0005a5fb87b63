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

// pinMu serialises PinTLS13Suite and its restore functions.
var pinMu sync.Mutex

// PinTLS13Suite makes every crypto/tls client and server of this process
// (quic-go included) offer and accept only the TLS 1.3 cipher suite id, and
// returns a function that restores the previous lists.
//
// The change is process-wide and unsynchronised with handshakes: call it
// before the handshakes that need it start and restore after they end, one
// suite at a time. An in-process target shares the pin, which makes it
// choose the same suite.
func PinTLS13Suite(id uint16) (restore func(), err error) {
	if !IsTLS13Suite(id) {
		return nil, fmt.Errorf("bench: %s is not a TLS 1.3 cipher suite", tls.CipherSuiteName(id))
	}
	pinMu.Lock()
	defer pinMu.Unlock()
	prev, prevNoAES := defaultCipherSuitesTLS13, defaultCipherSuitesTLS13NoAES
	defaultCipherSuitesTLS13 = []uint16{id}
	defaultCipherSuitesTLS13NoAES = []uint16{id}
	var once sync.Once
	return func() {
		once.Do(func() {
			pinMu.Lock()
			defer pinMu.Unlock()
			defaultCipherSuitesTLS13, defaultCipherSuitesTLS13NoAES = prev, prevNoAES
		})
	}, nil
}

// TLS13Suites returns the TLS 1.3 suites crypto/tls currently offers, in
// preference order (hardware-AES order).
func TLS13Suites() []uint16 {
	pinMu.Lock()
	defer pinMu.Unlock()
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

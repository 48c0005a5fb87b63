package bench

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
)

// Group is a key-exchange group as hsbench names it on the command line and
// in results.
type Group struct {
	Name   string // canonical lower-case name: x25519, p256, x25519mlkem768 …
	ID     tls.CurveID
	TLS13  bool // usable only with TLS 1.3 (the post-quantum hybrids)
	Hybrid bool // post-quantum hybrid
}

// Groups lists every group Go 1.26 implements, classical first.
var Groups = []Group{
	{Name: "x25519", ID: tls.X25519},
	{Name: "p256", ID: tls.CurveP256},
	{Name: "p384", ID: tls.CurveP384},
	{Name: "p521", ID: tls.CurveP521},
	{Name: "x25519mlkem768", ID: tls.X25519MLKEM768, TLS13: true, Hybrid: true},
	{Name: "secp256r1mlkem768", ID: tls.SecP256r1MLKEM768, TLS13: true, Hybrid: true},
	{Name: "secp384r1mlkem1024", ID: tls.SecP384r1MLKEM1024, TLS13: true, Hybrid: true},
}

var groupAliases = map[string]string{
	"secp256r1": "p256", "prime256v1": "p256", "p-256": "p256", "curvep256": "p256",
	"secp384r1": "p384", "p-384": "p384", "curvep384": "p384",
	"secp521r1": "p521", "p-521": "p521", "curvep521": "p521",
}

// ParseGroup accepts a group name case-insensitively (x25519, p256/secp256r1, x25519mlkem768 …).
func ParseGroup(s string) (Group, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	if a, ok := groupAliases[n]; ok {
		n = a
	}
	for _, g := range Groups {
		if g.Name == n {
			return g, nil
		}
	}
	names := make([]string, len(Groups))
	for i, g := range Groups {
		names[i] = g.Name
	}
	return Group{}, fmt.Errorf("unknown group %q (want one of %s)", s, strings.Join(names, ", "))
}

// GroupName returns the canonical name of a negotiated group ID, or the
// numeric value for groups hsbench does not know.
func GroupName(id tls.CurveID) string {
	if id == 0 {
		return ""
	}
	for _, g := range Groups {
		if g.ID == id {
			return g.Name
		}
	}
	return fmt.Sprintf("group-%d", uint16(id))
}

// ParseSuite returns the ID of a cipher suite given by its IANA name
// (case-insensitive), including the RSA key exchange suites crypto/tls
// disables by default.
func ParseSuite(s string) (*tls.CipherSuite, error) {
	n := strings.ToUpper(strings.TrimSpace(s))
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, cs := range list {
			if cs.Name == n {
				return cs, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown cipher suite %q (use an IANA name such as TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)", s)
}

// ParseVersion accepts "1.2" or "1.3".
func ParseVersion(s string) (uint16, error) {
	switch strings.TrimSpace(s) {
	case "1.2", "tls1.2", "TLS1.2":
		return tls.VersionTLS12, nil
	case "1.3", "tls1.3", "TLS1.3":
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("unknown TLS version %q (want 1.2 or 1.3)", s)
}

// ClientGroups returns the client's supported groups for pinning group g
// at the given TLS version. TLS 1.3 lists g alone. TLS 1.2 servers built on
// OpenSSL also check an ECDSA certificate's curve against the client's
// supported groups (RFC 8422), so for TLS 1.2 g comes first and every
// other NIST curve (P-256 included) after it: OpenSSL and Go servers pick
// the client's first group they support, so they still pick g. crypto/tls
// sends its own fixed order whatever the list's (X25519, P-256, P-384,
// P-521); where that would not put g first (p384, p521), TCP handshakes
// use the own TLS 1.2 client (bench/internal/tls12), which sends this
// order. A handshake that negotiates another group anyway is reported as
// a mismatch (TCPConfig.WantGroup), never counted as g.
func ClientGroups(g Group, version uint16) []tls.CurveID {
	ids := []tls.CurveID{g.ID}
	if version != tls.VersionTLS12 {
		return ids
	}
	for _, c := range []tls.CurveID{tls.CurveP256, tls.CurveP384, tls.CurveP521} {
		if c != g.ID {
			ids = append(ids, c)
		}
	}
	return ids
}

// goOrder is crypto/tls's fixed client order of the classic groups.
var goOrder = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}

// goListsFirst reports whether crypto/tls, given CurvePreferences ids,
// sends ids[0] first in supported_groups.
func goListsFirst(ids []tls.CurveID) bool {
	for _, c := range goOrder {
		if slices.Contains(ids, c) {
			return c == ids[0]
		}
	}
	return true
}

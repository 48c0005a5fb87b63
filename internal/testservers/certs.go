package testservers

import (
	"crypto/tls"
	"fmt"
	"net"
	"path/filepath"

	"github.com/hsbench/hsbench/internal/pki"
)

// certFiles are the PEM files a server reads.
type certFiles struct {
	CA    *pki.CA
	CAPEM string // the CA certificate
	Chain string // leaf and CA certificates
	Key   string // the leaf's private key (PKCS#8)
	Leaf  tls.Certificate
}

// writeCerts issues a CA and a server certificate for ServerName,
// 127.0.0.1 and ::1 with key type kt, and writes them into dir.
func writeCerts(dir string, kt pki.KeyType) (*certFiles, error) {
	ca, err := pki.NewCA(kt, "hsbench test CA")
	if err != nil {
		return nil, fmt.Errorf("testservers: %w", err)
	}
	leaf, err := ca.Issue(pki.LeafOptions{
		KeyType:  kt,
		DNSNames: []string{ServerName},
		IPs:      loopbackIPs(),
	})
	if err != nil {
		return nil, fmt.Errorf("testservers: %w", err)
	}
	f := &certFiles{
		CA:    ca,
		CAPEM: filepath.Join(dir, "ca.pem"),
		Chain: filepath.Join(dir, "server.pem"),
		Key:   filepath.Join(dir, "server.key"),
		Leaf:  leaf,
	}
	if err := ca.WriteCertPEM(f.CAPEM); err != nil {
		return nil, fmt.Errorf("testservers: %w", err)
	}
	if err := pki.WriteKeyPair(leaf, f.Chain, f.Key); err != nil {
		return nil, fmt.Errorf("testservers: %w", err)
	}
	return f, nil
}

// loopbackIPs are the addresses the server certificate also covers.
func loopbackIPs() []net.IP {
	return []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
}

// Package pki issues the certificates hsbench needs at run time: an
// in-memory CA and leaf certificates for the embedded target, the test
// servers (nginx, openssl s_server, haproxy) and deliberately bad targets
// (expired, wrong name, unknown CA).
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"strings"
	"time"
)

// KeyType names a certificate key algorithm as the --cert flag spells it.
type KeyType string

// Key types accepted by --cert.
const (
	ECDSAP256 KeyType = "ecdsa-p256"
	ECDSAP384 KeyType = "ecdsa-p384"
	RSA2048   KeyType = "rsa-2048"
	RSA4096   KeyType = "rsa-4096"
	Ed25519   KeyType = "ed25519"
)

// KeyTypes lists every accepted key type, in the order the help text shows.
var KeyTypes = []KeyType{ECDSAP256, ECDSAP384, RSA2048, RSA4096, Ed25519}

// ParseKeyType accepts a --cert value, case-insensitively.
func ParseKeyType(s string) (KeyType, error) {
	k := KeyType(strings.ToLower(strings.TrimSpace(s)))
	for _, v := range KeyTypes {
		if k == v {
			return k, nil
		}
	}
	names := make([]string, len(KeyTypes))
	for i, v := range KeyTypes {
		names[i] = string(v)
	}
	return "", fmt.Errorf("pki: unknown key type %q (want one of %s)", s, strings.Join(names, ", "))
}

// NewKey generates a private key of the given type.
func NewKey(kt KeyType) (crypto.Signer, error) {
	switch kt {
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case RSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case RSA4096:
		return rsa.GenerateKey(rand.Reader, 4096)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("pki: unknown key type %q", kt)
}

// CA is an in-memory certificate authority.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	DER  []byte
}

// NewCA creates a self-signed CA whose key is of type kt.
func NewCA(kt KeyType, name string) (*CA, error) {
	key, err := NewKey(kt)
	if err != nil {
		return nil, fmt.Errorf("pki: generating CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"hsbench"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("pki: signing CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parsing CA certificate: %w", err)
	}
	return &CA{Cert: cert, Key: key, DER: der}, nil
}

// LeafOptions describe a certificate to issue.
type LeafOptions struct {
	KeyType  KeyType
	DNSNames []string
	IPs      []net.IP
	// NotBefore and NotAfter default to one hour ago and 30 days ahead.
	// Set both in the past to make an expired certificate.
	NotBefore, NotAfter time.Time
	// Client makes a client-authentication certificate instead of a server one.
	Client bool
}

// Issue signs a leaf certificate and returns it with its key, chain included.
func (ca *CA) Issue(o LeafOptions) (tls.Certificate, error) {
	key, err := NewKey(o.KeyType)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: generating leaf key: %w", err)
	}
	now := time.Now()
	if o.NotBefore.IsZero() {
		o.NotBefore = now.Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.Add(30 * 24 * time.Hour)
	}
	cn := "hsbench client"
	if len(o.DNSNames) > 0 {
		cn = o.DNSNames[0]
	}
	usage := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	if o.Client {
		usage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	ku := x509.KeyUsageDigitalSignature
	if _, ok := key.(*rsa.PrivateKey); ok {
		ku |= x509.KeyUsageKeyEncipherment // TLS_RSA_* key exchange
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"hsbench"}},
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     ku,
		ExtKeyUsage:  usage,
		DNSNames:     o.DNSNames,
		IPAddresses:  o.IPs,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: signing leaf certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: parsing leaf certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.DER}, PrivateKey: key, Leaf: leaf}, nil
}

// Pool returns a certificate pool holding only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// CertPEM returns the CA certificate in PEM form.
func (ca *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.DER})
}

// WriteCertPEM writes the CA certificate to path (0644).
func (ca *CA) WriteCertPEM(path string) error {
	if err := os.WriteFile(path, ca.CertPEM(), 0o644); err != nil {
		return fmt.Errorf("pki: writing CA certificate: %w", err)
	}
	return nil
}

// WriteKeyPair writes a certificate chain and its private key as PEM files,
// in the form nginx, haproxy and openssl s_server read.
func WriteKeyPair(c tls.Certificate, certPath, keyPath string) error {
	var chain []byte
	for _, der := range c.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		return fmt.Errorf("pki: encoding private key: %w", err)
	}
	if err := os.WriteFile(certPath, chain, 0o644); err != nil {
		return fmt.Errorf("pki: writing certificate: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return fmt.Errorf("pki: writing private key: %w", err)
	}
	return nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

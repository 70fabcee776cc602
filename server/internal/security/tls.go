package security

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

// TLSFiles names the PEM files tradingd serves TLS with. ClientCAFile,
// if set, turns on mutual TLS: a client must present a certificate signed
// by one of its CAs or the handshake fails.
type TLSFiles struct {
	CertFile, KeyFile, ClientCAFile string
}

// TLS is the daemon's TLS material. It is swapped whole on reload, so every
// handshake sees one consistent certificate and CA pool; connections already
// open keep what they were made with.
type TLS struct {
	files TLSFiles
	cur   atomic.Pointer[tlsMaterial]
}

type tlsMaterial struct {
	cert      tls.Certificate
	clientCAs *x509.CertPool // nil: no client certificates asked for
}

// LoadTLS reads the files now, so that a bad certificate stops the daemon
// at start rather than at the first handshake.
func LoadTLS(f TLSFiles) (*TLS, error) {
	if f.CertFile == "" || f.KeyFile == "" {
		return nil, errors.New("TLS needs both a certificate and a key")
	}
	t := &TLS{files: f}
	m, err := loadTLSMaterial(f)
	if err != nil {
		return nil, err
	}
	t.cur.Store(m)
	return t, nil
}

// Mutual reports whether clients must present a certificate.
func (t *TLS) Mutual() bool { return t.files.ClientCAFile != "" }

// reload reads the files again; on error the old material stays.
func (t *TLS) reload() (*x509.Certificate, error) {
	m, err := loadTLSMaterial(t.files)
	if err != nil {
		return nil, err
	}
	t.cur.Store(m)
	return m.cert.Leaf, nil
}

func (t *TLS) paths() []string {
	p := []string{t.files.CertFile, t.files.KeyFile}
	if t.files.ClientCAFile != "" {
		p = append(p, t.files.ClientCAFile)
	}
	return p
}

func loadTLSMaterial(f TLSFiles) (*tlsMaterial, error) {
	cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s / key %s: %w", f.CertFile, f.KeyFile, err)
	}
	m := &tlsMaterial{cert: cert}
	if f.ClientCAFile == "" {
		return m, nil
	}
	b, err := os.ReadFile(f.ClientCAFile)
	if err != nil {
		return nil, fmt.Errorf("TLS client CA: %w", err)
	}
	m.clientCAs = x509.NewCertPool()
	if !m.clientCAs.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("TLS client CA %s: no PEM certificate in it", f.ClientCAFile)
	}
	return m, nil
}

// serverConfig looks the material up per handshake, which is what makes a
// reload reach new connections without restarting the listener.
func (t *TLS) serverConfig() *tls.Config { return t.config("h2") }

// HTTPConfig is the dashboard's TLS: the same material, reloaded the same
// way, and mutual TLS when gRPC has it. It offers HTTP/1.1 beside h2, or a
// client without h2 could not connect at all; a browser picks h2, which
// lifts HTTP/1.1's six connections per host that long streams use up.
func (t *TLS) HTTPConfig() *tls.Config { return t.config("h2", "http/1.1") }

func (t *TLS) config(protos ...string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			m := t.cur.Load()
			c := &tls.Config{
				MinVersion:   tls.VersionTLS12,
				Certificates: []tls.Certificate{m.cert},
				NextProtos:   protos,
			}
			if m.clientCAs != nil {
				c.ClientAuth = tls.RequireAndVerifyClientCert
				c.ClientCAs = m.clientCAs
			}
			return c, nil
		},
	}
}

// ServerOption is the gRPC transport option for t: plaintext when t is
// nil. Failed handshakes are recorded in refused.
func (t *TLS) ServerOption(refused *Refusals) grpc.ServerOption {
	if t == nil {
		return grpc.EmptyServerOption{}
	}
	return grpc.Creds(auditedCreds{TransportCredentials: credentials.NewTLS(t.serverConfig()), refused: refused})
}

// peerCertName is the verified client certificate's subject CN, else its
// first SAN, as "CN=ops-laptop" or "SAN=ops.example"; "" without mutual TLS.
// gRPC puts the handshake's result in every call's context, so the audit
// log reads the caller's identity from there.
func peerCertName(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return ""
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return ""
	}
	c := info.State.VerifiedChains[0][0]
	switch {
	case c.Subject.CommonName != "":
		return "CN=" + c.Subject.CommonName
	case len(c.DNSNames) > 0:
		return "SAN=" + c.DNSNames[0]
	case len(c.EmailAddresses) > 0:
		return "SAN=" + c.EmailAddresses[0]
	case len(c.URIs) > 0:
		return "SAN=" + c.URIs[0].String()
	}
	return "SAN=?"
}

// callerIdentity is what the audit log records as who called: the client
// certificate under mutual TLS, else the bearer token (never its value).
func callerIdentity(ctx context.Context, refused bool) string {
	name := peerCertName(ctx)
	switch {
	case name != "" && refused:
		return "cert:" + name + " (token refused)"
	case name != "":
		return "cert:" + name
	case refused:
		return "none (refused)"
	}
	return "token"
}

// Mode is how the daemon serves, for its start-up log line: off, on or
// mutual. t may be nil.
func (t *TLS) Mode() string {
	switch {
	case t == nil:
		return "off"
	case t.Mutual():
		return "mutual"
	}
	return "on"
}

package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	"google.golang.org/grpc/credentials"
)

// TLSConfig names the PEM files the client dials TLS with.
type TLSConfig struct {
	// CAFile verifies the daemon's certificate; empty uses the system's
	// roots.
	CAFile string
	// CertFile and KeyFile, if set, are the client certificate presented
	// to a daemon that requires one (--tls-client-ca).
	CertFile, KeyFile string
	// ServerName is the name the daemon's certificate must carry; empty
	// means the host part of the address dialled.
	ServerName string
}

// WithTLS dials the daemon over TLS, verifying it against caFile and, if
// certFile and keyFile are set, presenting that client certificate. The
// files are read when New runs. It replaces WithTransportCredentials.
func WithTLS(caFile, certFile, keyFile, serverName string) Option {
	return WithTLSConfig(TLSConfig{CAFile: caFile, CertFile: certFile, KeyFile: keyFile, ServerName: serverName})
}

// WithTLSConfig is WithTLS with the files in a struct.
func WithTLSConfig(c TLSConfig) Option {
	return func(o *options) { o.tls, o.creds = &c, nil }
}

// TLSFileError says a TLS file given to the client could not be used.
type TLSFileError struct {
	What, Path string
	Err        error
}

func (e *TLSFileError) Error() string {
	return fmt.Sprintf("TLS %s %s: %v", e.What, e.Path, e.Err)
}

func (e *TLSFileError) Unwrap() error { return e.Err }

// maxTLSFile bounds what is read of a TLS file: a system CA bundle is a
// few hundred KiB; /dev/zero given by mistake must not take the memory.
const maxTLSFile = 4 << 20

func (c TLSConfig) credentials() (credentials.TransportCredentials, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	if c.CAFile != "" {
		b, err := readSmallFile(c.CAFile, maxTLSFile)
		if err != nil {
			return nil, &TLSFileError{What: "CA", Path: c.CAFile, Err: err}
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(b) {
			return nil, &TLSFileError{What: "CA", Path: c.CAFile, Err: errors.New("no PEM certificate in it")}
		}
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return nil, errors.New("a TLS client certificate needs both its certificate and its key file")
	}
	if c.CertFile != "" {
		certPEM, err := readSmallFile(c.CertFile, maxTLSFile)
		if err != nil {
			return nil, &TLSFileError{What: "client certificate", Path: c.CertFile, Err: err}
		}
		keyPEM, err := readSmallFile(c.KeyFile, maxTLSFile)
		if err != nil {
			return nil, &TLSFileError{What: "client key", Path: c.KeyFile, Err: err}
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, &TLSFileError{What: "client certificate", Path: c.CertFile, Err: err}
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return credentials.NewTLS(cfg), nil
}

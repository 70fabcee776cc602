package main

import (
	"errors"
	"strings"

	"github.com/spf13/pflag"
	"github.com/tradectl/tradectl/client"
)

// tlsFlags are the flags for reaching a tradingd that serves TLS.
type tlsFlags struct {
	ca, cert, key, serverName string
	// insecure allows plaintext to a non-loopback --addr. It has no
	// environment variable, like tradingd's: the override is always on
	// the command line for all to see.
	insecure bool
}

func (t *tlsFlags) register(f *pflag.FlagSet) {
	f.StringVar(&t.ca, "tls-ca", envOr("TRADECTL_TLS_CA", ""), "dial TLS and verify tradingd against this PEM CA (env TRADECTL_TLS_CA)")
	f.StringVar(&t.cert, "tls-cert", envOr("TRADECTL_TLS_CERT", ""), "client certificate, for a tradingd with --tls-client-ca (env TRADECTL_TLS_CERT)")
	f.StringVar(&t.key, "tls-key", envOr("TRADECTL_TLS_KEY", ""), "private key of --tls-cert (env TRADECTL_TLS_KEY)")
	f.StringVar(&t.serverName, "tls-server-name", envOr("TRADECTL_TLS_SERVER_NAME", ""), "name tradingd's certificate must carry (default: the host of --addr)")
	f.BoolVar(&t.insecure, "insecure", false, "allow plaintext to a non-loopback --addr (refused otherwise): the token and every call travel in clear")
}

func (t tlsFlags) on() bool { return t.ca != "" || t.cert != "" || t.key != "" }

// options are the client options for the flags: TLS if any is set.
func (t tlsFlags) options() []client.Option {
	if !t.on() {
		if t.insecure {
			return []client.Option{client.WithInsecure()}
		}
		return nil
	}
	return []client.Option{client.WithTLS(t.ca, t.cert, t.key, t.serverName)}
}

// hint explains an unreachable daemon whose cause is TLS: gRPC reports a
// failed handshake as UNAVAILABLE, like a daemon that is not running, and
// the generic hint would send the user looking in the wrong place.
func (t tlsFlags) hint(err error) string {
	if !errors.Is(err, client.ErrUnavailable) {
		return ""
	}
	msg := err.Error()
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(msg, s) {
				return true
			}
		}
		return false
	}
	switch {
	case !t.on() && has("server preface", "EOF", "connection reset", "frame too large", "http2"):
		return "tradingd closed the connection: if it serves TLS, pass --tls-ca (and --tls-cert/--tls-key for mutual TLS; env TRADECTL_TLS_*)"
	case !t.on():
		return ""
	case has("first record does not look like a TLS handshake"):
		return "tradingd at this address serves plaintext, not TLS: drop --tls-ca/--tls-cert/--tls-key"
	case has("x509:", "doesn't contain any IP SANs", "not valid for"):
		return "tradingd's certificate did not verify against --tls-ca (or its name: --tls-server-name)"
	// Under TLS 1.3 the server checks the client's certificate after the
	// client thinks the handshake is done, so the refusal often arrives as
	// a bare broken pipe or EOF rather than the server's alert.
	case t.cert == "" && has("tls:", "broken pipe", "EOF", "connection reset", "server preface"):
		return "tradingd requires a client certificate: pass --tls-cert and --tls-key (env TRADECTL_TLS_CERT, TRADECTL_TLS_KEY)"
	case has("tls:", "broken pipe", "EOF", "connection reset", "server preface"):
		return "tradingd refused the client certificate: it must be signed by tradingd's --tls-client-ca and be valid now (not expired)"
	}
	return ""
}

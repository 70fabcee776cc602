package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/tradectl/tradectl/internal/endpoint"
	"github.com/tradectl/tradectl/server/daemon"
)

// securityFlags are the flags that decide who can reach the control API.
type securityFlags struct {
	tlsCert, tlsKey, tlsClientCA string
	insecure                     bool
}

func (s *securityFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.tlsCert, "tls-cert", os.Getenv("TRADINGD_TLS_CERT"), "serve TLS with this PEM certificate (env TRADINGD_TLS_CERT); reloaded when it changes")
	fs.StringVar(&s.tlsKey, "tls-key", os.Getenv("TRADINGD_TLS_KEY"), "PEM private key of --tls-cert (env TRADINGD_TLS_KEY)")
	fs.StringVar(&s.tlsClientCA, "tls-client-ca", os.Getenv("TRADINGD_TLS_CLIENT_CA"),
		"require client certificates signed by this PEM CA: mutual TLS (env TRADINGD_TLS_CLIENT_CA)")
	fs.BoolVar(&s.insecure, "insecure", false, "allow plaintext on a non-loopback address, for gRPC and the dashboard without TLS and for /metrics (the token and all trading travel in clear)")
}

// check refuses setups that would expose the control API, or the metrics,
// in clear.
func (s securityFlags) check(listen, metricsListen, httpListen string) error {
	if (s.tlsCert == "") != (s.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together: give both (env TRADINGD_TLS_CERT, TRADINGD_TLS_KEY)")
	}
	if s.tlsClientCA != "" && s.tlsCert == "" {
		return errors.New("--tls-client-ca needs TLS: also give --tls-cert and --tls-key")
	}
	if s.tlsCert == "" && !s.insecure && !isLoopback(listen) {
		return fmt.Errorf("refusing to serve plaintext on %s, which is not a loopback address: anyone on the network "+
			"could read the token and drive trading. Give --tls-cert and --tls-key (and --tls-client-ca for client "+
			"certificates), or listen on 127.0.0.1 and reach it over SSH, or pass --insecure if the network is trusted", listen)
	}
	// The dashboard carries the token (its login, its cookie) like gRPC,
	// with the same TLS: the same rule.
	if s.tlsCert == "" && !s.insecure && httpListen != "" && !isLoopback(httpListen) {
		return fmt.Errorf("refusing to serve the dashboard in plaintext on %s, which is not a loopback address: anyone on "+
			"the network could read the token and drive trading. Give --tls-cert and --tls-key, or listen on 127.0.0.1 "+
			"and reach it over SSH, or pass --insecure if the network is trusted", httpListen)
	}
	if fixedPort(httpListen) && (httpListen == metricsListen || httpListen == listen) {
		return fmt.Errorf("--http-listen %s is also another listener's address: give the dashboard its own", httpListen)
	}
	// /metrics is plain HTTP without authentication whatever the gRPC
	// listener uses, so the plaintext rule holds for it on its own.
	if metricsListen != "" && !s.insecure && !isLoopback(metricsListen) {
		return fmt.Errorf("refusing to serve /metrics on %s, which is not a loopback address: it is plain HTTP without "+
			"authentication, and anyone on the network could watch what the daemon does. Listen on 127.0.0.1 and scrape "+
			"through your own proxy, or pass --insecure if the network is trusted", metricsListen)
	}
	return nil
}

// fixedPort is whether addr names a port; ":0" asks for any free one.
func fixedPort(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	return err == nil && port != "0" && port != ""
}

// isLoopback is the judgement tradectl makes too (internal/endpoint), so
// that tradingd and tradectl agree on what needs TLS.
func isLoopback(addr string) bool { return endpoint.IsLoopback(addr) }

// load reads the TLS files; nil without --tls-cert. It also says loudly
// when --insecure is what lets the daemon start.
func (s securityFlags) load(log *slog.Logger, listen, metricsListen, httpListen string) (*daemon.TLS, error) {
	if metricsListen != "" && !isLoopback(metricsListen) {
		log.Warn("INSECURE: serving /metrics on a non-loopback address because of --insecure; "+
			"it is plain HTTP without authentication", "addr", metricsListen)
	}
	if s.tlsCert == "" {
		if !isLoopback(listen) {
			log.Warn("INSECURE: serving plaintext on a non-loopback address because of --insecure; "+
				"the token and every call travel in clear: use --tls-cert and --tls-key", "addr", listen)
		}
		if httpListen != "" && !isLoopback(httpListen) {
			log.Warn("INSECURE: serving the dashboard in plaintext on a non-loopback address because of --insecure; "+
				"the token and every call travel in clear: use --tls-cert and --tls-key", "addr", httpListen)
		}
		return nil, nil
	}
	return daemon.LoadTLS(daemon.TLSFiles{CertFile: s.tlsCert, KeyFile: s.tlsKey, ClientCAFile: s.tlsClientCA})
}

// reloadSignal delivers SIGHUP, which makes the daemon re-read its token and
// TLS files, instead of letting it end the process.
func reloadSignal() (<-chan os.Signal, func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGHUP)
	return c, func() { signal.Stop(c) }
}

package main

import (
	"strings"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7443": true, "127.1.2.3:1": true, "[::1]:7443": true, "localhost:7443": true,
		"unix:///run/tradingd.sock": true,
		"0.0.0.0:7443":              false, ":7443": false, "[::]:7443": false, "10.0.0.5:7443": false,
		"example.com:7443": false, "garbage": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestUnsafeSetupsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // "" means accepted
	}{
		{[]string{"--listen", "0.0.0.0:7443"}, "--tls-cert and --tls-key"},
		{[]string{"--listen", "0.0.0.0:7443", "--insecure"}, ""},
		{[]string{"--listen", "0.0.0.0:7443", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, ""},
		{[]string{"--tls-cert", "c.pem"}, "go together"},
		{[]string{"--tls-client-ca", "ca.pem"}, "--tls-client-ca needs TLS"},
		// /metrics is plain HTTP whatever the gRPC listener uses.
		{[]string{"--metrics-listen", "0.0.0.0:7444"}, "refusing to serve /metrics on 0.0.0.0:7444"},
		{[]string{"--metrics-listen", ":7444", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "refusing to serve /metrics on :7444"},
		{[]string{"--metrics-listen", "0.0.0.0:7444", "--insecure"}, ""},
		{[]string{"--metrics-listen", "[::1]:7444"}, ""},
		// The dashboard carries the token as gRPC does: the same rule.
		{[]string{"--http-listen", "0.0.0.0:7445"}, "refusing to serve the dashboard in plaintext on 0.0.0.0:7445"},
		{[]string{"--http-listen", "0.0.0.0:7445", "--insecure"}, ""},
		{[]string{"--http-listen", "0.0.0.0:7445", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, ""},
		{[]string{"--http-listen", "[::1]:7445"}, ""},
		{[]string{"--http-listen", ""}, ""},
		{[]string{"--http-listen", "127.0.0.1:7444"}, "also another listener's address"},
		{[]string{"--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"}, ""},
		{[]string{"--http-allowed-host", "dash.example:443"}, "without a port"},
	} {
		_, err := parseFlags(append([]string{"--data-dir", t.TempDir()}, tc.args...))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: want an error naming %q, got %v", tc.args, tc.want, err)
		}
	}
}

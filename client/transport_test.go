package client

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

func TestPlaintextOnlyToLoopback(t *testing.T) {
	loopback := []string{"127.0.0.1:7443", "127.1.2.3:1", "[::1]:7443", "localhost:7443", "LOCALHOST:1",
		"dns:///127.0.0.1:7443", "dns://8.8.8.8/localhost:7443", "dns:localhost:7443", "passthrough:///[::1]:7443",
		"unix:///run/tradingd.sock", "unix:relative.sock", "unix-abstract:tradingd"}
	remote := []string{"10.0.0.5:7443", "192.168.1.10:7443", "[2001:db8::1]:7443", "trading.example:7443", "0.0.0.0:7443",
		":7443", "dns:///trading.example:7443", "dns://127.0.0.1/trading.example:7443", "passthrough:///bufnet",
		"localhost.evil.example:7443", "127.0.0.1.nip.io:7443", "[::ffff:10.0.0.5]:7443"}
	for _, addr := range loopback {
		c, err := New(addr, WithToken("s3cret-token-0123456789"))
		if err != nil {
			t.Errorf("%s: %v, want plaintext allowed to loopback", addr, err)
			continue
		}
		c.Close()
	}
	for _, addr := range remote {
		_, err := New(addr, WithToken("s3cret-token-0123456789"))
		if !errors.Is(err, ErrPlaintext) || !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: %v, want ErrPlaintext naming the address", addr, err)
		}
		// Plaintext credentials given explicitly are still plaintext.
		if _, err := New(addr, WithTransportCredentials(insecure.NewCredentials())); !errors.Is(err, ErrPlaintext) {
			t.Errorf("%s with insecure credentials: %v, want ErrPlaintext", addr, err)
		}
		for name, opt := range map[string]Option{
			"WithInsecure": WithInsecure(),
			"WithTLS":      WithTLS("", "", "", ""),
			"TLS creds":    WithTransportCredentials(credentials.NewTLS(nil)),
		} {
			c, err := New(addr, opt)
			if err != nil {
				t.Errorf("%s with %s: %v", addr, name, err)
				continue
			}
			c.Close()
		}
	}
}

package main

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	e2e "github.com/tradectl/tradectl/e2e/harness"
	"google.golang.org/grpc"
)

// Without TLS, tradectl sends the token only to loopback: to any other
// address it refuses before dialling, on one line, with the usage code,
// unless --insecure is given.
func TestPlaintextOffLoopbackNeedsInsecure(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		addr     string
		insecure bool
		code     int
	}{
		{"10.0.0.5:7443", false, 2},
		{"trading.example:7443", false, 2},
		{"dns:///[2001:db8::1]:7443", false, 2},
		{"10.0.0.5:7443", true, 0},
		{"127.0.0.1:7443", false, 0},
		{"localhost:7443", false, 0},
	} {
		var dials atomic.Int32
		dial := func(ctx context.Context, addr string) (net.Conn, error) {
			dials.Add(1)
			return h.dial(ctx, addr)
		}
		args := []string{"--addr", tc.addr, "--token-file", h.tokenFile, "status"}
		if tc.insecure {
			args = append(args, "--insecure")
		}
		var out, errOut e2e.SyncBuffer
		code := run(t.Context(), args, &out, &errOut, []grpc.DialOption{grpc.WithContextDialer(dial)})
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d: %s", args, code, tc.code, errOut.String())
			continue
		}
		if tc.code == 0 {
			continue
		}
		msg := errOut.String()
		if n := len(lines(msg)); n != 1 {
			t.Errorf("%s: %d lines on stderr, want 1:\n%s", tc.addr, n, msg)
		}
		for _, want := range []string{tc.addr, "--tls-ca", "--insecure", "in clear"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: stderr does not say %q: %s", tc.addr, want, msg)
			}
		}
		if n := dials.Load(); n != 0 {
			t.Errorf("%s: refused, yet dialled %d times", tc.addr, n)
		}
	}
}

package main

import (
	"os"
	"strings"
	"testing"
)

// The systemd unit in deploy/ is documentation a user copies: its command
// line must be one tradingd accepts, so a renamed or removed flag breaks
// this test rather than someone's deployment.
func TestSystemdUnitFlagsParse(t *testing.T) {
	unit, err := os.ReadFile("../../deploy/tradingd.service")
	if err != nil {
		t.Fatal(err)
	}
	args := execStart(t, string(unit))
	if len(args) < 2 || args[0] != "/usr/local/bin/tradingd" {
		t.Fatalf("ExecStart = %q; want /usr/local/bin/tradingd and its flags", args)
	}
	t.Setenv("HEALTH_CHECK_INTERVAL", "")
	c, err := parseFlags(args[1:])
	if err != nil {
		t.Fatalf("tradingd refuses the unit's flags %q: %v", args[1:], err)
	}
	if c.dataDir != "/var/lib/tradectl" || c.listen != "0.0.0.0:7443" {
		t.Fatalf("parsed data dir %q, listen %q", c.dataDir, c.listen)
	}
	// Off loopback the unit must serve TLS: the daemon would refuse it
	// otherwise, and the example would teach --insecure.
	if err := c.security.check(c.listen, c.metricsListen, c.httpListen); err != nil {
		t.Fatalf("the unit's setup is refused: %v", err)
	}
}

// execStart returns ExecStart's words, continuation lines joined.
func execStart(t *testing.T, unit string) []string {
	t.Helper()
	unit = strings.ReplaceAll(unit, "\\\n", " ")
	for _, line := range strings.Split(unit, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "ExecStart="); ok {
			return strings.Fields(v)
		}
	}
	t.Fatal("no ExecStart= in the unit")
	return nil
}

package main

import (
	"strings"
	"testing"
	"time"
)

// A value given is used or refused, naming what was given; a default
// stands in only for what was left out.
func TestParseFlagsRefusesWhatItWouldReplace(t *testing.T) {
	base := []string{"--data-dir", t.TempDir(), "--metrics-listen", ""}
	for _, tc := range []struct {
		name string
		env  string // HEALTH_CHECK_INTERVAL
		args []string
		say  string
	}{
		{"negative stop timeout", "", []string{"--stop-timeout", "-1s"}, "--stop-timeout -1s: must be positive"},
		{"zero stop timeout", "", []string{"--stop-timeout", "0s"}, "--stop-timeout 0s: must be positive"},
		{"negative shutdown timeout", "", []string{"--shutdown-timeout", "-5s"}, "--shutdown-timeout -5s: must be positive"},
		{"overflowing env", "18446744074", nil, `HEALTH_CHECK_INTERVAL="18446744074": 18446744074 seconds: must be between`},
		{"env out of range", "1ms", nil, `HEALTH_CHECK_INTERVAL="1ms": must be between`},
		{"env zero", "0", nil, `HEALTH_CHECK_INTERVAL="0"`},
		{"flag out of range", "", []string{"--health-interval", "1ms"}, "--health-interval 1ms: must be between"},
		{"zero connections", "", []string{"--max-conns", "0"}, "--max-conns 0: must be positive"},
		{"negative per peer", "", []string{"--max-conns-per-peer", "-1"}, "--max-conns-per-peer -1: must be positive"},
		{"zero public streams", "", []string{"--max-public-streams", "0"}, "--max-public-streams 0: must be positive"},
		{"zero backups", "", []string{"--max-backups", "0"}, "--max-backups 0: must be positive"},
		// Given empty, these fell back to their defaults without a word.
		{"empty token file", "", []string{"--token-file", ""}, "--token-file is empty"},
		{"empty backup dir", "", []string{"--backup-dir", ""}, "--backup-dir is empty"},
		{"empty listen", "", []string{"--listen", ""}, "--listen (TRADINGD_LISTEN) is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HEALTH_CHECK_INTERVAL", tc.env)
			_, err := parseFlags(append(append([]string(nil), base...), tc.args...))
			if err == nil || !strings.Contains(err.Error(), tc.say) {
				t.Fatalf("parseFlags = %v, want an error saying %q", err, tc.say)
			}
		})
	}
	t.Setenv("HEALTH_CHECK_INTERVAL", "86400")
	c, err := parseFlags(base)
	if err != nil || c.healthInterval != 24*time.Hour || c.stopTimeout != 10*time.Second || c.shutdownTimeout != 5*time.Second {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
}
